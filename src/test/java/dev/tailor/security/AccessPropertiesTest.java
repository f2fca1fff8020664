package dev.tailor.security;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.junit.jupiter.api.Test;

/** A configured operator key too short to be a secret stops the start with the setting named, not later. */
class AccessPropertiesTest {

    private final Validator validator =
            Validation.buildDefaultValidatorFactory().getValidator();

    @Test
    void aShortOrSpacedOperatorKeyIsRefusedAndNoneOrALongOneIsTaken() {
        assertThat(validator.validate(new AccessProperties(AccessProperties.Reads.OPEN, "short")))
                .singleElement()
                .satisfies(violation -> {
                    assertThat(violation.getPropertyPath().toString()).isEqualTo("operatorKey");
                    assertThat(violation.getMessage()).contains("32 characters").contains("openssl");
                });
        assertThat(validator.validate(
                        new AccessProperties(AccessProperties.Reads.OPEN, "x".repeat(20) + " " + "y".repeat(20))))
                .hasSize(1);
        assertThat(validator.validate(new AccessProperties(AccessProperties.Reads.OPEN, null)))
                .isEmpty();
        assertThat(validator.validate(new AccessProperties(AccessProperties.Reads.OPEN, "")))
                .isEmpty();
        assertThat(validator.validate(new AccessProperties(AccessProperties.Reads.KEYED, TestKeys.OPERATOR)))
                .isEmpty();
    }
}
