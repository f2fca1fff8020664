package dev.tailor.latency;

import dev.tailor.catalogue.CatalogueEvents;
import dev.tailor.space.SearchSpace;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A catalogue build gets host-cpu a latency model for its supernet's space, unless one is stored,
 * before it evaluates its first subnet: so that host-cpu latency budgets can be answered as soon as
 * the catalogue has enough rows for a predictor. It runs in the build's own thread (a worker runs
 * one job at a time), so nothing of this process competes with the timings for the CPU.
 */
@Component
@ConditionalOnExpression("${tailor.latency.calibration.auto:true}")
class CalibrateForCatalogueBuild {

    private static final Logger log = LoggerFactory.getLogger(CalibrateForCatalogueBuild.class);

    private final HostLatencyCalibration calibration;
    private final JdbcClient jdbc;

    CalibrateForCatalogueBuild(HostLatencyCalibration calibration, JdbcClient jdbc) {
        this.calibration = calibration;
        this.jdbc = jdbc;
    }

    private record Supernet(SearchSpace space, int classes) {}

    @EventListener
    void buildStarting(CatalogueEvents.CatalogueBuildStarting event) {
        try {
            jdbc.sql("select space_spec::text, num_classes from supernet where id = :id")
                    .param("id", event.supernetId())
                    .query((rs, row) -> new Supernet(
                            SearchSpace.fromJson(rs.getString(1)),
                            Objects.requireNonNullElse((Integer) rs.getObject(2), 10)))
                    .optional()
                    .ifPresent(supernet -> calibration.ensure(supernet.space(), supernet.classes()));
        } catch (RuntimeException e) {
            // a missing latency model fails no build; the next finished build tries again
            log.warn("Could not build host-cpu's latency model for the catalogue build: {}", e.getMessage(), e);
        }
    }
}
