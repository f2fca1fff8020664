# The base images are arguments so that a machine without Docker Hub can build on stand-ins made
# from Debian's packages (docker/offline/build-base-images.sh).
ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:17-jre

# Build stage: the Maven wrapper builds the one jar; dependencies are a layer of their own.
FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src src
COPY api-spec api-spec
RUN ./mvnw -B -q -DskipTests -Dspotless.apply.skip=true package

# Run stage: a JRE and the jar, run by an unprivileged user. Every role is the same image:
# `serve` (default), `worker`; the verb is the container's command.
FROM ${JRE_IMAGE}
RUN groupadd --system --gid 10001 tailor \
 && useradd --system --uid 10001 --gid tailor --home-dir /var/lib/tailor --create-home tailor
COPY --from=build /src/target/tailor.jar /opt/tailor/tailor.jar
USER 10001:10001
WORKDIR /var/lib/tailor
ENV TAILOR_HOME=/var/lib/tailor/data \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75" \
    MALLOC_ARENA_MAX=2
VOLUME /var/lib/tailor/data
EXPOSE 8080 8081
ENTRYPOINT ["java", "-jar", "/opt/tailor/tailor.jar"]
CMD ["serve"]
