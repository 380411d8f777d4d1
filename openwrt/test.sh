#!/usr/bin/env bash
# Offline check of openwrt/sockbox/Makefile, no OpenWrt tree or SDK needed: GNU make
# reads it with stand-in rules.mk, package.mk and rust-package.mk, and then
#  - the variables and calls of a packages-feed Rust package are there, PKG_VERSION
#    is Cargo.toml's and ALTERNATIVES is the .ipk's Alternatives: value;
#  - the rust-package.mk include resolves both in a feed of its own (src-link)
#    and inside the packages feed (net/sockbox);
#  - Package/sockbox/install makes what the x86_64 .ipk's data.tar.gz holds:
#    /usr/bin/sockbox 0755 and links to it. Its links are static, so they must
#    cover every applet the binary lists (but netstat, which goes through
#    ALTERNATIVES); links for applets the binary knows but does not list yet
#    (not built) are reported, not failed; unknown names fail;
#  - Build/Prepare (local source) copies a tree that `cargo check --locked` accepts;
#  - menuconfig: Package/sockbox/config has an option CONFIG_SOCKBOX_<FEATURE> for
#    every cargo feature and no other; for each preset of cross/presets.tsv, its
#    options give exactly its features (RUST_PKG_FEATURES, with
#    --no-default-features), its links are those of that preset's .ipk, and
#    ALTERNATIVES is there only with netstat.
# Usage: openwrt/test.sh        (after cross/dist.sh --all-configs x86_64; a few seconds)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C
. cross/preset.sh

fail() { echo "openwrt/test.sh: FAIL: $*" >&2; exit 1; }
[ -x dist/x86_64/sockbox ] || fail "dist/x86_64/sockbox missing: run cross/dist.sh x86_64"
version=$(awk -F'"' '/^\[/ { sec = $0 } sec == "[package]" && /^version *=/ { print $2; exit }' Cargo.toml)
license=$(awk -F'"' '/^\[/ { sec = $0 } sec == "[package]" && /^license *=/ { print $2; exit }' Cargo.toml)

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
top=$tmp/top feed=$tmp/packages   # stand-ins: an OpenWrt TOPDIR, the packages feed
mkdir -p "$top/include" "$top/feeds/packages/lang/rust" "$feed/lang/rust" "$feed/net/sockbox"
cat > "$top/rules.mk" <<'EOF'
STUB_RULES:=1
INCLUDE_DIR:=$(TOPDIR)/include
INSTALL_DIR:=install -d -m0755
INSTALL_BIN:=install -m0755
LN:=ln -sf
CP:=cp -fpR
EOF
cat > "$top/include/package.mk" <<'EOF'
STUB_PACKAGE_MK:=1
define BuildPackage
$(eval $(Package/$(1)))
STUB_BUILT:=$(1)
STUB_RUSTBIN_FIRST:=$(STUB_RUSTBIN)
endef
EOF
for where in top feed; do
  dir=$top/feeds/packages/lang/rust; [ $where = feed ] && dir=$feed/lang/rust
  cat > "$dir/rust-package.mk" <<EOF
STUB_RUST_PACKAGE_MK:=$where
RUST_ARCH_DEPENDS:=@STUB_RUST_ARCH_DEPENDS
define RustBinPackage
STUB_RUSTBIN:=\$(1)
endef
define Build/Compile/Cargo
cargo install --features "\$(strip \$(RUST_PKG_FEATURES))" \$(2)
endef
Build/Compile=\$(call Build/Compile/Cargo)
EOF
done
cat > "$top/check.mk" <<'EOF'
include Makefile
VARS:=PKG_NAME PKG_VERSION PKG_RELEASE PKG_LICENSE PKG_LICENSE_FILES PKG_MAINTAINER \
	PKG_BUILD_DEPENDS PKG_BUILD_PARALLEL SECTION CATEGORY TITLE DEPENDS ALTERNATIVES \
	STUB_RULES STUB_PACKAGE_MK STUB_RUST_PACKAGE_MK STUB_RUSTBIN STUB_RUSTBIN_FIRST STUB_BUILT
stub-vars:
	@:$(foreach v,$(VARS),$(info $(v)=$($(v))))
stub-install:
	$(call Package/sockbox/install,$(DEST))
stub-prepare:
	$(call Build/Prepare)
stub-config:
	@:$(info $(Package/sockbox/config))
stub-compile:
	@:$(info $(call Build/Compile))
stub-preset:
	@:$(info features=$(RUST_PKG_FEATURES))$(info alternatives=$(ALTERNATIVES))$(info compile=$(call Build/Compile))
