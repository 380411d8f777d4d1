# Sourced (from the repo root) by cross/dist.sh and cross/bloat.sh:
#   . cross/env.sh TARGET_SUBDIR
# Runs setup, selects the pinned nightly, puts zig/cargo-zigbuild on PATH and
# sets CARGO_TARGET_DIR=target/TARGET_SUBDIR, emptied when the pins change
# (cargo does not notice a new zig, which is the linker).
cross/setup.sh
export RUSTUP_TOOLCHAIN; RUSTUP_TOOLCHAIN=$(cat cross/nightly.txt)
export PATH="$PWD/.tools/venv/bin:$PATH"
export CARGO_TARGET_DIR="$PWD/target/$1"
pins=$(cat cross/nightly.txt .tools/venv/.pins)
if [ "$(cat "$CARGO_TARGET_DIR/.pins" 2>/dev/null)" != "$pins" ]; then
  rm -rf "$CARGO_TARGET_DIR"; mkdir -p "$CARGO_TARGET_DIR"
  echo "$pins" > "$CARGO_TARGET_DIR/.pins"
fi
