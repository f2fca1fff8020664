#!/usr/bin/env bash
# Builds local stand-ins for the public base images the Dockerfile and docker-compose.yml name
# (eclipse-temurin:17-jdk, eclipse-temurin:17-jre, postgres:17) from Debian's packages, for a machine
# whose Docker engine cannot reach Docker Hub. Needs root (debootstrap) and Debian's mirror.
# Then: source the printed variables and `docker compose up --build` as usual.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if ! docker image inspect tailor-offline/debian:bookworm >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { echo "install debootstrap first: apt-get install -y debootstrap" >&2; exit 1; }
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror"
  tar -C "$rootfs" -c . | docker import - tailor-offline/debian:bookworm
  rm -rf "$rootfs"
  rootfs=
fi
# The build context: these files and the host's locally added certificate authorities, so that a
# build inside reaches the registries the host reaches (through a TLS-inspecting proxy too).
context=$(mktemp -d)
trap 'rm -rf "$context" ${rootfs:+"$rootfs"}' EXIT
cp "$here"/*.Dockerfile "$here"/postgres-entrypoint.sh "$context"/
mkdir "$context/ca"
cp /usr/local/share/ca-certificates/*.crt "$context/ca/" 2>/dev/null || true
docker build -q -f "$context/jdk.Dockerfile" -t tailor-offline/jdk:17 "$context"
docker build -q -f "$context/jre.Dockerfile" -t tailor-offline/jre:17 "$context"
docker build -q -f "$context/postgres.Dockerfile" -t tailor-offline/postgres:15 "$context"
cat <<VARS
export TAILOR_JDK_IMAGE=tailor-offline/jdk:17
export TAILOR_JRE_IMAGE=tailor-offline/jre:17
export TAILOR_POSTGRES_IMAGE=tailor-offline/postgres:15
VARS
