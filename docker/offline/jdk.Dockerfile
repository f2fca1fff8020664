# A stand-in for eclipse-temurin:17-jdk built from Debian's OpenJDK 17, for a machine that reaches
# Debian's mirror but not Docker Hub. curl is what the Maven wrapper downloads Maven with.
# ca/ holds the building host's own certificate authorities (a TLS-inspecting proxy's, say), trusted
# before Java is installed so that Java's trust store has them too.
FROM tailor-offline/debian:bookworm
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates \
 && apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless curl \
 && rm -rf /var/lib/apt/lists/*
