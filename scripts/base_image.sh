#!/usr/bin/env bash
# Local stand-in for public.ecr.aws/lambda/python:3.13, built without any registry (`make base-image`).
#
# ECR Public and Docker Hub are unreachable here, so the base is made from Debian's own packages:
#   debootstrap trixie minbase (python3.13, like the AWS image) -> `podman import` -> a short
#   Containerfile that lays it out like the AWS image (/var/lang, /var/task, awslambdaric entry
#   point). SAM's emulator adds its RIE on top at invoke time, as it does on the AWS image.
# The host's CA bundle goes into THIS image only (pip reaches PyPI through a TLS proxy here);
# images built for AWS use the default BaseImage and never see it.
#
# Idempotent: skips when the tag exists with the same recipe hash (FORCE=1 rebuilds).
# Prints the tag on stdout. Cache: build/cache/base-image/ (debootstrap rootfs tarball).
set -euo pipefail
cd "$(dirname "$0")/.."

TAG="${BASE_IMAGE_TAG:-localhost/lambda-python:3.13}"
SUITE=trixie
# Bump ROOTFS_VERSION when the rootfs recipe below changes (names the cached tarball and tag).
ROOTFS_VERSION=2
ROOTFS_TAG="localhost/debian-${SUITE}-minbase:v${ROOTFS_VERSION}"
AWSLAMBDARIC_VERSION=4.2.2
CACHE_DIR="build/cache/base-image"
HOST_CA_BUNDLE="${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

log() { echo "base_image: $*" >&2; }

DOCKER_HOST_VALUE=$(scripts/podman_socket.sh)
export DOCKER_HOST="$DOCKER_HOST_VALUE"

# Rebuild when this script changes (the recipe) or the host CA bundle changes.
recipe_hash=$(cat "$0" "$HOST_CA_BUNDLE" | sha256sum | cut -c1-16)
if [[ "${FORCE:-0}" != 1 ]] && podman image exists "$TAG"; then
  current=$(podman image inspect "$TAG" --format '{{ index .Labels "image-to-speech.recipe" }}')
  if [[ "$current" == "$recipe_hash" ]]; then
    log "$TAG is up to date (recipe $recipe_hash)"
    echo "$TAG"
    exit 0
  fi
  log "$TAG has recipe '$current', want $recipe_hash: rebuilding"
fi

apt_mirror() {
  # The host's Debian mirror (deb822 or one-line format); DEBIAN_MIRROR overrides.
  if [[ -n "${DEBIAN_MIRROR:-}" ]]; then
    echo "$DEBIAN_MIRROR"
    return
  fi
  local uri
  uri=$(grep -hoE '^URIs:[[:space:]]*\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '{print $2}' | grep -v -- '-security' | head -1 || true)
  if [[ -z "$uri" ]]; then
    uri=$(grep -hoE '^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?\S+' /etc/apt/sources.list 2>/dev/null |
      awk '{print $NF}' | grep -v -- '-security' | head -1 || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

mkdir -p "$CACHE_DIR"
rootfs_tar="$CACHE_DIR/${SUITE}-minbase-v${ROOTFS_VERSION}.tar"
started=$(date +%s)

if ! podman image exists "$ROOTFS_TAG" || [[ "${FORCE:-0}" == 1 ]]; then
  if [[ ! -s "$rootfs_tar" || "${FORCE:-0}" == 1 ]]; then
    mirror=$(apt_mirror)
    rootfs=$(mktemp -d /tmp/debootstrap-${SUITE}.XXXXXX)
    trap 'rm -rf "$rootfs"' EXIT
    log "debootstrap --variant=minbase $SUITE from $mirror"
    debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
      {
        tail -20 "$CACHE_DIR/debootstrap.log" >&2
        exit 1
      }
    # Slim like Debian's -slim images: no apt caches (pkgcache.bin alone is ~90 MB), and dpkg
    # skips docs, man pages and translations in every later install (in the function images too).
    rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
      "$rootfs"/usr/share/locale/*
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/90-slim" <<'DPKG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
DPKG
    printf 'Binary::apt::APT::Keep-Downloaded-Packages "false";\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n' \
      >"$rootfs/etc/apt/apt.conf.d/90-slim"
    tar -C "$rootfs" --numeric-owner -cf "$rootfs_tar.tmp" .
    mv "$rootfs_tar.tmp" "$rootfs_tar"
    rm -rf "$rootfs"
    trap - EXIT
  fi
  log "podman import $rootfs_tar -> $ROOTFS_TAG"
  podman import "$rootfs_tar" "$ROOTFS_TAG" >/dev/null
fi

context=$(mktemp -d /tmp/base-image-context.XXXXXX)
trap 'rm -rf "$context"' EXIT
cp "$HOST_CA_BUNDLE" "$context/host-ca-bundle.crt"
cat >"$context/Containerfile" <<CONTAINERFILE
FROM $ROOTFS_TAG
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
# python3 is 3.13 on trixie (the AWS image's version). espeak-ng is NOT here: the speak image
# installs its phonemizer itself, the same way on this base and on the AWS one.
RUN apt-get update -qq \\
 && apt-get install -y -qq --no-install-recommends python3 python3-venv ca-certificates \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*
# LOCAL ONLY: the proxy CA that pip needs on this network. Never in an image meant for AWS.
COPY host-ca-bundle.crt /etc/ssl/host-ca-bundle.crt
ENV PIP_CERT=/etc/ssl/host-ca-bundle.crt \\
    REQUESTS_CA_BUNDLE=/etc/ssl/host-ca-bundle.crt \\
    SSL_CERT_FILE=/etc/ssl/host-ca-bundle.crt \\
    PIP_DISABLE_PIP_VERSION_CHECK=1
# Same layout as the AWS image: interpreter + site-packages under /var/lang, code in /var/task.
RUN python3 -m venv /var/lang \\
 && /var/lang/bin/pip install --no-cache-dir -q awslambdaric==$AWSLAMBDARIC_VERSION \\
 && mkdir -p /var/task /var/runtime /opt
ENV PATH=/var/lang/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    LAMBDA_TASK_ROOT=/var/task \\
    LAMBDA_RUNTIME_DIR=/var/runtime \\
    TZ=:/etc/localtime
WORKDIR /var/task
# SAM's emulator runs: /var/rapid/aws-lambda-rie <this ENTRYPOINT> <CMD = handler>.
ENTRYPOINT ["python3", "-m", "awslambdaric"]
LABEL image-to-speech.recipe="$recipe_hash" \\
      image-to-speech.note="local stand-in for public.ecr.aws/lambda/python:3.13; carries a host CA bundle"
CONTAINERFILE

log "building $TAG"
podman build --quiet -t "$TAG" "$context" >/dev/null
log "built $TAG in $(($(date +%s) - started)) s ($(podman image inspect "$TAG" --format '{{.Size}}') bytes)"
echo "$TAG"