EOF
# mk DIR TARGET [VAR=VALUE...]: run check.mk on DIR/Makefile
mk() {
  local dir=$1; shift
  make -s --no-print-directory -C "$dir" -f "$top/check.mk" TOPDIR="$top" "$@" 2>"$tmp/make.err" ||
    fail "make on $dir/Makefile failed: $(cat "$tmp/make.err")"
}

# The menuconfig options of a preset: CONFIG_SOCKBOX_<FEATURE>=y for each feature.
config_of() {
  local f
  for f in $(preset_features "$1"); do f=${f^^}; printf 'CONFIG_SOCKBOX_%s=y\n' "${f//-/_}"; done
}
mapfile -t full_config < <(config_of full)

# 1. Variables, includes and calls.
declare -A v
mk openwrt/sockbox stub-vars "${full_config[@]}" > "$tmp/vars"
while IFS='=' read -r key val; do v[$key]=$val; done < "$tmp/vars"
want() { [ "${v[$1]-}" = "$2" ] || fail "$1 is '${v[$1]-}', want '$2'${3:+ ($3)}"; }
want PKG_NAME sockbox
want PKG_VERSION "$version" "Cargo.toml"
[[ ${v[PKG_RELEASE]} =~ ^[0-9]+$ ]] || fail "PKG_RELEASE '${v[PKG_RELEASE]}' is not a number"
want PKG_LICENSE "$license" "Cargo.toml"
want PKG_LICENSE MIT
[ -n "${v[PKG_LICENSE_FILES]}" ] || fail "PKG_LICENSE_FILES is empty"
[[ ${v[PKG_MAINTAINER]} =~ ^[^\<]+\ \<[^\>]+@[^\>]+\>$ ]] || fail "PKG_MAINTAINER '${v[PKG_MAINTAINER]}' is not 'Name <email>'"
[[ " ${v[PKG_BUILD_DEPENDS]} " == *" rust/host "* ]] || fail "PKG_BUILD_DEPENDS lacks rust/host"
want PKG_BUILD_PARALLEL 1
want SECTION net
want CATEGORY Network
[ -n "${v[TITLE]}" ] || fail "TITLE is empty"
[[ " ${v[DEPENDS]} " == *" @STUB_RUST_ARCH_DEPENDS "* ]] || fail "DEPENDS '${v[DEPENDS]}' does not use \$(RUST_ARCH_DEPENDS)"
want STUB_RULES 1 "include \$(TOPDIR)/rules.mk"
want STUB_PACKAGE_MK 1 "include \$(INCLUDE_DIR)/package.mk"
want STUB_RUST_PACKAGE_MK top "include \$(TOPDIR)/feeds/packages/lang/rust/rust-package.mk in a feed of its own"
want STUB_RUSTBIN sockbox "\$(eval \$(call RustBinPackage,sockbox))"
want STUB_BUILT sockbox "\$(eval \$(call BuildPackage,sockbox))"
want STUB_RUSTBIN_FIRST sockbox "RustBinPackage before BuildPackage"
cp openwrt/sockbox/Makefile "$feed/net/sockbox/"
mk "$feed/net/sockbox" stub-vars "${full_config[@]}" > "$tmp/vars.feed"
[ "$(sed -n 's/^STUB_RUST_PACKAGE_MK=//p' "$tmp/vars.feed")" = feed ] ||
  fail "in the packages feed (net/sockbox) the Makefile does not include ../../lang/rust/rust-package.mk"

# 2. The x86_64 .ipk: Alternatives and data.
IPK_OUTDIR=$tmp/ipk bash cross/ipk.sh x86_64 >/dev/null
ipk=$(echo "$tmp"/ipk/sockbox_*_x86_64.ipk)
mkdir -p "$tmp/ipkx/data"
tar -xzf "$ipk" -C "$tmp/ipkx"
tar -xzf "$tmp/ipkx/data.tar.gz" -C "$tmp/ipkx/data"
alt=$(tar -xzOf "$tmp/ipkx/control.tar.gz" ./control | sed -n 's/^Alternatives: //p')
want ALTERNATIVES "$alt" "the .ipk's Alternatives:"

# 3. Package/sockbox/install against the .ipk's data.
mkdir -p "$tmp/install/bin" "$tmp/root"
cp -p dist/x86_64/sockbox "$tmp/install/bin/"
mk openwrt/sockbox stub-install DEST="$tmp/root" PKG_INSTALL_DIR="$tmp/install" "${full_config[@]}" >/dev/null
files() { (cd "$1" && find . -mindepth 1 ! -type l -printf '%y %m %p\n' | sort); }
links() { (cd "$1/usr/bin" && find . -type l -printf '%f\n' | sort); }
[ "$(files "$tmp/root")" = "$(files "$tmp/ipkx/data")" ] ||
  fail "Package/sockbox/install files differ from the .ipk's: $(diff <(files "$tmp/root") <(files "$tmp/ipkx/data") | grep '^[<>]' | tr '\n' ' ')"
