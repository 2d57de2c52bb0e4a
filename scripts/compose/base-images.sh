#!/usr/bin/env bash
# Builds offline STAND-INS for the public base images docker-compose.yml names, for machines
# that reach no container registry (ours reach only the npm registry and a Debian mirror).
# Each stand-in gets its own local tag (countersign-standin/...), never the public name, so
# nobody mistakes one for the real image; scripts/compose/env.ts --standins points the
# *_IMAGE variables at them. Users on the internet need none of this: compose pulls the
# real images by default.
#
#   node            the host's own node binary and npm on Debian bookworm
#   postgres        Debian's PostgreSQL (15) with an entrypoint that honours POSTGRES_*
#   nats            Debian's nats-server (2.9: no sync_interval, see its entrypoint)
#   prometheus      Debian's prometheus (2.42)
#   otel-collector  NOT the collector: a small Node OTLP/HTTP(JSON) receiver that forwards
#   jaeger          NOT Jaeger: a small Node span store answering Jaeger's query API
#
# The Debian root filesystem (debootstrap, ~30 s) is cached as a tarball under
# $COUNTERSIGN_CACHE (default ~/.cache/countersign); docker's layer cache does the rest.
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE="${COUNTERSIGN_CACHE:-$HOME/.cache/countersign}"
ROOTFS="$CACHE/debian-bookworm-minbase.tar"
DEBIAN_TAG=countersign-standin/debian:bookworm
STANDINS=deploy/standins

say() { echo "[base-images] $*"; }

# The first Debian mirror apt is configured with (deb822 `URIs:` or one-line `deb` form).
debian_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -Eo '(URIs:[[:space:]]*|^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)https?://[^[:space:]]+/debian/?([[:space:]]|$)' |
    grep -Eo 'https?://[^[:space:]]+' | head -n1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

debian_base() {
  if docker image inspect "$DEBIAN_TAG" >/dev/null 2>&1; then
    say "$DEBIAN_TAG present"
    return
  fi
  if [[ ! -s "$ROOTFS" ]]; then
    command -v debootstrap >/dev/null || { echo "debootstrap is needed: apt-get install debootstrap" >&2; exit 1; }
    local mirror dir
    mirror=$(debian_mirror)
    dir=$(mktemp -d)
    say "debootstrap bookworm from $mirror (once; cached in $ROOTFS)"
    debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$CACHE/debootstrap.log" 2>&1 ||
      { tail -n 30 "$CACHE/debootstrap.log" >&2; rm -rf "$dir"; exit 1; }
    # Images need no package lists or apt caches; apt-get update runs in each build.
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
    tar -C "$dir" -cf "$ROOTFS.partial" .
    mv "$ROOTFS.partial" "$ROOTFS"
    rm -rf "$dir"
  fi
  say "importing $DEBIAN_TAG"
  docker import "$ROOTFS" "$DEBIAN_TAG" >/dev/null
}

build() { # build <tag> <context> [docker build args...]
  local tag=$1 context=$2
  shift 2
  say "building $tag"
  if ! docker build --network host --build-arg DEBIAN_IMAGE="$DEBIAN_TAG" -t "$tag" "$@" "$context" \
    >"$CACHE/build.log" 2>&1; then
    tail -n 40 "$CACHE/build.log" >&2
    exit 1
  fi
}

# node: the host's binary (Debian's nodejs is 18, too old) plus the npm that came with it,
# and the host's CA bundle, so npm in builds trusts what the host's npm trusts.
node_standin() {
  local context node npm_dir ca_bundle="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
  node=$(readlink -f "$(command -v node)")
  npm_dir="$(npm root -g)/npm"
  context=$(mktemp -d)
  cp "$STANDINS/node/Dockerfile" "$context/"
  cp "$node" "$context/node"
  cp -r "$npm_dir" "$context/npm"
  if [[ -s "$ca_bundle" ]]; then cp "$ca_bundle" "$context/ca-certificates.crt"; else : >"$context/ca-certificates.crt"; fi
  build "$NODE_TAG" "$context"
  rm -rf "$context"
}

mkdir -p "$CACHE"
NODE_VERSION=$(node -p 'process.versions.node.split(".")[0]')
NODE_TAG="countersign-standin/node:${NODE_VERSION}-bookworm"
debian_base
node_standin
build countersign-standin/postgres:15 "$STANDINS/postgres"
build countersign-standin/nats:2.9 "$STANDINS/nats"
build countersign-standin/prometheus:2.42 "$STANDINS/prometheus"
build countersign-standin/otel-collector:local "$STANDINS/otel-collector" --build-arg NODE_IMAGE="$NODE_TAG"
build countersign-standin/jaeger:local "$STANDINS/jaeger" --build-arg NODE_IMAGE="$NODE_TAG"
say "done; stand-in node is $NODE_TAG"
