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
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.PropertyCustomizer;
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

    /**
     * Budgets whose limit must lie above 0: swagger-core takes an annotation's
     * {@code exclusiveMinimumValue = 0} for "unset" and drops {@code exclusiveMinimum = true} in
     * OpenAPI 3.1, so without this the spec would accept the 0 that the server refuses.
     */
    @Bean
    OpenApiCustomizer exclusiveMinimums() {
        return openApi -> {
            Schema<?> request = openApi.getComponents() == null
                    ? null
                    : openApi.getComponents().getSchemas().get("SpecializationRequest");
            if (request == null || request.getProperties() == null) {
                return;
            }
            for (String field : List.of("latencyMs", "minAccuracy")) {
                Schema<?> property = request.getProperties().get(field);
                if (property != null) {
                    property.setMinimum(null);
                    property.setExclusiveMinimumValue(java.math.BigDecimal.ZERO);
                }
            }
        };
    }

    /**
     * A server-sent event stream is text, not the JSON object springdoc derives from the handler's
     * SseEmitter (a {@code timeout} property no client ever sees): say what it is, and drop that schema.
     */
    @Bean
    OpenApiCustomizer eventStreams() {
        return openApi -> {
            if (openApi.getPaths() == null) {
                return;
            }
            openApi.getPaths().values().stream()
                    .flatMap(path -> path.readOperations().stream())
                    .flatMap(operation -> operation.getResponses().values().stream())
                    .filter(response -> response.getContent() != null)
                    .map(response ->
                            response.getContent().get(org.springframework.http.MediaType.TEXT_EVENT_STREAM_VALUE))
                    .filter(java.util.Objects::nonNull)
                    .forEach(media -> media.setSchema(new StringSchema()
                            .description("Server-sent events (text/event-stream): each event's data is one JSON"
                                    + " document, the resource as its GET returns it")));
            if (openApi.getComponents() != null && openApi.getComponents().getSchemas() != null) {
                openApi.getComponents().getSchemas().remove("SseEmitter");
            }
        };
    }

    private static final String MAY_BE_NULL = "x-tailor-may-be-null";

    /**
     * A response field of a reference type may be sent as null (the descriptions say when); the
     * generator leaves that out, so a client generated from the spec would refuse such a body. This
     * marks every property whose Java type is not primitive, and {@link #nullableResponseFields}
     * turns the mark into OpenAPI 3.1's {@code "null"} type on response schemas.
     */
    @Bean
    PropertyCustomizer markReferenceTypedProperties() {
        return (property, type) -> {
            if (property != null && !primitive(type.getType())) {
                property.addExtension(MAY_BE_NULL, true);
            }
            return property;
        };
    }

    private static boolean primitive(java.lang.reflect.Type type) {
        if (type instanceof Class<?> c) {
            return c.isPrimitive();
        }
        return type instanceof com.fasterxml.jackson.databind.JavaType javaType && javaType.isPrimitive();
    }

    /**
     * Request bodies keep their plain types (an absent field and a null one mean the same there,
     * and the bad-input sweep generates values from them); response fields that may be null say so.
     */
    @Bean
    OpenApiCustomizer nullableResponseFields() {
        return openApi -> {
            if (openApi.getComponents() == null || openApi.getComponents().getSchemas() == null) {
                return;
            }
            java.util.Set<String> requests = new java.util.HashSet<>();
            openApi.getPaths().values().stream()
                    .flatMap(path -> path.readOperations().stream())
                    .filter(operation -> operation.getRequestBody() != null
                            && operation.getRequestBody().getContent() != null)
                    .flatMap(operation -> operation.getRequestBody().getContent().values().stream())
                    .filter(media ->
                            media.getSchema() != null && media.getSchema().get$ref() != null)
                    .forEach(media -> requests.add(media.getSchema()
                            .get$ref()
                            .substring(media.getSchema().get$ref().lastIndexOf('/') + 1)));
            openApi.getComponents().getSchemas().forEach((name, schema) -> markNullable(name, schema, requests));
        };
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void markNullable(String name, Schema schema, java.util.Set<String> requests) {
        Map<String, Schema> properties = schema.getProperties();
        if (properties == null) {
            return;
        }
        Map<String, Schema> marked = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Schema> entry : properties.entrySet()) {
            Schema property = entry.getValue();
            boolean mayBeNull =
                    property.getExtensions() != null && property.getExtensions().remove(MAY_BE_NULL) != null;
            if (property.getExtensions() != null && property.getExtensions().isEmpty()) {
                property.setExtensions(null);
            }
            marked.put(entry.getKey(), mayBeNull && !requests.contains(name) ? orNull(property) : property);
        }
        schema.setProperties(marked);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Schema orNull(Schema property) {
        if (property.get$ref() != null) {
            // a reference: either the referred schema or null, the description kept beside them
            Schema reference = new Schema<>().$ref(property.get$ref());
            Schema either = new Schema<>().anyOf(List.of(reference, new Schema<>().types(java.util.Set.of("null"))));
            either.setDescription(property.getDescription());
            return either;
        }
        java.util.Set<String> types = new java.util.LinkedHashSet<>();
        if (property.getTypes() != null) {
            types.addAll(property.getTypes());
        } else if (property.getType() != null) {
            types.add(property.getType());
        }
        if (types.isEmpty()) {
            return property;
        }
        types.add("null");
        property.setTypes(types);
        if (property.getEnum() != null && !property.getEnum().contains(null)) {
            property.addEnumItemObject(null);
        }
        return property;
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
