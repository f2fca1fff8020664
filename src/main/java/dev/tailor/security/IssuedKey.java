package dev.tailor.security;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "A new API key. The key is shown here once; the service keeps only its SHA-256.")
public record IssuedKey(
        @Schema(description = "send it as 'Authorization: Bearer KEY'")
        String key,

        ApiKeyView details) {}
