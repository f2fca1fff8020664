package dev.tailor.security;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

@Schema(description = "A key to create.")
record ApiKeyRequest(
        @Schema(example = "ci-pipeline") @NotBlank @Pattern(regexp = NAME_PATTERN, message = "must be " + NAME_RULE)
        String name,

        @Schema(description = "viewer: reads and specializations; operator: everything; agent: one device's tasks")
        @NotNull
        Role role,

        @Schema(description = "for an agent key: the device it is bound to", example = "jetson-nano")
        @Pattern(regexp = "^[a-z0-9][a-z0-9._-]{0,63}$", message = "must be a device name such as jetson-nano")
        String device) {

    static final String NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";
    static final String NAME_RULE =
            "letters, digits, '.', '_' or '-', starting with a letter or digit, at most 64 characters (e.g. ci-pipeline)";
}
