package dev.tailor.specialize;

import dev.tailor.api.Problems;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.SupernetState;
import dev.tailor.jobs.BootstrapOutcome;
import dev.tailor.jobs.CatalogueBuilds;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which supernet answers a request, and why none can yet: a named one must exist (404) and be
 * trained; without a name the newest READY one whose catalogue can answer (else the newest READY one). Not ready yet is a 503 with Retry-After
 * and the progress of the training run or catalogue build that will make it ready.
 */
@Component
class ServingSupernets {

    static final long RETRY_AFTER_SECONDS = 30;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SupernetRepository supernets;
    private final CatalogueBuilds builds;
    private final BootstrapOutcome bootstrap;
    private final JdbcClient jdbc;
    private final int minRows;

    ServingSupernets(
            SupernetRepository supernets,
            CatalogueBuilds builds,
            BootstrapOutcome bootstrap,
            JdbcClient jdbc,
            @org.springframework.beans.factory.annotation.Value("${tailor.predictor.min-rows:50}") int minRows) {
        this.supernets = supernets;
        this.builds = builds;
        this.bootstrap = bootstrap;
        this.jdbc = jdbc;
        this.minRows = minRows;
    }

    Supernet resolve(UUID requested) {
        if (requested != null) {
            Supernet supernet = supernets
                    .findById(requested)
                    .orElseThrow(() -> Problems.notFound(
                            "Supernet", "no supernet " + requested + "; GET /api/v1/supernets lists them", "supernet"));
            if (supernet.getState() == SupernetState.FAILED) {
                // it never becomes ready: a 503 with Retry-After would be waited on for good
                throw Problems.conflict(
                        "supernet " + requested + " failed: its training run ended without it (see its trainingJob);"
                                + " name a ready one (GET /api/v1/supernets) or leave supernet out for the newest",
                        "supernet");
            }
            if (supernet.getState() != SupernetState.READY) {
                throw Problems.unavailable(
                        "supernet " + requested + " is not trained yet (state "
                                + supernet.getState().name().toLowerCase(java.util.Locale.ROOT)
                                + "): the training run under trainingJob must finish first",
                        RETRY_AFTER_SECONDS,
                        training(requested));
            }
            return supernet;
        }
        // the newest ready supernet whose catalogue can answer; else the newest ready one (a 503 with its build)
        UUID newest = jdbc.sql("""
                        select n.id from supernet n
                        where n.state = 'READY'
                        order by (select count(distinct e.subnet_id) from evaluation e join subnet s on s.id = e.subnet_id
                                  where s.supernet_id = n.id and e.split = 'VALIDATION') >= :minRows desc,
                                 n.created_at desc
                        limit 1""")
                .param("minRows", minRows)
                .query(UUID.class)
                .optional()
                .orElseThrow(this::noSupernet);
        return supernets.findById(newest).orElseThrow();
    }

    /**
     * The 503 for a catalogue without a trained supernet: with the run that will make one, or, where none is
     * queued or running, what stopped one (this process's bootstrap, the last run) and who can start one.
     */
    private RuntimeException noSupernet() {
        Map<String, Object> extra = training();
        if (extra.containsKey("trainingJob")) {
            return Problems.unavailable(
                    "no trained supernet yet: the training run under trainingJob must finish first",
                    RETRY_AFTER_SECONDS,
                    extra);
        }
        StringBuilder detail = new StringBuilder("no trained supernet yet, and no training run is queued or running");
        java.util.Optional<Map<String, Object>> last = lastTrainingJob();
        // the bootstrap's reason holds while no run was ever queued; after one, that run's end says more
        java.util.Optional<String> refusal = last.isPresent() ? java.util.Optional.empty() : bootstrap.refusal();
        refusal.ifPresent(reason -> detail.append(": this service could not queue its first run (")
                .append(reason)
                .append("); it tries again every minute or so, so fixing that is enough, or"));
        detail.append(refusal.isPresent() ? "" : ":").append(" an operator starts one with POST /api/v1/training-jobs");
        last.ifPresent(job -> {
            extra.put("lastTrainingJob", job);
            detail.append(" (the last one, ")
                    .append(job.get("id"))
                    .append(", ended ")
                    .append(job.get("state"));
            if (job.get("error") != null) {
                detail.append(": ").append(job.get("error"));
            }
            detail.append(')');
        });
        return Problems.unavailable(detail.toString(), RETRY_AFTER_SECONDS, extra);
    }

