package dev.tailor.db;

import com.zaxxer.hikari.HikariDataSource;
import dev.tailor.TailorProperties;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * With no {@code spring.datasource.url} (env {@code SPRING_DATASOURCE_URL}) Tailor runs its own
 * PostgreSQL under {@code TAILOR_HOME}; with one, Spring Boot's own data source is used.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedPostgresConfiguration.NoDatasourceUrl.class)
class EmbeddedPostgresConfiguration {

    @Bean(destroyMethod = "close")
    EmbeddedPostgresServer embeddedPostgresServer(TailorProperties properties) {
        return EmbeddedPostgresServer.acquire(properties.postgresDataDirectory());
    }

    @Bean
    DataSource dataSource(
            EmbeddedPostgresServer server,
            @org.springframework.beans.factory.annotation.Value("${spring.datasource.hikari.connection-timeout:5000}")
                    long connectionTimeoutMillis) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(server.jdbcUrl());
        dataSource.setUsername("postgres");
        dataSource.setPoolName("tailor-embedded");
        dataSource.setMaximumPoolSize(10);
        // a request waits this long for a connection, then is answered 503 (not 30 s, Hikari's default)
        dataSource.setConnectionTimeout(connectionTimeoutMillis);
        return dataSource;
    }

    static final class NoDatasourceUrl implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !StringUtils.hasText(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }
}
