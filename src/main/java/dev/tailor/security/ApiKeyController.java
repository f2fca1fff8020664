package dev.tailor.security;

import dev.tailor.api.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Operators manage keys here; the {@code keys} verb does the same on the server's machine. */
@RestController
@RequestMapping(path = "/api/v1/api-keys", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "access", description = "API keys and their roles (operator only)")
@ConditionalOnProperty(name = "tailor.api.enabled", havingValue = "true", matchIfMissing = true)
class ApiKeyController {

    private final ApiKeys keys;

    ApiKeyController(ApiKeys keys) {
        this.keys = keys;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createApiKey", summary = "Create an API key (its secret is in this response only)")
    @ApiResponse(responseCode = "201", description = "Created: the key is in this response only")
    ResponseEntity<IssuedKey> create(
            @Valid @RequestBody ApiKeyRequest request,
            @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        IssuedKey issued =
                refusedAsProblem(() -> keys.issue(request.name(), request.role(), request.device(), caller.keyName()));
        return ResponseEntity.created(
                        URI.create("/api/v1/api-keys/" + issued.details().id()))
                .body(issued);
    }

    @GetMapping
    @Operation(operationId = "listApiKeys", summary = "List API keys, revoked ones included (no secrets)")
    List<ApiKeyView> list() {
        return keys.list();
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getApiKey", summary = "One API key (no secret)")
    ApiKeyView get(@PathVariable long id) {
        return keys.find(id).orElseThrow(() -> unknownKey(id));
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "revokeApiKey", summary = "Revoke an API key: it stops working at once")
    ApiKeyView revoke(@PathVariable long id) {
        return keys.revoke(id).orElseThrow(() -> unknownKey(id));
    }

    private static ErrorResponseException unknownKey(long id) {
        return Problems.notFound("API key", "no API key with id " + id + "; GET /api/v1/api-keys lists them");
    }

    static <T> T refusedAsProblem(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (ApiKeys.KeyRefused refused) {
            throw Problems.badField(refused.field(), refused.getMessage());
        }
    }
}
