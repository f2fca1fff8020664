package dev.tailor.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.TailorApplication;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.catalogue.ExecutionProvider;
import dev.tailor.catalogue.Measurement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Real PostgreSQL servers started and stopped, as a user of the service would see them. */
class DatabaseLifecycleTest {

    @TempDir
    Path home;

    private ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(TailorApplication.class)
                .profiles("worker") // no web API needed to reach the catalogue
                .run(Stream.concat(
                                Stream.of(
                                        "--server.port=0", "--tailor.home=" + home, "--tailor.bootstrap.enabled=false"),
                                Stream.of(properties))
                        .toArray(String[]::new));
    }

    private static Device device(String name) {
        return new Device(name, "test", "onnxruntime", ExecutionProvider.CPU, 10.0, 5.0, Measurement.HOST);
    }

    @Test
    void embeddedCatalogueSurvivesARestart() {
        try (ConfigurableApplicationContext first = start()) {
            first.getBean(DeviceRepository.class).save(device("survivor"));
        }
        assertThat(home.resolve("postgres/PG_VERSION")).exists();

        try (ConfigurableApplicationContext second = start()) {
            assertThat(second.getBean(DeviceRepository.class).findByName("survivor"))
                    .hasValueSatisfying(d -> assertThat(d.getPeakGflops()).isEqualTo(10.0));
        }
    }

    @Test
    void withADatasourceUrlNoEmbeddedServerIsStarted() throws Exception {
        Path external = Files.createDirectories(home.resolve("external"));
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.acquire(external.resolve("pg"));
                ConfigurableApplicationContext context =
                        start("--spring.datasource.url=" + server.jdbcUrl(), "--spring.datasource.username=postgres")) {
            assertThat(context.getBeansOfType(EmbeddedPostgresServer.class)).isEmpty();
            assertThat(home.resolve("postgres")).doesNotExist();

            context.getBean(DeviceRepository.class).save(device("on-external"));
            try (var connection = DriverManager.getConnection(server.jdbcUrl(), "postgres", "");
                    ResultSet rs = connection
                            .createStatement()
                            .executeQuery("select count(*) from device where name = 'on-external'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }
}
