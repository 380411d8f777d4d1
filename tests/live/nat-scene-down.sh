# Remove the namespaces of tests/live/nat-scene.sh PREFIX (those that exist).
set -e
prefix=$1
[ -n "$prefix" ] || { echo "usage: nat-scene-down.sh PREFIX" >&2; exit 2; }
for ns in "$prefix-lan" "$prefix-router" "$prefix-wan"; do
    if ip netns list | grep -qx "$ns\( .*\)\?"; then
        ip netns del "$ns"
    fi
done
