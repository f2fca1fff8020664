package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.security.TestKeys;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * DELETE /api/v1/supernets/{id} on catalogue rows written here (a supernet, subnets with ONNX models,
 * a predictor, its training job): everything of the supernet goes, artifacts another supernet still
 * refers to stay, the training job stays as history, and work under way is a 409 that deletes nothing.
 */
class SupernetDeletionTest extends ApiTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aSupernetGoesWithItsCatalogueAndTheArtifactsOnlyItReferredTo() {
        UUID doomed = supernet("FAILED", artifact("checkpoint-a"));
        String sharedModel = artifact("model-shared");
        String ownModel = artifact("model-own");
        subnet(doomed, "1", ownModel);
        subnet(doomed, "2", sharedModel);
        UUID other = supernet("FAILED", null);
        subnet(other, "3", sharedModel);
        String predictor = artifact("predictor");
        jdbc.sql("insert into accuracy_predictor (id, supernet_id, version, artifact_sha256, rows_seen, rows_sha256,"
                        + " report) values (?, ?, 1, ?, 2, ?, '{}'::jsonb)")
                .params(UUID.randomUUID(), doomed, predictor, sha("rows"))
                .update();
        UUID job = UUID.randomUUID();
        String checkpoint = checkpointOf(doomed);
        jdbc.sql("insert into training_job (id, state, schedule, dataset, hyper_parameters, supernet_id,"
                        + " last_checkpoint) values (?, 'SUCCEEDED', 'deps', 'test', '{}'::jsonb, ?, ?)")
                .params(job, doomed, checkpoint)
                .update();

        HttpResponse<String> deleted = delete(TestKeys.OPERATOR, "/api/v1/supernets/" + doomed);

        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
        assertThat(get("/api/v1/supernets/" + doomed).statusCode()).isEqualTo(404);
        assertThat(count("select count(*) from subnet where supernet_id = ?", doomed))
                .isZero();
        assertThat(count("select count(*) from accuracy_predictor where supernet_id = ?", doomed))
                .isZero();
        assertThat(artifactExists(checkpoint)).isFalse();
        assertThat(artifactExists(ownModel)).isFalse();
        assertThat(artifactExists(predictor)).isFalse();
        // still the other supernet's subnet's model
        assertThat(artifactExists(sharedModel)).isTrue();
        JsonNode history = body(get("/api/v1/training-jobs/" + job));
        assertThat(history.path("state").asString()).isEqualTo("succeeded");
        assertThat(history.path("supernetId").isNull()).as(history.toString()).isTrue();
        assertThat(history.path("lastCheckpoint").isNull())
                .as(history.toString())
                .isTrue();

        assertThat(delete(TestKeys.OPERATOR, "/api/v1/supernets/" + doomed).statusCode())
                .isEqualTo(404);
        assertThat(delete(null, "/api/v1/supernets/" + other).statusCode()).isEqualTo(401);
        assertThat(delete(TestKeys.OPERATOR, "/api/v1/supernets/" + other).statusCode())
                .isEqualTo(204);
        assertThat(artifactExists(sharedModel)).isFalse();
    }

    @Test
    void aSupernetWithWorkQueuedIsAConflictAndNothingIsDeleted() {
        UUID busy = supernet("FAILED", artifact("checkpoint-busy"));
        subnet(busy, "4", null);
        UUID build = UUID.randomUUID();
        jdbc.sql("insert into catalogue_build (id, supernet_id, state, subnets, seed) values (?, ?, 'QUEUED', 5, 1)")
                .params(build, busy)
                .update();

        JsonNode problem = problem(delete(TestKeys.OPERATOR, "/api/v1/supernets/" + busy), 409);

        assertThat(problem.path("detail").asString())
                .contains("catalogue build " + build)
                .contains("cancel it first");
        assertThat(count("select count(*) from supernet where id = ?", busy)).isEqualTo(1);
        assertThat(count("select count(*) from subnet where supernet_id = ?", busy))
                .isEqualTo(1);
        assertThat(artifactExists(checkpointOf(busy))).isTrue();

        jdbc.sql("update catalogue_build set state = 'CANCELLED' where id = ?")
                .param(build)
                .update();
        assertThat(delete(TestKeys.OPERATOR, "/api/v1/supernets/" + busy).statusCode())
                .isEqualTo(204);
    }

    private HttpResponse<String> delete(String key, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).DELETE();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return send(request.build());
    }

    private UUID supernet(String state, String checkpoint) {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into supernet (id, name, space_spec, dataset, checkpoint_sha256, state)"
                        + " values (?, 'deletion-test', '{}'::jsonb, 'test', ?, ?)")
                .params(id, checkpoint, state)
                .update();
        return id;
    }

    private String checkpointOf(UUID supernet) {
        return jdbc.sql("select checkpoint_sha256 from supernet where id = ?")
                .param(supernet)
                .query(String.class)
                .single();
    }

    private void subnet(UUID supernet, String config, String onnx) {
        jdbc.sql("insert into subnet (supernet_id, config, config_sha256, onnx_sha256) values (?, ?::jsonb, ?, ?)")
                .params(supernet, "{\"n\":" + config + "}", sha(supernet + config), onnx)
                .update();
    }

    private String artifact(String content) {
        String sha = sha(content + UUID.randomUUID());
        jdbc.sql("insert into artifact (sha256, media_type, size_bytes, content) values (?, 'application/test', 1, ?)")
                .params(sha, new byte[] {1})
                .update();
        return sha;
    }

    private boolean artifactExists(String sha) {
        return count("select count(*) from artifact where sha256 = ?", sha) == 1;
    }

    private long count(String sql, Object param) {
        return jdbc.sql(sql).param(param).query(Long.class).single();
    }

    private static String sha(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
