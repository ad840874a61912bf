#!/usr/bin/env bash
# Command 1: sets up what is missing, builds the release, and serves the demo school at
# http://127.0.0.1:3000 on the SQLite database in ./data (created on first start).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"
# shellcheck source=scripts/build.sh
source "$ROOT/scripts/build.sh"
# Everything the tests need too, so that a machine set up for the demo can run them next.
setup_test_tools

# cargo-leptos regenerates and optimises the WebAssembly on every build, which takes most of
# a minute, so the build is skipped when nothing it reads changed since the last release
# build. A stamp marks that build; a later dev build (which rewrites target/site) is newer
# than the stamp and forces a release build again.
binary="$CARGO_TARGET_DIR/release/licheng"
stamp="$ROOT/target/site/.release-build"
up_to_date=no
if [ -x "$binary" ] && [ -f "$stamp" ] && [ ! "$ROOT/target/site/pkg/licheng.wasm" -nt "$stamp" ] \
  && [ -z "$(find src style locales migrations public Cargo.toml Cargo.lock Leptos.toml build.rs -newer "$stamp" -print -quit)" ]; then
  up_to_date=yes
fi
if [ "$up_to_date" = yes ]; then
  printf '\033[1;34m[demo]\033[0m the release build is up to date\n'
else
  printf '\033[1;34m[demo]\033[0m building the release (the first build takes 10 to 20 minutes)\n'
  build_release
  touch "$stamp"
fi
exec "$binary" --demo --data-dir "$ROOT/data" "$@"
