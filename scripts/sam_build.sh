#!/usr/bin/env bash
# `make images`: builds every function image with SAM CLI on podman, from the LOCAL base image
# (scripts/base_image.sh), and prints each image's size. Never use this output for AWS: the local
# base carries this host's CA bundle (docs/deploy.md has the AWS build).
# Extra arguments go to `sam build` (e.g. CaptionFunction to build one function; note that the
# built template then has an ImageUri for that function only: build all before `sam local`).
set -euo pipefail
cd "$(dirname "$0")/.."
SAM="${SAM:-.tools/sam/bin/sam}"

DOCKER_HOST=$(scripts/podman_socket.sh)
export DOCKER_HOST
base_image=$(scripts/base_image.sh)

overrides=("BaseImage=$base_image")
# Optional bundle overrides: CAPTION_BUNDLE=build/models/caption/<preset> make images
[[ -n "${CAPTION_BUNDLE:-}" ]] && overrides+=("CaptionBundle=$CAPTION_BUNDLE")
[[ -n "${TRANSLATE_BUNDLE:-}" ]] && overrides+=("TranslateBundle=$TRANSLATE_BUNDLE")
[[ -n "${SPEAK_BUNDLE:-}" ]] && overrides+=("SpeakBundle=$SPEAK_BUNDLE")

started=$(date +%s)
"$SAM" build "$@" --parameter-overrides "${overrides[*]}"
echo "sam_build: built in $(($(date +%s) - started)) s on $base_image"
podman images --filter reference='*function:*' \
  --format '{{.Repository}}:{{.Tag}}\t{{.Size}}\t{{.Created}}' | grep -v rapid || true
