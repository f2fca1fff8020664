package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Prometheus scrapes the request histograms per endpoint and the service's own meters. */
class MetricsTest extends ApiTestSupport {

    @Test
    void theScrapeHasRequestHistogramsPerEndpointAndTheServicesMeters() {
        assertThat(get("/api/v1/supernets").statusCode()).isEqualTo(200);
        HttpResponse<String> scrape = get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body())
                .containsPattern("http_server_requests_seconds_bucket\\{[^}]*uri=\"/api/v1/supernets\"")
                .contains("tailor_catalogue_subnets ")
                .contains("tailor_search_seconds_count")
                .contains("tailor_export_seconds_count")
                .contains("tailor_specializations_total{answer=\"catalogue\"")
                .contains("tailor_training_progress ")
                .contains("tailor_training_images_per_second ")
                .contains("tailor_catalogue_build_progress ")
                .contains("tailor_catalogue_build_subnets_per_minute ");
    }
}
