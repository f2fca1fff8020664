package dev.tailor.latency;

import dev.tailor.ProcessName;
import dev.tailor.catalogue.Artifact;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The timings in PostgreSQL ({@code host_speed_timing}), per host name, so that a restarted worker
 * and the one-shot verbs on the same host state the host's variation at once. The database being
 * away loses a timing or answers none: the speed check itself goes on.
 */
@Component
class StoredHostSpeedHistory implements HostSpeedHistory {

    private static final Logger log = LoggerFactory.getLogger(StoredHostSpeedHistory.class);

    private final JdbcClient jdbc;
    private final String host;

    @Autowired
    StoredHostSpeedHistory(JdbcClient jdbc) {
        this(jdbc, ProcessName.host());
    }

    /** As another host (tests). */
    StoredHostSpeedHistory(JdbcClient jdbc, String host) {
        this.jdbc = jdbc;
        this.host = host;
    }

    @Override
    public void keep(String modelKey, double ratio, long windowMillis) {
        if (!(ratio > 0) || Double.isInfinite(ratio)) {
            return;
        }
        try {
            jdbc.sql("insert into host_speed_timing (host_name, model_key, ratio) values (?, ?, ?)")
                    .params(host, sha256(modelKey), ratio)
                    .update();
            jdbc.sql("delete from host_speed_timing where host_name = ? and measured_at < now() - ? * interval '1"
                            + " millisecond'")
                    .params(host, windowMillis)
                    .update();
        } catch (RuntimeException e) {
            log.warn("Could not keep a timing of host-cpu's speed: {}", e.getMessage());
        }
    }

    @Override
    public List<Timing> recent(String modelKey, long windowMillis) {
        try {
            return jdbc.sql("select ratio, extract(epoch from measured_at) * 1000 as at_millis from host_speed_timing"
                            + " where host_name = ? and model_key = ? and measured_at >= now() - ? * interval '1"
                            + " millisecond' order by measured_at, id")
                    .params(host, sha256(modelKey), windowMillis)
                    .query((row, n) -> new Timing(row.getDouble("ratio"), Math.round(row.getDouble("at_millis"))))
                    .list();
        } catch (RuntimeException e) {
            log.warn("Could not read host-cpu's speed timings: {}", e.getMessage());
            return List.of();
        }
    }

    private static String sha256(String text) {
        return Artifact.sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