for l in $(links "$tmp/root"); do
  [ "$(readlink "$tmp/root/usr/bin/$l")" = sockbox ] || fail "Makefile link /usr/bin/$l does not point to sockbox"
done
(cd "$tmp/root" && find . -type l ! -path './usr/bin/*' | grep . >/dev/null) && fail "Makefile links outside /usr/bin"
links "$tmp/root" > "$tmp/mk.links"
links "$tmp/ipkx/data" > "$tmp/ipk.links"
bash cross/qemu-run.sh x86_64 --list | grep -vx -e netstat -e sockbox | sort > "$tmp/bin.links" || true
grep -qx netstat "$tmp/mk.links" && fail "Makefile links /usr/bin/netstat: netstat goes through ALTERNATIVES"
missing=$(comm -23 "$tmp/ipk.links" "$tmp/mk.links" | tr '\n' ' ')
[ -z "$missing" ] || fail "the .ipk links ${missing% } but Package/sockbox/install does not"
missing=$(comm -23 "$tmp/bin.links" "$tmp/mk.links" | tr '\n' ' ')
[ -z "$missing" ] || fail "sockbox --list has ${missing% }; add \$(LN) sockbox \$(1)/usr/bin/NAME to Package/sockbox/install"
pending=
for l in $(comm -13 "$tmp/bin.links" "$tmp/mk.links"); do
  out=$(bash cross/qemu-run.sh x86_64 "$l" --help 2>&1 </dev/null || true)
  [[ $out != *"applet not found"* ]] || fail "Makefile links /usr/bin/$l, an applet sockbox does not know"
  pending+="$l "
done

# 4. Build/Prepare's local source: the copied tree checks on its own.
mkdir -p "$tmp/build"
mk openwrt/sockbox stub-prepare PKG_BUILD_DIR="$tmp/build" >/dev/null
[ -f "$tmp/build/Cargo.toml" ] && [ -f "$tmp/build/Cargo.lock" ] && [ -d "$tmp/build/src" ] ||
  fail "Build/Prepare did not copy Cargo.toml, Cargo.lock and src/"
if command -v cargo >/dev/null; then
  (cd "$tmp/build" && CARGO_TARGET_DIR="$OLDPWD/target/openwrt-check" \
    cargo check -q --locked --release --bin sockbox 2>"$tmp/cargo.err") ||
    fail "cargo check of the Build/Prepare tree failed: $(tail -n 20 "$tmp/cargo.err")"
fi

# 5. menuconfig: an option per cargo feature, and each preset's options map to
# its features, its links and its ALTERNATIVES.
features=$(awk '/^\[/ { sec = $0; next } sec == "[features]" && /^[a-z][a-z0-9-]* *=/ { sub(/ *=.*/, ""); if ($0 != "default") print }' Cargo.toml | sort)
options=$(mk openwrt/sockbox stub-config | sed -n 's/^[[:space:]]*config SOCKBOX_//p' | sort)
want_options=$(for f in $features; do f=${f^^}; echo "${f//-/_}"; done | sort)
[ "$options" = "$want_options" ] ||
  fail "Package/sockbox/config options ($(echo $options)) are not one per cargo feature ($(echo $want_options))"
mk openwrt/sockbox stub-config > "$tmp/config.in"
[ "$(grep -v '^[[:space:]]*$' "$tmp/config.in" | head -n1 | tr -d '[:space:]')" = ifPACKAGE_sockbox ] &&
  [ "$(grep -v '^[[:space:]]*$' "$tmp/config.in" | tail -n1 | tr -d '[:space:]')" = endif ] ||
  fail "Package/sockbox/config is not wrapped in 'if PACKAGE_sockbox' ... 'endif'"
# A feature that needs another (Cargo.toml: route = ["netstat"]) depends on its option.
while read -r feat deps; do
  for d in $deps; do
    o=${feat^^} want=${d^^}
    awk -v o="config SOCKBOX_${o//-/_}" -v w="depends on SOCKBOX_${want//-/_}" \
      '$0 ~ /config SOCKBOX_/ { inside = ($0 ~ o"$") } inside && index($0, w) { found = 1 } END { exit !found }' "$tmp/config.in" ||
      fail "CONFIG_SOCKBOX_${o//-/_} lacks 'depends on SOCKBOX_${want//-/_}' (Cargo.toml: $feat needs $d)"
  done
