#!/usr/bin/env bash
# The page's browser-side libraries ("on this device" mode), from npm, pinned by each folder's
# package-lock.json. Only the files the page loads are copied into build/web-vendor/, which the
# local stack serves at /edge/vendor/ (docs/edge.md); node_modules and wasm never go into git.
#   web-vendor/      onnxruntime-web (MIT), @huggingface/tokenizers (Apache-2.0)
#   web-vendor/gpl/  espeak-ng compiled to wasm (GPL-3.0-or-later): OPTIONAL, kept apart
#                        with its license; SKIP_GPL_VENDOR=1 leaves it out (speech then runs on
#                        the server).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/web-vendor
if ! command -v npm >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
npm_ci() { npm ci --prefix "$1" --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null; }

npm_ci web-vendor
modules=web-vendor/node_modules
rm -rf "$out.tmp" && mkdir -p "$out.tmp/ort" "$out.tmp/tokenizers"
for name in ort.wasm.min.mjs ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm; do
  cp "$modules/onnxruntime-web/dist/$name" "$out.tmp/ort/"
done
cp "$modules/onnxruntime-web/package.json" "$out.tmp/ort/package.json"
cp "$modules/@huggingface/tokenizers/dist/tokenizers.min.mjs" "$out.tmp/tokenizers/"
cp "$modules/@huggingface/tokenizers/LICENSE" "$out.tmp/tokenizers/LICENSE.txt"
cp "$modules/@huggingface/tokenizers/package.json" "$out.tmp/tokenizers/package.json"

if [ "${SKIP_GPL_VENDOR:-0}" != "1" ]; then
  npm_ci web-vendor/gpl
  gpl=web-vendor/gpl/node_modules/espeak-ng
  mkdir -p "$out.tmp/espeak-ng"
  cp "$gpl/dist/espeak-ng.js" "$gpl/dist/espeak-ng.wasm" "$gpl/package.json" "$out.tmp/espeak-ng/"
  cp "$gpl/LICENSE" "$out.tmp/espeak-ng/COPYING.txt"
fi
rm -rf "$out" && mv "$out.tmp" "$out"
echo "browser libraries in $out: $(du -sh "$out" | cut -f1)"
