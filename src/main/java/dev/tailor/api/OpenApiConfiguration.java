package dev.tailor.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The served spec must equal {@code api-spec/openapi.yaml}, so nothing in it may depend on the host. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI tailorOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Tailor API")
                        .version("v1")
                        .description("Once-for-all supernet training, a catalogue of subnets with measured"
                                + " accuracy, cost and per-device latency, and hardware-aware specialization."
                                + " Errors are RFC 9457 problem details (application/problem+json).")
                        .license(new License().name("Apache-2.0")))
                .servers(List.of(new Server().url("/").description("this server")));
    }

    /**
     * Every operation can answer with a problem body; say so once for all of them, and define the
     * schema they refer to here: springdoc replaces the components' schemas with the ones it
     * generates, so a schema set on the OpenAPI bean above would be dropped.
     */
    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> {
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSchemas("Problem", problemSchema());
            openApi.getPaths().values().stream()
                    .flatMap(path -> path.readOperations().stream())
                    .forEach(operation -> operation
                            .getResponses()
                            .addApiResponse("4XX", problemResponse("The request is invalid; the body names the field"))
                            .addApiResponse("5XX", problemResponse("The server failed; the body names the incident")));
        };
    }

    private static ApiResponse problemResponse(String description) {
        return new ApiResponse()
                .description(description)
                .content(new Content()
                        .addMediaType(
                                "application/problem+json",
                                new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))));
    }

    private static Schema<?> problemSchema() {
        Schema<?> fieldError = new ObjectSchema()
                .addProperty("field", new StringSchema().description("The request field at fault, e.g. peakGflops"))
                .addProperty("message", new StringSchema().description("What is wrong and what is allowed"));
        return new ObjectSchema()
                .description("RFC 9457 problem details")
                .addProperty("type", new StringSchema().format("uri"))
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema().format("uri-reference"))
                .addProperty("errors", new ArraySchema().items(fieldError));
    }
}
