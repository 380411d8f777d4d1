#!/usr/bin/env bash
# Install what cross/dist.sh needs: qemu-user, llvm-objcopy, file, the pinned
# nightly with rust-src, and zig + cargo-zigbuild in .tools/venv.
# Idempotent and non-interactive; takes a few seconds when all is present.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

NIGHTLY=$(cat cross/nightly.txt)   # the one place the nightly is pinned
PY_PINS="ziglang==0.15.2 cargo-zigbuild==0.24.0"
VENV=.tools/venv

die() { echo "cross/setup.sh: ERROR: $*" >&2; exit 1; }
log() { echo "cross/setup.sh: $*" >&2; }

# --- Debian packages (apt-get update only when something is missing) -------
need=()
for pair in qemu-mips-static:qemu-user-static llvm-objcopy:llvm llvm-nm:llvm file:file; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
# The venv needs a python3 with ensurepip (Debian's needs python3-venv).
PY=python3
if ! python3 -c 'import ensurepip' 2>/dev/null; then
  PY=/usr/bin/python3
  "$PY" -c 'import ensurepip' 2>/dev/null || need+=(python3-venv)
fi
if ((${#need[@]})); then
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}; run as root or install them"
  log "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null \
    || die "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
fi

# --- pinned nightly + rust-src ----------------------------------------------
command -v rustup >/dev/null || die "rustup not found (need a rustup-managed Rust)"
have_nightly() {
  rustup toolchain list | grep -q "^$NIGHTLY-" &&
    [ -d "$(rustc +"$NIGHTLY" --print sysroot 2>/dev/null)/lib/rustlib/src/rust/library" ]
}
waits=0 attempts=0
until have_nightly; do
  # Another rustup may be installing it already: wait for it, don't fight it.
  if pgrep -x rustup >/dev/null; then
    [ $((waits += 1)) -le 90 ] || die "gave up waiting for another rustup"
    log "another rustup is running; waiting"; sleep 10; continue
  fi
  [ $((attempts += 1)) -le 3 ] || die "could not install $NIGHTLY with rust-src"
  log "rustup toolchain install $NIGHTLY (+rust-src)"
  rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src \
    --no-self-update || sleep 5
done

# --- zig + cargo-zigbuild from PyPI, in a repo-local venv --------------------
if [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$PY_PINS" ] ||
   [ ! -x "$VENV/bin/cargo-zigbuild" ]; then
  log "creating $VENV with $PY_PINS"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" || die "python venv creation failed"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install -q --disable-pip-version-check $PY_PINS \
    || die "pip install $PY_PINS failed"
  echo "$PY_PINS" > "$VENV/.pins"
fi
"$VENV/bin/python" -m ziglang version >/dev/null 2>&1 || die "zig does not run"
"$VENV/bin/cargo-zigbuild" --version >/dev/null 2>&1 || die "cargo-zigbuild does not run"
