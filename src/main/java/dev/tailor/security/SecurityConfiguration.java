package dev.tailor.security;

import dev.tailor.api.DatabaseOutage;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * One stateless filter chain: API keys in, {@link AccessPolicy} decides. No sessions, cookies or
 * login pages, so no CSRF token either (a key travels in a header a browser never adds by itself).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class SecurityConfiguration {

    /** Spring Security's firewall refuses paths such as {@code /a/../b}; say so in a problem body. */
    @Bean
    RequestRejectedHandler problemOnRejectedRequest(AccessProblems problems) {
        return (request, response, rejected) -> problems.rejected(request, response, rejected.getMessage());
    }

    @Bean
    SecurityFilterChain apiKeyFilterChain(
            HttpSecurity http, ApiKeys keys, AccessPolicy policy, AccessProblems problems, DatabaseOutage outage) {
        return http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new ApiKeyFilter(keys, problems, outage), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> requests
                        // the request that started an async reply or an error page was decided already
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR)
                        .permitAll()
                        .anyRequest()
                        .access(policy))
                .exceptionHandling(
                        handling -> handling.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .build();
    }
}
