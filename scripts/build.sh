#!/usr/bin/env bash
# Builds the release server and site, as demo.sh, test.sh and bench.sh do. It runs `cargo
# leptos build --release --split --precompress`, then minifies the loader script of the split
# WASM chunks, which cargo-leptos leaves unminified (7.3 KiB brotli, 4.3 KiB minified), and
# writes its compressed copies again. Sourced, it defines build_release; run alone, it also
# installs the build tools first.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

build_release() {
  (cd "$ROOT" && cargo leptos build --release --split --precompress)
  local loader
  for loader in "$ROOT"/target/site/pkg/__wasm_split.*.js; do
    [ -e "$loader" ] || continue
    esbuild "$loader" --minify --format=esm --log-level=warning --outfile="$loader.min"
    mv "$loader.min" "$loader"
    node "$ROOT/scripts/precompress.mjs" "$loader"
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  source "$ROOT/scripts/setup.sh"
  setup_build_tools
  build_release
fi
