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
}
