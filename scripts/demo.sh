#!/usr/bin/env bash
# Command 1: sets up what is missing, builds the release, and serves the demo school at
# http://127.0.0.1:3000 on the SQLite database in ./data (created on first start).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"
setup_build_tools

printf '\033[1;34m[demo]\033[0m building the release (the first build takes about 10 minutes)\n'
cargo leptos build --release
exec "$CARGO_TARGET_DIR/release/licheng" --demo --data-dir "$ROOT/data" "$@"
