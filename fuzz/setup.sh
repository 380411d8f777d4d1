#!/usr/bin/env bash
# Install what the fuzz targets need, idempotently and without prompts: the
# pinned nightly (cross/nightly.txt; -Zsanitizer=address needs nightly), a
# C++ compiler (libfuzzer-sys builds libFuzzer) and cargo-fuzz from
# crates.io in .tools/bin. A few milliseconds when everything is there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

NIGHTLY=$(cat cross/nightly.txt)
CARGO_FUZZ_VERSION=0.13.2
TOOLS=$PWD/.tools

die() { echo "fuzz/setup.sh: ERROR: $*" >&2; exit 1; }
log() { echo "fuzz/setup.sh: $*" >&2; }

# --- a C++ compiler ----------------------------------------------------------
if ! command -v c++ >/dev/null; then
  [ "$(id -u)" = 0 ] || die "no C++ compiler; run as root or install g++"
  log "apt-get install g++"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null || die "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends g++ >/dev/null \
    || die "apt-get install g++ failed"
fi

# --- the pinned nightly (same components as cross/setup.sh installs) --------
command -v rustup >/dev/null || die "rustup not found (need a rustup-managed Rust)"
waits=0 attempts=0
until rustup toolchain list | grep -q "^$NIGHTLY-"; do
  # Another rustup (cross/setup.sh) may be installing it: wait, don't fight.
  if pgrep -x rustup >/dev/null; then
    [ $((waits += 1)) -le 90 ] || die "gave up waiting for another rustup"
    log "another rustup is running; waiting"; sleep 10; continue
  fi
  [ $((attempts += 1)) -le 3 ] || die "could not install $NIGHTLY"
  log "rustup toolchain install $NIGHTLY"
  rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src \
    --no-self-update || sleep 5
done

# --- cargo-fuzz, pinned, in .tools/bin ---------------------------------------
if [ "$("$TOOLS/bin/cargo-fuzz" --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  log "cargo install cargo-fuzz $CARGO_FUZZ_VERSION into .tools"
  cargo install --locked --quiet -j2 --root "$TOOLS" --version "$CARGO_FUZZ_VERSION" cargo-fuzz \
    || die "cargo install cargo-fuzz failed"
fi
"$TOOLS/bin/cargo-fuzz" --version >/dev/null || die "cargo-fuzz does not run"
