# Sourced (from the repo root) by the cross scripts: the presets of
# cross/presets.tsv, one line each: a name and its cargo features. `full` is
# the default build (Cargo.toml's default features, checked by tests/cli.rs)
# and goes to dist/<arch>/; every other preset NAME to dist/NAME/<arch>/.
# `base` is the first release's set (netstat, ss-lite, fuser-port as they
# were): its ceiling in cross/budget.tsv keeps it from growing as `full` does.

# preset_names: every preset, in table order.
preset_names() { awk -F'\t' 'NR > 1 && !/^#/ { print $1 }' cross/presets.tsv; }

# preset_features NAME: its features, space-separated; fails for an unknown NAME.
preset_features() {
  local f
  f=$(awk -F'\t' -v p="$1" 'NR > 1 && $1 == p { print $2; found = 1 } END { exit !found }' cross/presets.tsv) || {
    echo "unknown preset '$1' (cross/presets.tsv has: $(preset_names | tr '\n' ' '))" >&2
    return 1
  }
  echo "$f"
}

# preset_dir NAME: where its binaries go (dist, or dist/NAME).
preset_dir() { if [ "$1" = full ]; then echo dist; else echo "dist/$1"; fi; }
