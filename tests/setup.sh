#!/usr/bin/env bash
# Install the peers the tests compare against and the tools they drive:
# net-tools (netstat), iproute2 (ss, ip), psmisc (fuser), busybox, GNU time,
# python3 (socket holders), util-linux (unshare, setpriv), a C compiler
# (tests/live_iface.rs builds an fopen shim to feed net-tools made-up files),
# nftables, conntrack and netstat-nat (the NAT scene, tests/live/nat-scene.sh,
# and the references of the connection-tracking applets to come).
# jc into .tools/jc (the JSON comparisons).
# Idempotent and non-interactive: apt runs only when something is missing.
set -euo pipefail
need=()
for pair in netstat:net-tools ss:iproute2 ip:iproute2 fuser:psmisc busybox:busybox \
            /usr/bin/time:time /usr/bin/python3:python3 unshare:util-linux setpriv:util-linux cc:gcc nft:nftables conntrack:conntrack netstat-nat:netstat-nat; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
# jc (PyPI), pinned, into .tools/jc: tests/json.rs compares --json with its
# reading of the reference tools' text. Pure Python; its parsers need
# nothing else.
jc_version=1.26.1
root_dir=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(cat "$root_dir/.tools/jc/.version" 2>/dev/null)" != "$jc_version" ]; then
  echo "tests/setup.sh: pip install jc==$jc_version into .tools/jc" >&2
  rm -rf "$root_dir/.tools/jc"
  python3 -m pip install -q --disable-pip-version-check --no-deps --target "$root_dir/.tools/jc" "jc==$jc_version" >&2
  echo "$jc_version" > "$root_dir/.tools/jc/.version"
fi
((${#need[@]})) || exit 0
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
[ "$(id -u)" = 0 ] || { echo "tests/setup.sh: missing ${need[*]}; run as root or install them" >&2; exit 1; }
echo "tests/setup.sh: apt-get install ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
