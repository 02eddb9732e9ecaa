#!/usr/bin/env bash
# Creates .venv (build + test tools) and .tools/sam (SAM CLI, kept apart: its pins differ).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v espeak-ng >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng sox
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -r requirements/dev.txt
# Make the shared layer and the repo importable without installing them.
site=$(.venv/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
printf '%s\n%s\n' "$PWD/layers/shared" "$PWD" > "$site/image_to_speech_layer.pth"
if [ ! -x .tools/sam/bin/sam ]; then
  python3 -m venv .tools/sam
  .tools/sam/bin/pip install -q aws-sam-cli==1.170.0
fi