    /** The newest training job, when it ended without a supernet (failed or cancelled). */
    private java.util.Optional<Map<String, Object>> lastTrainingJob() {
        return jdbc.sql("select id, state, error from training_job where state in ('FAILED', 'CANCELLED')"
                        + " order by created_at desc limit 1")
                .query((rs, row) -> {
                    Map<String, Object> job = new LinkedHashMap<>();
                    job.put("id", rs.getObject(1, UUID.class));
                    job.put("state", rs.getString(2).toLowerCase(java.util.Locale.ROOT));
                    job.put("error", rs.getString(3));
                    job.put("url", "/api/v1/training-jobs/" + rs.getObject(1, UUID.class));
                    return job;
                })
                .optional();
    }

    /** The 503 for a supernet whose catalogue is too small to fit a predictor on. */
    RuntimeException catalogueNotReady(UUID supernetId, PredictorStore predictors) {
        SupernetState state =
                supernets.findById(supernetId).map(Supernet::getState).orElse(SupernetState.READY);
        if (state == SupernetState.FAILED) {
            // a failed supernet gets no catalogue build (409): "start a build" would send the caller round in circles
            return Problems.conflict(
                    "supernet " + supernetId + " failed: its training run ended without it, so it gets no"
                            + " catalogue or predictor; use a ready one (GET /api/v1/supernets)",
                    "supernetId");
        }
        if (state == SupernetState.TRAINING) {
            return Problems.unavailable(
                    "supernet " + supernetId + " is not trained yet: the training run under trainingJob must finish,"
                            + " then its catalogue is built",
                    RETRY_AFTER_SECONDS,
                    training(supernetId));
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("catalogueRows", predictors.catalogueRows(supernetId));
        extra.put("rowsNeeded", predictors.minRows());
        builds.unfinished(supernetId).ifPresent(build -> {
            Map<String, Object> progress = new LinkedHashMap<>();
            progress.put("id", build.id());
            progress.put("state", build.state().wireName());
            progress.put("done", build.done());
            progress.put("subnets", build.subnets());
            progress.put("url", "/api/v1/supernets/" + supernetId + "/catalogue-builds/" + build.id());
            extra.put("catalogueBuild", progress);
        });
        return Problems.unavailable(
                "the catalogue of supernet " + supernetId + " is still being built: the accuracy predictor needs "
                        + predictors.minRows() + " evaluated subnets"
                        + (extra.containsKey("catalogueBuild")
                                ? ""
                                : "; start a build with POST /api/v1/supernets/" + supernetId + "/catalogue-builds"),
                RETRY_AFTER_SECONDS,
                extra);
    }

    /** The training job that runs now (else the next one queued), with its progress, for a 503 body. */
    private Map<String, Object> training() {
        return training(null);
    }

    /** As {@link #training()}, of the run that trains {@code supernetId} when one is named. */
    private Map<String, Object> training(UUID supernetId) {
        Map<String, Object> extra = new LinkedHashMap<>();
        jdbc.sql("select id, state, progress::text from training_job where state in ('QUEUED', 'RUNNING')"
                        + " and (cast(:supernet as uuid) is null or supernet_id = :supernet)"
                        + " order by state = 'RUNNING' desc, created_at limit 1")
                .param("supernet", supernetId)
                .query((rs, row) -> {
                    Map<String, Object> job = new LinkedHashMap<>();
                    job.put("id", rs.getObject(1, UUID.class));
                    job.put("state", rs.getString(2).toLowerCase(java.util.Locale.ROOT));
                    String progress = rs.getString(3);
                    if (progress != null) {
                        job.put("progress", JSON.readValue(progress, Map.class));
                    }
                    job.put("url", "/api/v1/training-jobs/" + rs.getObject(1, UUID.class));
                    return job;
                })
                .optional()
                .ifPresent(job -> extra.put("trainingJob", job));
        return extra;
    }
}
