#!/usr/bin/env bash
# Makes podman usable by SAM CLI on this kind of machine and prints the DOCKER_HOST to use.
#   eval "export DOCKER_HOST=$(scripts/podman_socket.sh)"
# Idempotent: installs podman/runc/debootstrap if missing, writes a containers.conf drop-in
# (crun and the default ulimits fail on these hosts' hybrid cgroups), and starts
# `podman system service` on a unix socket unless it already answers.
# Everything it says goes to stderr; stdout is only the DOCKER_HOST value.
set -euo pipefail

SOCKET_PATH="${PODMAN_SOCKET_PATH:-/run/podman-sam/podman.sock}"
CONF_DROPIN=/etc/containers/containers.conf.d/50-image-to-speech.conf
LOG_FILE="${PODMAN_SERVICE_LOG:-/tmp/podman-sam-service.log}"

log() { echo "podman_socket: $*" >&2; }

ensure_packages() {
  local missing=()
  for tool in podman runc debootstrap; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]} (apt)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >&2
  fi
}

ensure_config() {
  # A drop-in leaves the distribution's containers.conf alone (podman >= 4.x reads *.conf.d).
  local wanted
  wanted=$(cat <<'CONF'
# Written by scripts/podman_socket.sh (image-to-speech). crun fails on hybrid cgroup hosts
# and so does setrlimit with podman's default ulimits: use runc and modest limits.
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
CONF
)
  if [[ ! -f $CONF_DROPIN ]] || [[ "$(cat "$CONF_DROPIN")" != "$wanted" ]]; then
    log "writing $CONF_DROPIN"
    mkdir -p "$(dirname "$CONF_DROPIN")"
    printf '%s\n' "$wanted" >"$CONF_DROPIN"
  fi
}

socket_answers() {
  [[ -S $SOCKET_PATH ]] &&
    curl -fsS --max-time 5 --unix-socket "$SOCKET_PATH" http://d/_ping >/dev/null 2>&1
}

ensure_service() {
  if socket_answers; then
    return
  fi
  mkdir -p "$(dirname "$SOCKET_PATH")"
  rm -f "$SOCKET_PATH"
  log "starting podman system service on $SOCKET_PATH (log: $LOG_FILE)"
  # setsid + nohup: the service must outlive this script and the shell that called it.
  setsid nohup podman system service --time=0 "unix://$SOCKET_PATH" >"$LOG_FILE" 2>&1 </dev/null &
  for _ in $(seq 1 50); do
    socket_answers && return
    sleep 0.2
  done
  log "podman service did not answer on $SOCKET_PATH; see $LOG_FILE"
  exit 1
}

ensure_packages
ensure_config
ensure_service
echo "unix://$SOCKET_PATH"
