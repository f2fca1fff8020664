package dev.tailor.specialize;

import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.latency.DeviceLatencies;
import dev.tailor.latency.HostDevices;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stored host-cpu answers whose file was timed in a slow episode of the host at export
 * ({@code latency.timedInSlowEpisode}), and their correction once the file is timed again.
 */
@Component
class SlowEpisodeAnswers {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final ArtifactRepository artifacts;
    private final DeviceLatencies latencies;
    private final HostDevices hosts;

    SlowEpisodeAnswers(JdbcClient jdbc, ArtifactRepository artifacts, DeviceLatencies latencies, HostDevices hosts) {
        this.jdbc = jdbc;
        this.artifacts = artifacts;
        this.latencies = latencies;
        this.hosts = hosts;
    }

    /**
     * @param msAtExport the figure stored at export
     * @param expectedMs what host-cpu's model expected of the file: the latency the search worked with,
     *     else the stored model's prediction; 0 where neither is known
     */
    record Flagged(UUID id, long subnetId, String onnxSha256, double msAtExport, double expectedMs) {}

    /** The oldest {@code limit} flagged answers. */
    List<Flagged> oldest(int limit) {
        return jdbc.sql("""
                        select s.id, s.subnet_id, s.onnx_sha256, (s.response->'latency'->>'ms')::float8 as ms,
                            (s.response->'latency'->>'searchedMs')::float8 as searched, s.response->>'config' as config,
                            n.space_spec::text as spec, n.num_classes
                        from specialization s join supernet n on n.id = s.supernet_id
                        where s.response->'latency'->>'timedInSlowEpisode' = 'true'
                            and s.subnet_id is not null and s.onnx_sha256 is not null
                        order by s.created_at, s.id
                        limit :limit""")
                .param("limit", limit)
                .query((row, n) -> {
                    double searched = row.getDouble("searched");
                    double expected = row.wasNull()
                            ? modelled(
                                    row.getString("spec"),
                                    row.getObject("num_classes", Integer.class),
                                    row.getString("config"))
                            : searched;
                    return new Flagged(
                            row.getObject("id", UUID.class),
                            row.getLong("subnet_id"),
                            row.getString("onnx_sha256"),
                            row.getDouble("ms"),
                            expected);
                })
                .list();
    }

    /** A budget without a latency limit searched no latency: host-cpu's model says what to expect. */
    private double modelled(String spec, Integer classes, String config) {
        SearchSpace space = SearchSpace.fromJson(spec);
        return latencies
                .modelFor(hosts.cpu(), space, Objects.requireNonNullElse(classes, 10))
                .map(model -> model.millis(SubnetConfig.parse(config)))
                .orElse(0.0);
    }

    Optional<byte[]> file(Flagged answer) {
        return artifacts.findById(answer.onnxSha256()).map(artifact -> artifact.getContent());
    }

    /**
     * Stores the later timing as the answer's latency, keeping the figure at export beside it;
     * false when the answer is no longer flagged (another worker re-timed it first).
     */
    boolean retimed(Flagged answer, double ms, OffsetDateTime at) {
        String retimed = JSON.writeValueAsString(new SpecializationResponse.Retimed(answer.msAtExport(), at));
        return jdbc.sql("""
                                update specialization set response = jsonb_set(jsonb_set(jsonb_set(response,
                                        '{latency,ms}', to_jsonb(cast(:ms as float8))),
                                        '{latency,timedInSlowEpisode}', 'false'::jsonb),
                                        '{latency,retimed}', cast(:retimed as jsonb))
                                where id = :id and response->'latency'->>'timedInSlowEpisode' = 'true'""")
                        .param("ms", ms)
                        .param("retimed", retimed)
                        .param("id", answer.id())
                        .update()
                > 0;
    }
}
