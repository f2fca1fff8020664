package dev.tailor.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.SupernetState;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/api/v1/supernets", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "supernets", description = "Trained supernets and the catalogue of their subnets")
@ConditionalOnProperty(name = "tailor.api.enabled", havingValue = "true", matchIfMissing = true)
class SupernetController {

    static final int MAX_PAGE_SIZE = PageResponse.MAX_SIZE;

    private final SupernetRepository supernets;
    private final SubnetQuery subnets;

    SupernetController(SupernetRepository supernets, SubnetQuery subnets) {
        this.supernets = supernets;
        this.subnets = subnets;
    }

    @Schema(description = "A trained (or training) weight-shared supernet.")
    record SupernetResponse(
            UUID id,
            String name,

            @Schema(types = "object", description = "The search-space spec it was trained on") @JsonRawValue
            String searchSpace,

            String dataset,
            SupernetState state,

            @Schema(description = "SHA-256 of the checkpoint artifact, when trained")
            String checkpointSha256,

            OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {

        static SupernetResponse of(Supernet supernet) {
            return new SupernetResponse(
                    supernet.getId(),
                    supernet.getName(),
                    supernet.getSpaceSpec(),
                    supernet.getDataset(),
                    supernet.getState(),
                    supernet.getCheckpointSha256(),
                    supernet.getCreatedAt(),
                    supernet.getUpdatedAt());
        }
    }

    @GetMapping
    @Operation(operationId = "listSupernets", summary = "List supernets, newest first")
    PageResponse<SupernetResponse> list(
            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(MAX_PAGE_SIZE) int size) {
        var found = supernets.findAll(PageRequest.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt")));
        return PageResponse.of(found.map(SupernetResponse::of).getContent(), page, size, found.getTotalElements());
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getSupernet", summary = "One supernet")
    SupernetResponse get(@PathVariable UUID id) {
        return SupernetResponse.of(find(id));
    }

    @GetMapping("/{id}/subnets")
    @Operation(
            operationId = "listSubnets",
            summary = "Subnets of a supernet in the catalogue, filtered and sorted",
            description = "Accuracy filters use the validation split (the test split is only reported). "
                    + "A latency filter or sort needs `device`; it uses each subnet's best batch-1 latency on that"
                    + " device: measured there if it was, else predicted by the device's fitted latency model, else"
                    + " estimated from its published peak compute and bandwidth (a lower bound); the row's"
                    + " `latency.source` says which. Subnets with none are left out of a latency filter.")
    PageResponse<SubnetQuery.SubnetRow> subnets(
            @PathVariable UUID id,
            @Parameter(description = "Largest multiply-accumulate count allowed")
                    @RequestParam(required = false)
                    @Positive
                    Long maxMacs,
            @Parameter(description = "Smallest validation top-1 accuracy, 0..1")
                    @RequestParam(required = false)
                    @DecimalMin("0")
                    @DecimalMax("1")
                    Double minAccuracy,
            @Parameter(description = "Device whose latencies are shown and filtered on") @RequestParam(required = false)
                    String device,
            @Parameter(description = "Largest p50 latency on `device`, milliseconds")
                    @RequestParam(required = false)
                    @Positive
                    @DecimalMax("3600000")
                    Double maxLatencyMs,
            @Parameter(description = "Sort key, '-' in front for descending: " + SubnetQuery.SORT_KEYS_TEXT)
                    @RequestParam(defaultValue = "-accuracy")
                    String sort,
            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(MAX_PAGE_SIZE) int size) {
        find(id);
        SubnetQuery.Filter filter = SubnetQuery.Filter.parse(maxMacs, minAccuracy, device, maxLatencyMs, sort);
        List<SubnetQuery.SubnetRow> rows = subnets.find(id, filter, page, size);
        return PageResponse.of(rows, page, size, subnets.count(id, filter));
    }

    private Supernet find(UUID id) {
        return supernets
                .findById(id)
                .orElseThrow(() -> Problems.notFound(
                        "Supernet", "no supernet with id " + id + "; GET /api/v1/supernets lists them"));
    }
}
