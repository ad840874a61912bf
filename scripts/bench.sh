#!/usr/bin/env bash
# Runs the benchmarks of docs/benchmarks.md against the release build and prints their
# tables. Arguments choose figures: wasm, uploads, memory, ssr, logins, deadline, pending
# (default: all).
# LICHENG_BENCH_OUTCOMES=10000,100000 leaves out the slow one-million-outcome case.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"
# shellcheck source=scripts/build.sh
source "$ROOT/scripts/build.sh"
setup_build_tools
if ! command -v brotli >/dev/null 2>&1; then
  log "installing brotli from Debian (for the bundle size figure)"
  as_root apt-get update -qq
  as_root apt-get install -y -qq brotli
fi

log "release build"
build_release

# The baseline of the bundle-size figure: a Leptos hello world with the same WASM profile,
# passed through wasm-bindgen and wasm-opt -Oz as cargo-leptos does.
HELLO_OUT="$CARGO_TARGET_DIR/hello-pkg"
log "Leptos hello-world bundle (baseline)"
(cd "$ROOT/tools/hello-wasm" && cargo build --target wasm32-unknown-unknown --profile wasm-release --target-dir "$CARGO_TARGET_DIR/hello")
mkdir -p "$HELLO_OUT"
wasm-bindgen --target web --no-typescript --out-dir "$HELLO_OUT" --out-name hello \
  "$CARGO_TARGET_DIR/hello/wasm32-unknown-unknown/wasm-release/hello_wasm.wasm"
wasm-opt -Oz -o "$HELLO_OUT/hello.wasm" "$HELLO_OUT/hello_bg.wasm"
export LICHENG_HELLO_PKG="$HELLO_OUT"
export LICHENG_BIN="$CARGO_TARGET_DIR/release/licheng"
log "benchmarks (machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB)"
# `cargo bench` rebuilds target/release/licheng. Without cargo-leptos's LEPTOS_OUTPUT_NAME,
# which Leptos reads at compile time, its pages request a missing /pkg/licheng_bg.wasm.
LEPTOS_OUTPUT_NAME=licheng TZ=UTC cargo bench --features ssr --bench load -- "$@"
