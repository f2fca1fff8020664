package dev.tailor.catalogue;

import dev.tailor.api.Problems;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes a supernet with its catalogue (subnets, evaluations, costs, latencies), catalogue builds,
 * predictors and served specializations, and the artifacts only they referred to (checkpoint, ONNX
 * models, predictor files): the catalogue database is where artifacts live, so this is how its disk
 * is given back. Training jobs stay as history, with their supernet and checkpoint cleared. Work on
 * the supernet under way is a 409: a queued or running training job or catalogue build (cancel it
 * first). All in one transaction: a failure deletes nothing.
 */
@Service
public class SupernetDeletion {

    private static final Logger log = LoggerFactory.getLogger(SupernetDeletion.class);

    private final JdbcClient jdbc;
    private final ArtifactRepository artifacts;
    private final TransactionTemplate transactions;

    SupernetDeletion(JdbcClient jdbc, ArtifactRepository artifacts, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.artifacts = artifacts;
        this.transactions = transactions;
    }

    /** What went: the artifacts deleted with the supernet (those still referred to elsewhere stay). */
    public record Deleted(int subnets, int artifacts) {}

    public Deleted delete(UUID id) {
        return transactions.execute(status -> {
            // the row locked: an export or registration adding subnets to it waits, then finds it gone
            jdbc.sql("select id from supernet where id = ? for update")
                    .param(id)
                    .query(UUID.class)
                    .optional()
                    .orElseThrow(() ->
                            Problems.notFound("Supernet", "no supernet " + id + "; GET /api/v1/supernets lists them"));
            // the lock a catalogue build holds on the supernet while it runs (jobs' AdvisoryLock key)
            boolean free = jdbc.sql("select pg_try_advisory_xact_lock(:key)")
                    .param("key", id.getMostSignificantBits() ^ id.getLeastSignificantBits())
                    .query(Boolean.class)
                    .single();
            refuseWhileWorkIsUnderWay(id, free);
            Set<String> referred = new LinkedHashSet<>();
            referred.addAll(shas("select checkpoint_sha256 from supernet where id = ?", id));
            referred.addAll(shas("select last_checkpoint from training_job where supernet_id = ?", id));
            referred.addAll(shas("select onnx_sha256 from subnet where supernet_id = ?", id));
            referred.addAll(shas("select artifact_sha256 from accuracy_predictor where supernet_id = ?", id));
            referred.addAll(shas("select onnx_sha256 from specialization where supernet_id = ?", id));
            int subnets = jdbc.sql("select count(*) from subnet where supernet_id = ?")
                    .param(id)
                    .query(Integer.class)
                    .single();
            jdbc.sql("update training_job set supernet_id = null, last_checkpoint = null, updated_at = now()"
                            + " where supernet_id = ?")
                    .param(id)
                    .update();
            jdbc.sql("delete from supernet where id = ?").param(id).update();
            int deleted = 0;
            for (String sha : referred) {
                deleted += artifacts.deleteUnreferenced(sha);
            }
            log.info("Supernet {} deleted: {} subnets, {} artifacts", id, subnets, deleted);
            return new Deleted(subnets, deleted);
        });
    }

    private void refuseWhileWorkIsUnderWay(UUID id, boolean buildLockFree) {
        jdbc.sql("select id, state from training_job where supernet_id = ? and state in ('QUEUED', 'RUNNING')"
                        + " order by created_at limit 1")
                .param(id)
                .query((rs, row) -> rs.getString(1) + " is " + rs.getString(2).toLowerCase(Locale.ROOT))
                .optional()
                .ifPresent(job -> {
                    throw Problems.conflict(
                            "training job " + job + "; cancel it first (POST /api/v1/training-jobs/{id}/cancel)", "id");
                });
        jdbc.sql("select id, state from catalogue_build where supernet_id = ? and state in ('QUEUED', 'RUNNING')"
                        + " order by created_at limit 1")
                .param(id)
                .query((rs, row) -> rs.getString(1) + " is " + rs.getString(2).toLowerCase(Locale.ROOT))
                .optional()
                .ifPresent(build -> {
                    throw Problems.conflict(
                            "catalogue build " + build + "; cancel it first (POST /api/v1/supernets/" + id
                                    + "/catalogue-builds/{buildId}/cancel)",
                            "id");
                });
        if (!buildLockFree) {
            throw Problems.conflict(
                    "a catalogue build of supernet " + id + " is still running (stopping after a cancel?);"
                            + " try again in a few seconds",
                    "id");
        }
    }

    private java.util.List<String> shas(String sql, UUID id) {
        return jdbc.sql(sql).param(id).query(String.class).list().stream()
                .filter(java.util.Objects::nonNull)
                .toList();
    }
}
