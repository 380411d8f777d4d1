# Sourced (from the repo root) by cross/dist.sh, cross/ledger.sh and cross/bloat.sh:
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

# build_sockbox TRIPLE "FEATURES" OUT: a static, stripped release build with
# exactly FEATURES (cargo features), copied to OUT.
build_sockbox() {
  # With -Z build-std the toolchain has no lib directory for the target,
  # and the linker says so on every build ("unable to open library
  # directory"): an empty one keeps that noise out and real warnings in.
  mkdir -p "$(rustc --print sysroot)/lib/rustlib/$1/lib" "$(dirname "$3")"
  cargo zigbuild -q --release --bin sockbox --target "$1" --no-default-features --features "$2" \
    -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size &&
    llvm-objcopy --strip-all -R .pdr -R .comment "$CARGO_TARGET_DIR/$1/release/sockbox" "$3"
}