done < <(awk '/^\[/ { sec = $0; next } sec == "[features]" && /^[a-z][a-z0-9-]* *= *\[/ && !/^default/ {
    name = $1; gsub(/.*\[|\].*|"|,/, " "); print name, $0 }' Cargo.toml)
compile=$(mk openwrt/sockbox stub-compile "${full_config[@]}")
[[ $compile == *"--no-default-features"* ]] || fail "Build/Compile does not pass --no-default-features: $compile"
checked=
for preset in $(preset_names); do
  mapfile -t cfg < <(config_of "$preset")
  out=$(mk openwrt/sockbox stub-preset "${cfg[@]}")
  got=$(sed -n 's/^features=//p' <<<"$out" | tr ' ' '\n' | sort | tr '\n' ' ')
  want=$(preset_features "$preset" | tr ' ' '\n' | sort | tr '\n' ' ')
  [ "$got" = "$want" ] || fail "preset $preset: menuconfig gives features '$got', cross/presets.tsv '$want'"
  alt=$(sed -n 's/^alternatives=//p' <<<"$out")
  case " $want " in
    *" netstat "*) [ "$alt" = "${v[ALTERNATIVES]}" ] || fail "preset $preset: ALTERNATIVES '$alt'" ;;
    *) [ -z "$alt" ] || fail "preset $preset has no netstat but ALTERNATIVES '$alt'" ;;
  esac
  bin=$(preset_dir "$preset")/x86_64/sockbox
  [ -x "$bin" ] || fail "$bin missing: run cross/dist.sh --all-configs x86_64"
  rm -rf "$tmp/p" && mkdir -p "$tmp/p/install/bin" "$tmp/p/root" "$tmp/p/ipkx/data"
  cp -p "$bin" "$tmp/p/install/bin/"
  mk openwrt/sockbox stub-install DEST="$tmp/p/root" PKG_INSTALL_DIR="$tmp/p/install" "${cfg[@]}" >/dev/null
  IPK_BINDIR=$(preset_dir "$preset") IPK_OUTDIR=$tmp/p/ipk bash cross/ipk.sh x86_64 >/dev/null
  tar -xzf "$tmp"/p/ipk/sockbox_*_x86_64.ipk -C "$tmp/p/ipkx"
  tar -xzf "$tmp/p/ipkx/data.tar.gz" -C "$tmp/p/ipkx/data"
  [ "$(links "$tmp/p/root" | tr '\n' ' ')" = "$(links "$tmp/p/ipkx/data" | tr '\n' ' ')" ] ||
    fail "preset $preset: Makefile links '$(links "$tmp/p/root" | tr '\n' ' ')', its .ipk '$(links "$tmp/p/ipkx/data" | tr '\n' ' ')'"
  desc=$(tar -xzOf "$tmp/p/ipkx/control.tar.gz" ./control | sed -n 's/^Description: //p')
  for a in $(tr ' ' '\n' <<<"$want" | sed "s/^conntrack$/conntrack-lite netstat-nat/" | tr " " "\n" | grep -x -e netstat -e ss-lite -e fuser-port -e conntrack-lite -e netstat-nat); do
    [[ $desc == *"$a"* ]] || fail "preset $preset: the .ipk's Description '$desc' does not name $a"
  done
  checked+="$preset "
done
# Without netstat: no /sbin/netstat alternative; without any applet: no build.
out=$(mk openwrt/sockbox stub-preset CONFIG_SOCKBOX_SS_LITE=y CONFIG_SOCKBOX_RESOLVER=y)
[ "$(sed -n 's/^alternatives=//p' <<<"$out")" = "" ] || fail "ALTERNATIVES without netstat: $out"
[ "$(sed -n 's/^features=//p' <<<"$out")" = "ss-lite resolver" ] || fail "ss-lite + resolver gives: $out"
out=$(mk openwrt/sockbox stub-preset CONFIG_SOCKBOX_RESOLVER=y)
[[ $out == *"sockbox: no applet selected"*"false"* ]] || fail "a build without applets is not refused: $out"

echo "ok  menuconfig: CONFIG_SOCKBOX_{$(echo $options | tr ' ' ',')} = the cargo features; presets ${checked% } map to their features, links and ALTERNATIVES"
echo "ok  openwrt/sockbox/Makefile: sockbox ${v[PKG_VERSION]}-${v[PKG_RELEASE]}, ALTERNATIVES ${v[ALTERNATIVES]}"
echo "ok  install = x86_64 .ipk data: /usr/bin/sockbox + links: $(tr '\n' ' ' < "$tmp/ipk.links")(.ipk), $(tr '\n' ' ' < "$tmp/mk.links")(Makefile)"
[ -z "$pending" ] || echo "note: Makefile links ${pending% }: applets sockbox knows but does not list (not built) yet"
