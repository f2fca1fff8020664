package dev.tailor.specialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.mock;

import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.jobs.BootstrapOutcome;
import dev.tailor.jobs.CatalogueBuilds;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.ErrorResponseException;

/** The 503 of a catalogue without a supernet says whether one is coming, and what to do when none is. */
class ServingSupernetsTest {

    /** No supernet, no training job of any kind: what every query of this database answers. */
    private final JdbcClient empty = mock(JdbcClient.class, RETURNS_DEEP_STUBS);

    private final BootstrapOutcome bootstrap = new BootstrapOutcome();

    private ServingSupernets serving() {
        return new ServingSupernets(mock(SupernetRepository.class), mock(CatalogueBuilds.class), bootstrap, empty, 50);
    }

    @Test
    void aBootstrapThatQueuedNothingIsNamedInsteadOfPromisingARun() {
        bootstrap.refused("dataset: no dataset directory /usr/share/datasets/fashion-mnist");

        assertThatThrownBy(() -> serving().resolve(null)).isInstanceOfSatisfying(ErrorResponseException.class, e -> {
            assertThat(e.getStatusCode().value()).isEqualTo(503);
            assertThat(e.getBody().getDetail())
                    .contains("no training run is queued or running")
                    .contains("could not queue its first run (dataset: no dataset directory")
                    .contains("POST /api/v1/training-jobs")
                    .doesNotContain("queues one by itself");
            // no extra member at all: Spring leaves the properties null then
            assertThat(java.util.Objects.requireNonNullElse(
                            e.getBody().getProperties(), java.util.Map.<String, Object>of()))
                    .doesNotContainKey("trainingJob");
        });
    }

    @Test
    void withNothingQueuedAndNoBootstrapRefusalItSaysWhoCanStartARun() {
        assertThatThrownBy(() -> serving().resolve(null))
                .isInstanceOfSatisfying(
                        ErrorResponseException.class,
                        e -> assertThat(e.getBody().getDetail())
                                .isEqualTo(
                                        "no trained supernet yet, and no training run is queued or running: an operator"
                                                + " starts one with POST /api/v1/training-jobs"));
    }

    @Test
    void aPinnedSupernetThatFailedIsAConflictNotAWaitThatNeverEnds() {
        SupernetRepository supernets = mock(SupernetRepository.class);
        dev.tailor.catalogue.Supernet failed = new dev.tailor.catalogue.Supernet("broken", "{}", "fashion-mnist");
        failed.markFailed();
        java.util.UUID id = java.util.UUID.randomUUID();
        org.mockito.Mockito.when(supernets.findById(id)).thenReturn(java.util.Optional.of(failed));
        ServingSupernets serving = new ServingSupernets(supernets, mock(CatalogueBuilds.class), bootstrap, empty, 50);

        assertThatThrownBy(() -> serving.resolve(id)).isInstanceOfSatisfying(ErrorResponseException.class, e -> {
            assertThat(e.getStatusCode().value()).isEqualTo(409);
            assertThat(e.getHeaders().getFirst("Retry-After")).isNull();
            assertThat(e.getBody().getDetail()).contains("failed").contains("GET /api/v1/supernets");
        });
        // its predictor: not "start a catalogue build", which a failed supernet is refused
        assertThat(serving.catalogueNotReady(id, mock(PredictorStore.class)))
                .isInstanceOfSatisfying(ErrorResponseException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(409);
                    assertThat(e.getBody().getDetail()).doesNotContain("catalogue-builds");
                });
    }
}
