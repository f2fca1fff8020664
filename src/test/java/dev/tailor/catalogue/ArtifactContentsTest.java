package dev.tailor.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ArtifactContentsTest {

    private final ArtifactRepository repository = mock(ArtifactRepository.class);
    private final ArtifactContents contents = new ArtifactContents(repository);

    @Test
    void modelsAreReadOnceAndCheckpointsEveryTime() {
        Artifact model = Artifact.of(new byte[] {1, 2, 3}, "application/vnd.onnx");
        Artifact checkpoint = Artifact.of(new byte[] {4, 5, 6}, "application/vnd.tailor.checkpoint+zip");
        when(repository.findById(model.getSha256())).thenReturn(Optional.of(model));
        when(repository.findById(checkpoint.getSha256())).thenReturn(Optional.of(checkpoint));

        for (int i = 0; i < 3; i++) {
            assertThat(contents.content(model.getSha256(), "application/vnd.onnx"))
                    .contains(new byte[] {1, 2, 3});
            assertThat(contents.content(checkpoint.getSha256(), "application/vnd.tailor.checkpoint+zip"))
                    .contains(new byte[] {4, 5, 6});
        }
        verify(repository, times(1)).findById(model.getSha256());
        verify(repository, times(3)).findById(checkpoint.getSha256());
    }

    @Test
    void aRotatedCheckpointIsGoneAtOnce() {
        Artifact checkpoint = Artifact.of(new byte[] {7}, "application/vnd.tailor.checkpoint+zip");
        when(repository.findById(checkpoint.getSha256()))
                .thenReturn(Optional.of(checkpoint))
                .thenReturn(Optional.empty());
        assertThat(contents.content(checkpoint.getSha256(), checkpoint.getMediaType()))
                .isPresent();
        assertThat(contents.content(checkpoint.getSha256(), checkpoint.getMediaType()))
                .isEmpty();
    }
}
