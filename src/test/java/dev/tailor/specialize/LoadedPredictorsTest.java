package dev.tailor.specialize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LoadedPredictorsTest {

    @Test
    void onlyTheSupernetsAskedForMostRecentlyKeepTheirPredictorInMemory() {
        LoadedPredictors loaded = new LoadedPredictors();
        List<UUID> supernets = new ArrayList<>();
        for (int i = 0; i <= LoadedPredictors.MAX_SUPERNETS; i++) {
            UUID id = UUID.randomUUID();
            supernets.add(id);
            loaded.put(id, new PredictorStore.Loaded(null, null));
            // the first one is asked for all along: it stays
            assertThat(loaded.get(supernets.get(0))).isNotNull();
        }
        assertThat(loaded.size()).isEqualTo(LoadedPredictors.MAX_SUPERNETS);
        assertThat(loaded.get(supernets.get(0))).isNotNull();
        assertThat(loaded.get(supernets.get(1)))
                .as("the one asked for longest ago")
                .isNull();
        assertThat(loaded.get(supernets.get(LoadedPredictors.MAX_SUPERNETS))).isNotNull();
    }
}
