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

# --- the pinned nightly: cross/setup.sh installs it (and waits for another
# rustup instead of fighting it); idempotent and quick when all is there ----
bash cross/setup.sh || die "cross/setup.sh failed"
rustup toolchain list | grep -q "^$NIGHTLY-" || die "the pinned nightly $NIGHTLY is missing"

# --- cargo-fuzz, pinned, in .tools/bin ---------------------------------------
if [ "$("$TOOLS/bin/cargo-fuzz" --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  log "cargo install cargo-fuzz $CARGO_FUZZ_VERSION into .tools"
  cargo install --locked --quiet -j2 --root "$TOOLS" --version "$CARGO_FUZZ_VERSION" cargo-fuzz \
    || die "cargo install cargo-fuzz failed"
fi
"$TOOLS/bin/cargo-fuzz" --version >/dev/null || die "cargo-fuzz does not run"
