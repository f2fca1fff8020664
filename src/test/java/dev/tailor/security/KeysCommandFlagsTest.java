package dev.tailor.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The keys verb's own words, checked before anything starts; Spring Boot properties pass through. */
class KeysCommandFlagsTest {

    @Test
    void serverPropertiesPassLikeTheOtherOneShotVerbs() {
        // the README says every one-shot verb takes --server.*; keys refused it ("revoke takes one key id")
        assertThatCode(() -> KeysCommand.checkFlags(new String[] {"revoke", "5", "--server.port=0"}))
                .doesNotThrowAnyException();
        assertThatCode(() -> KeysCommand.checkFlags(
                        new String[] {"--tailor.home=/tmp/x", "create", "--role", "viewer", "--server.port=0"}))
                .doesNotThrowAnyException();
    }

    @Test
    void aMistakeIsStillNamed() {
        assertThatThrownBy(() -> KeysCommand.checkFlags(new String[] {"revoke", "5", "6"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeysCommand.checkFlags(new String[] {"rotate"}))
                .hasMessageContaining("unknown action 'rotate'");
    }
}
