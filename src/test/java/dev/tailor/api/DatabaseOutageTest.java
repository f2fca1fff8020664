package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.db.DatabaseSwitch;
import dev.tailor.security.TestKeys;
import java.net.http.HttpResponse;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The database stops taking connections while the service runs (as an external PostgreSQL being
 * restarted does): requests get 503 with Retry-After meanwhile, not 500, whether the database was
 * needed to check a key or to answer; nothing is half-written; once it takes connections again the
 * service answers without a restart.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.worker.enabled=false",
            "spring.datasource.hikari.connection-timeout=1500",
            "tailor.test.context=database-outage"
        })
class DatabaseOutageTest extends ApiTestSupport {

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Test
    void requestsGet503WhileTheDatabaseIsAwayAndTheServiceRecoversWithoutARestart() throws Exception {
        assertThat(get("/api/v1/supernets").statusCode()).isEqualTo(200);
        long devices = jdbc.sql("select count(*) from device").query(Long.class).single();
        try {
            DatabaseSwitch.refuseConnections(dataSource);

            for (HttpResponse<String> during : java.util.List.of(
                    get("/api/v1/supernets"),
                    getAs(TestKeys.OPERATOR, "/api/v1/devices"),
                    postJson("/api/v1/devices", "{\"name\":\"during-outage\"}"),
                    postJsonAs(null, "/api/v1/specializations", "{\"device\":\"host-cpu\",\"latencyMs\":1}"))) {
                problem(during, 503);
                assertThat(during.headers().firstValue("Retry-After"))
                        .as(during.body())
                        .isPresent();
            }
        } finally {
            DatabaseSwitch.allowConnections(dataSource);
        }

        long deadline = System.nanoTime() + 20_000_000_000L;
        int status;
        do {
            status = get("/api/v1/supernets").statusCode();
        } while (status != 200 && System.nanoTime() < deadline);
        assertThat(status).as("answers again without a restart").isEqualTo(200);
        assertThat(jdbc.sql("select count(*) from device").query(Long.class).single())
                .isEqualTo(devices);
        assertThat(postJson(
                                "/api/v1/devices",
                                "{\"name\":\"after-"
                                        + UUID.randomUUID().toString().substring(0, 8) + "\"}")
                        .statusCode())
                .isEqualTo(201);
    }

    /** The problem check of {@link ApiTestSupport}, reachable from the loop above. */
    private static final class JsonAssertions {
        static void problem(ApiTestSupport test, HttpResponse<String> response, int status) {
            test.problem(response, status);
        }
    }
}
