package dev.tailor.export;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExportParityTest {

    @Test
    void aFileWithinBothTolerancesIsKept() {
        assertThatCode(() -> new ExportParity(9e-5f, 1_000, 900, 901).requireReproduced())
                .doesNotThrowAnyException();
    }

    @Test
    void logitsPastTheToleranceRefuseTheFileAndSayByHowMuch() {
        assertThatThrownBy(() -> new ExportParity(2e-4f, 1_000, 900, 900).requireReproduced())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("logits differ by up to 2.00e-04");
    }

    @Test
    void aTop1GapOfMoreThanATenthOfAPointRefusesTheFile() {
        assertThatThrownBy(() -> new ExportParity(1e-6f, 1_000, 900, 902).requireReproduced())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("top-1 on 1000 validation images 0.9000 in ONNX Runtime vs 0.9020 in DJL");
    }
}
