#!/usr/bin/env bash
# Installs what building and testing Licheng needs and is missing, skipping everything that
# is already installed at the right version. Sourced by demo.sh and test.sh; run it alone to
# prepare a machine. Needs network access to crates.io, npm and Debian's package archive.
#
# Installs: the wasm32 Rust target, cargo-leptos 0.3.10, the wasm-bindgen CLI at the version
# in Cargo.lock, wasm-opt from npm's binaryen (Debian's binaryen corrupts the WASM), esbuild
# from npm (it minifies the loader of the split WASM chunks), Chromium
# and CJK and emoji fonts from Debian (tests only), the end-to-end test's npm packages, and
# s3s-fs 0.14.1, a small S3-compatible server that the object-store tests start on 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"
BINARYEN_VERSION="132.0.0"
ESBUILD_VERSION="0.28.2"
# The newest s3s-fs that builds with Rust 1.95 (0.15 and later need 1.96).
S3S_FS_VERSION="0.14.1"
# Tools outside the checkout, so that a fresh clone on the same machine finds them.
TOOLS_DIR="${LICHENG_TOOLS_DIR:-$HOME/.cache/licheng/tools}"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# Runs a command as root: directly when already root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "wasm32-unknown-unknown target: present"
  else
    log "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "cargo-leptos $CARGO_LEPTOS_VERSION: present"
  else
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
}

ensure_wasm_bindgen() {
  local wanted
  wanted="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
  if [ -z "$wanted" ]; then
    echo "Cargo.lock names no wasm-bindgen version" >&2
    exit 1
  fi
  if wasm-bindgen --version 2>/dev/null | grep -q " $wanted\$"; then
    log "wasm-bindgen CLI $wanted: present"
  else
    # Without --locked: the CLI's own lockfile names a yanked crate.
    log "installing the wasm-bindgen CLI $wanted (about 2 minutes)"
    cargo install wasm-bindgen-cli --version "$wanted"
  fi
}

ensure_s3s_fs() {
  local root="$TOOLS_DIR/s3s"
  if [ -x "$root/bin/s3s-fs" ] && "$root/bin/s3s-fs" --version 2>/dev/null | grep -q " $S3S_FS_VERSION\$"; then
    log "s3s-fs $S3S_FS_VERSION: present"
  else
    log "installing s3s-fs $S3S_FS_VERSION for the object-store tests (about 4 minutes)"
    cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked --root "$root"
  fi
  export LICHENG_S3S_FS="$root/bin/s3s-fs"
}

# Installs the npm package given as name@version into the tools directory, beside the others.
install_npm_tool() {
  mkdir -p "$TOOLS_DIR"
  npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error "$1"
}

ensure_wasm_opt() {
  local bin="$TOOLS_DIR/node_modules/.bin"
  if [ -x "$bin/wasm-opt" ] && "$bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    log "wasm-opt (binaryen $BINARYEN_VERSION): present"
  else
    log "installing wasm-opt from npm binaryen@$BINARYEN_VERSION"
    install_npm_tool "binaryen@$BINARYEN_VERSION"
  fi
  # cargo-leptos runs the first wasm-opt on PATH without checking it: put this one first.
  export PATH="$bin:$PATH"
}

ensure_esbuild() {
  local bin="$TOOLS_DIR/node_modules/.bin"
  if [ -x "$bin/esbuild" ] && [ "$("$bin/esbuild" --version 2>/dev/null)" = "$ESBUILD_VERSION" ]; then
    log "esbuild $ESBUILD_VERSION: present"
  else
    log "installing esbuild $ESBUILD_VERSION from npm"
    install_npm_tool "esbuild@$ESBUILD_VERSION"
  fi
  export PATH="$bin:$PATH"
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    log "Chromium: present"
  else
    log "installing Chromium from Debian"
    as_root apt-get update -qq
    as_root apt-get install -y -qq chromium
  fi
}

ensure_fonts() {
  if fc-list :lang=zh-tw 2>/dev/null | grep -q . && fc-list 2>/dev/null | grep -qi "color emoji"; then
    log "CJK and emoji fonts: present"
  else
    log "installing CJK and emoji fonts (screenshots show Chinese text and emoji file names)"
    as_root apt-get update -qq
    as_root apt-get install -y -qq fonts-noto-cjk fonts-noto-color-emoji
  fi
}

ensure_npm_packages() {
  local dir="$ROOT/end2end"
  if [ -d "$dir/node_modules/@playwright/test" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    log "end-to-end npm packages: present"
  else
    log "installing the end-to-end npm packages"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Builds share one target directory outside the checkout, so a fresh clone on the same machine
# rebuilds incrementally; a new machine still builds from scratch.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/licheng/target}"

setup_build_tools() {
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_wasm_opt
  ensure_esbuild
}

setup_test_tools() {
  setup_build_tools
  ensure_chromium
  ensure_fonts
  ensure_npm_packages
  ensure_s3s_fs
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  setup_test_tools
fi
