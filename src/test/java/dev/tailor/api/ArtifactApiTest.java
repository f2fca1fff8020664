package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class ArtifactApiTest extends ApiTestSupport {

    @Autowired
    ArtifactRepository artifacts;

    @Autowired
    org.springframework.transaction.support.TransactionTemplate transactions;

    private Artifact stored() {
        byte[] content = ("model bytes " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        return artifacts.save(Artifact.of(content, "application/onnx"));
    }

    private static HttpResponse<byte[]> fetch(HttpRequest request) throws Exception {
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void downloadCarriesTheBytesAndTheirHashAsETag() throws Exception {
        Artifact artifact = stored();
        HttpResponse<byte[]> response = fetch(HttpRequest.newBuilder(uri("/api/v1/artifacts/" + artifact.getSha256()))
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(artifact.getContent());
        assertThat(Artifact.sha256(response.body())).isEqualTo(artifact.getSha256());
        assertThat(response.headers().firstValue("ETag")).contains('"' + artifact.getSha256() + '"');
        assertThat(response.headers().firstValue("Content-Type")).contains("application/onnx");
    }

    @Test
    void matchingIfNoneMatchGetsNotModifiedWithoutBody() throws Exception {
        Artifact artifact = stored();
        HttpResponse<byte[]> response = fetch(HttpRequest.newBuilder(uri("/api/v1/artifacts/" + artifact.getSha256()))
                .header("If-None-Match", '"' + artifact.getSha256() + '"')
                .build());

        assertThat(response.statusCode()).isEqualTo(304);
        assertThat(response.body()).isEmpty();
        assertThat(SpecSchemas.responseViolations(
                        "getArtifact",
                        response.statusCode(),
                        response.headers().firstValue("Content-Type").orElse(null),
                        ""))
                .isEmpty();
        assertThat(response.headers().firstValue("ETag")).contains('"' + artifact.getSha256() + '"');
        // what a 200 would have said, repeated: a cache keeps the copy it just revalidated as long again
        assertThat(response.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(
                        cache -> assertThat(cache).contains("max-age=31536000").contains("immutable"));
    }

    @Test
    void staleIfNoneMatchGetsTheBytes() throws Exception {
        Artifact artifact = stored();
        HttpResponse<byte[]> response = fetch(HttpRequest.newBuilder(uri("/api/v1/artifacts/" + artifact.getSha256()))
                .header("If-None-Match", "\"" + "0".repeat(64) + "\"")
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(artifact.getContent());
    }

    @Test
    void upperCaseHashFindsTheSameArtifact() throws Exception {
        Artifact artifact = stored();
        HttpResponse<byte[]> response = fetch(HttpRequest.newBuilder(
                        uri("/api/v1/artifacts/" + artifact.getSha256().toUpperCase()))
                .build());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void aHeadCarriesTheDownloadsHeadersAndNoBody() throws Exception {
        Artifact artifact = stored();
        HttpResponse<byte[]> response = fetch(HttpRequest.newBuilder(uri("/api/v1/artifacts/" + artifact.getSha256()))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("Content-Length"))
                .contains(String.valueOf(artifact.getContent().length));
        assertThat(response.headers().firstValue("ETag")).contains('"' + artifact.getSha256() + '"');
        assertThat(response.headers().firstValue("Content-Type")).contains("application/onnx");
        assertThat(fetch(HttpRequest.newBuilder(uri("/api/v1/artifacts/" + "0".repeat(64)))
                                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                .build())
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void aRangeGetsThoseBytesSoAnInterruptedDownloadCanGoOn() throws Exception {
        Artifact artifact = stored();
        byte[] all = artifact.getContent();
        HttpResponse<byte[]> response = fetch(HttpRequest.newBuilder(uri("/api/v1/artifacts/" + artifact.getSha256()))
                .header("Range", "bytes=2-5")
                .build());

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(java.util.Arrays.copyOfRange(all, 2, 6));
        assertThat(response.headers().firstValue("Content-Range")).contains("bytes 2-5/" + all.length);
        assertThat(response.headers().firstValue("Content-Length")).contains("4");
        assertThat(response.headers().firstValue("ETag")).contains('"' + artifact.getSha256() + '"');

        HttpResponse<byte[]> rest = fetch(HttpRequest.newBuilder(uri("/api/v1/artifacts/" + artifact.getSha256()))
                .header("Range", "bytes=6-")
                .build());
        assertThat(rest.statusCode()).isEqualTo(206);
        assertThat(rest.body()).isEqualTo(java.util.Arrays.copyOfRange(all, 6, all.length));
    }

    @Test
    void aRangeOutsideTheArtifactIsNotSatisfiableAndSaysItsLength() throws Exception {
        Artifact artifact = stored();
        int length = artifact.getContent().length;
        for (String range : new String[] {"bytes=" + (length + 10) + "-" + (length + 20), "bytes=abc"}) {
            HttpResponse<byte[]> response =
                    fetch(HttpRequest.newBuilder(uri("/api/v1/artifacts/" + artifact.getSha256()))
                            .header("Range", range)
                            .build());

            assertThat(response.statusCode()).as(range).isEqualTo(416);
            assertThat(response.headers().firstValue("Content-Range")).contains("bytes */" + length);
            String body = new String(response.body(), StandardCharsets.UTF_8);
            // a problem naming the header and the extent, not the artifact's bytes under a 416
            assertThat(body).contains("\"field\":\"Range\"").contains(length + " bytes");
            assertThat(SpecSchemas.responseViolations(
                            "getArtifact",
                            416,
                            response.headers().firstValue("Content-Type").orElse(null),
                            body))
                    .isEmpty();
        }
    }

    @Test
    void anIfRangeNamingAnotherVersionGetsTheWholeArtifact() throws Exception {
        Artifact artifact = stored();
        String path = "/api/v1/artifacts/" + artifact.getSha256();
        HttpResponse<byte[]> other = fetch(HttpRequest.newBuilder(uri(path))
                .header("Range", "bytes=2-5")
                .header("If-Range", "\"" + "0".repeat(64) + "\"")
                .build());
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.body()).isEqualTo(artifact.getContent());

        HttpResponse<byte[]> same = fetch(HttpRequest.newBuilder(uri(path))
                .header("Range", "bytes=2-5")
                .header("If-Range", '"' + artifact.getSha256() + '"')
                .build());
        assertThat(same.statusCode()).isEqualTo(206);
        assertThat(same.body()).isEqualTo(java.util.Arrays.copyOfRange(artifact.getContent(), 2, 6));
    }

    @Test
    void downloadsAndHeadsSayRangesAreAccepted() throws Exception {
        Artifact artifact = stored();
        for (String method : new String[] {"GET", "HEAD"}) {
            HttpResponse<byte[]> response =
                    fetch(HttpRequest.newBuilder(uri("/api/v1/artifacts/" + artifact.getSha256()))
                            .method(method, HttpRequest.BodyPublishers.noBody())
                            .build());
            assertThat(response.headers().firstValue("Accept-Ranges"))
                    .as(method)
                    .contains("bytes");
        }
    }

    @Test
    void twoTransactionsStoringTheSameContentAtOnceBothSucceed() throws Exception {
        // two agents pulling their first tasks at once store the same layer models: the later one
        // used to fail on the primary key (a 409 that ended the agent)
        Artifact artifact =
                Artifact.of(("layer model " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8), "application/onnx");
        java.util.concurrent.CountDownLatch firstStored = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch secondStarted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> transactions.executeWithoutResult(status -> {
                artifacts.storeIfAbsent(artifact);
                firstStored.countDown();
                try {
                    // still uncommitted while the second one stores the same bytes
                    secondStarted.await();
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            firstStored.await();
            var second = pool.submit(() -> transactions.executeWithoutResult(status -> {
                secondStarted.countDown();
                artifacts.storeIfAbsent(artifact);
            }));
            first.get(30, java.util.concurrent.TimeUnit.SECONDS);
            second.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(artifacts.findById(artifact.getSha256()))
                .hasValueSatisfying(stored -> assertThat(stored.getContent()).isEqualTo(artifact.getContent()));
    }
}
