package dev.tailor.security;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.OffsetDateTime;

@Schema(description = "An API key as stored: never its secret, only the first characters to tell keys apart.")
public record ApiKeyView(
        long id,
        String name,
        Role role,

        @Schema(description = "the device an agent key is bound to; null for other roles")
        String device,

        @Schema(description = "the key's first characters", example = "tlr_Qm9vQ2xp")
        String prefix,

        @Schema(description = "who created it: a key's name, 'cli', 'first-start' or 'configuration'")
        String createdBy,

        OffsetDateTime createdAt,

        @Schema(description = "when it stopped working; null while it works")
        OffsetDateTime revokedAt) {}
