# A stand-in for eclipse-temurin:17-jre built from Debian's OpenJDK 17 (see build-base-images.sh).
# ca/ holds the building host's own certificate authorities (a TLS-inspecting proxy's, say), trusted
# before Java is installed so that Java's trust store has them too.
FROM tailor-offline/debian:bookworm
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates \
 && apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
