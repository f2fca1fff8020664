package dev.tailor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one flag parser every verb uses. */
class CliFlagsTest {

    private static final Set<String> KNOWN = Set.of("epochs", "lr", "o", "once");
    private static final Set<String> SWITCHES = Set.of("once");

    private static Map<String, String> parse(String... args) {
        return CliFlags.parse(args, KNOWN, SWITCHES);
    }

    @Test
    void valuesComeSpacedOrAfterAnEqualsSignAndSwitchesStandAlone() {
        assertThat(parse("--epochs", "3", "--lr=0.1", "-o", "model.onnx", "--once"))
                .containsExactly(
                        Map.entry("epochs", "3"),
                        Map.entry("lr", "0.1"),
                        Map.entry("o", "model.onnx"),
                        Map.entry("once", "true"));
        assertThat(parse("--lr", "-1")).containsEntry("lr", "-1");
        assertThat(parse("--lr=")).containsEntry("lr", "");
    }

    @Test
    void springsOwnOptionsPassThrough() {
        assertThat(parse("--tailor.home=/tmp/x", "--server.port=0", "--spring.main.banner-mode=off", "--epochs", "2"))
                .containsExactly(Map.entry("epochs", "2"));
    }

    @Test
    void everyMistakeNamesItsFlag() {
        assertThatThrownBy(() -> parse("--colour", "blue")).hasMessage("unknown flag --colour");
        assertThatThrownBy(() -> parse("three")).hasMessage("unexpected argument 'three'");
        assertThatThrownBy(() -> parse("--epochs")).hasMessage("--epochs needs a value");
        assertThatThrownBy(() -> parse("--epochs", "--lr", "0.1")).hasMessage("--epochs needs a value");
        assertThatThrownBy(() -> parse("--epochs=2", "--epochs", "3")).hasMessage("--epochs is given twice");
        assertThatThrownBy(() -> parse("--once=yes")).hasMessage("--once takes no value");
    }
}
