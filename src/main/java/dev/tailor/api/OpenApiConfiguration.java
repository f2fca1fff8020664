package dev.tailor.api;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
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
}
