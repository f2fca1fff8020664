package dev.tailor.security;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/**
 * The OpenAPI description says, per operation, what {@link AccessRules} enforces, and offers the
 * bearer key scheme so that Swagger UI's "Authorize" button sends a key. It does not depend on
 * whether this server keeps reads open: the served description equals the checked-in one.
 */
@Configuration(proxyBeanMethods = false)
class AccessDocumentation {

    static final String SCHEME = "apiKey";

    @Bean
    OpenApiCustomizer accessRequirements() {
        return openApi -> {
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents()
                    .addSecuritySchemes(
                            SCHEME,
                            new SecurityScheme()
                                    .type(SecurityScheme.Type.HTTP)
                                    .scheme("bearer")
                                    .description("An API key (tlr_...); " + AccessProblems.HOW_TO_GET_A_KEY + "."));
            openApi.getPaths()
                    .forEach((path, item) -> item.readOperationsMap()
                            .forEach((method, operation) -> document(
                                    operation,
                                    AccessRules.match(HttpMethod.valueOf(method.name()), path)
                                            .access())));
        };
    }

    private static void document(Operation operation, Access access) {
        SecurityRequirement key = new SecurityRequirement().addList(SCHEME);
        switch (access) {
            case OPEN -> operation.setSecurity(List.of(new SecurityRequirement()));
            // an empty requirement first: no key is one way to call it (while reads are open)
            case READ, ARTIFACT -> operation.setSecurity(List.of(new SecurityRequirement(), key));
            case OPERATOR, AGENT_OF_DEVICE -> operation.setSecurity(List.of(key));
        }
        operation.addExtension(
                "x-tailor-access",
                access.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        String needs = "Needs " + access.documented() + ".";
        operation.setDescription(
                operation.getDescription() == null ? needs : operation.getDescription() + "\n\n" + needs);
    }
}
