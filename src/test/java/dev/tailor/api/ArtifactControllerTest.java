package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.training.Checkpoint;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.context.request.ServletWebRequest;

class ArtifactControllerTest {

    private final ArtifactRepository artifacts = mock(ArtifactRepository.class);
    private final ArtifactController controller =
            new ArtifactController(artifacts, new dev.tailor.catalogue.ArtifactContents(artifacts));

    private static ArtifactRepository.ArtifactHeader header(String sha, String mediaType, long size) {
        return new ArtifactRepository.ArtifactHeader() {
            @Override
            public String getSha256() {
                return sha;
            }

            @Override
            public String getMediaType() {
                return mediaType;
            }

            @Override
            public long getSizeBytes() {
                return size;
            }
        };
    }

    @Test
    void aCheckpointRotatedAwayBetweenHeaderAndBodyIsNotFoundNotAFailure() {
        String sha = "ab".repeat(32);
        when(artifacts.findHeader(sha)).thenReturn(Optional.of(header(sha, "application/octet-stream", 10)));
        when(artifacts.findById(sha)).thenReturn(Optional.empty());

        assertThatThrownBy(() -> controller.get(sha, new ServletWebRequest(new MockHttpServletRequest())))
                .isInstanceOfSatisfying(ErrorResponseException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(404);
                    assertThat(e.getBody().getDetail()).contains("removed while it was being read");
                });
    }

    @Test
    void anOnnxModelDownloadsWithAnOnnxFileName() {
        Artifact model = Artifact.of(new byte[] {1, 2, 3}, OnnxExport.MEDIA_TYPE);
        String sha = model.getSha256();
        when(artifacts.findHeader(sha)).thenReturn(Optional.of(header(sha, OnnxExport.MEDIA_TYPE, 3)));
        when(artifacts.findById(sha)).thenReturn(Optional.of(model));

        var response = controller.get(sha, new ServletWebRequest(new MockHttpServletRequest()));

        assertThat(response.getHeaders().getFirst(HttpHeaders.CONTENT_DISPOSITION))
                .endsWith(".onnx\"");
        assertThat((byte[]) response.getBody()).containsExactly(1, 2, 3);
    }

    @Test
    void aHeadAnswersTheDownloadsHeadersWithoutReadingTheBytes() {
        String sha = "cd".repeat(32);
        when(artifacts.findHeader(sha)).thenReturn(Optional.of(header(sha, Checkpoint.MEDIA_TYPE, 123_456_789L)));

        var response = controller.head(sha, new ServletWebRequest(new MockHttpServletRequest("HEAD", "/")));

        assertThat(response.getStatusCode().value()).isEqualTo(200);
        assertThat(response.getHeaders().getContentLength()).isEqualTo(123_456_789L);
        assertThat(response.getHeaders().getETag()).isEqualTo('"' + sha + '"');
        assertThat(response.getHeaders().getFirst(HttpHeaders.CONTENT_DISPOSITION))
                .endsWith(".zip\"");
        verify(artifacts, never()).findById(sha);
    }

    @Test
    void aHeadWithTheCurrentETagIsNotModified() {
        String sha = "ef".repeat(32);
        when(artifacts.findHeader(sha)).thenReturn(Optional.of(header(sha, OnnxExport.MEDIA_TYPE, 3)));
        MockHttpServletRequest request = new MockHttpServletRequest("HEAD", "/");
        request.addHeader(HttpHeaders.IF_NONE_MATCH, '"' + sha + '"');
        MockHttpServletResponse servletResponse = new MockHttpServletResponse();

        var response = controller.head(sha, new ServletWebRequest(request, servletResponse));

        assertThat(response).isNull();
        assertThat(servletResponse.getStatus()).isEqualTo(304);
        assertThat(servletResponse.getHeader(HttpHeaders.CACHE_CONTROL)).contains("immutable");
        verify(artifacts, never()).findById(sha);
    }
}
