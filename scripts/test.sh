#!/usr/bin/env bash
# Command 2: sets up what is missing and runs every test: the unit and integration tests
# (Rust) on fresh SQLite databases, the integration tests again on fresh PostgreSQL databases
# (127.0.0.1:5432, started here if it is stopped), then the end-to-end tests in Chromium
# against the release build. Object-store tests use s3s-fs on 127.0.0.1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"
# shellcheck source=scripts/build.sh
source "$ROOT/scripts/build.sh"
setup_test_tools

step() { printf '\033[1;34m[test]\033[0m %s\n' "$*"; }

# The PostgreSQL run and the multi-node test need the server on 127.0.0.1:5432 (trust
# authentication, as on these machines); start the local cluster if it is stopped.
if command -v pg_ctlcluster >/dev/null 2>&1 && ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  step "starting the local PostgreSQL cluster"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "No PostgreSQL listens on 127.0.0.1:5432; the tests need one (see README)." >&2
  exit 1
fi

# Old test binaries of earlier clones pile up in the shared target directory.
find "$CARGO_TARGET_DIR/debug/deps" -maxdepth 1 -type f -size +50M -mtime +2 -delete 2>/dev/null || true

# The server must keep Taiwan time whatever zone it runs in, so the tests run it in UTC.
step "unit and integration tests (server clock in UTC)"
TZ=UTC CARGO_INCREMENTAL=0 cargo test --features ssr

step "integration tests again on PostgreSQL (a fresh database per test, dropped after it)"
LICHENG_TEST_BACKEND=postgres TZ=UTC CARGO_INCREMENTAL=0 cargo test --features ssr --test '*'

step "release build"
build_release
touch "$ROOT/target/site/.release-build"

step "end-to-end tests (Chromium, release build)"
export LICHENG_BIN="$CARGO_TARGET_DIR/release/licheng"
(cd end2end && TZ=UTC npx playwright test)
step "all tests passed"
