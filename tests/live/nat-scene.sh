# A NAT router between two hosts, each in a named network namespace, for
# the conntrack readers (/proc/net/nf_conntrack as the router sees it):
#
#   PREFIX-lan  eth0 192.168.77.2/24 fd77::2/64
#       |
#   PREFIX-router  lan 192.168.77.1 fd77::1 | wan 203.0.113.1/24 2001:db8:77::1/64
#       |
#   PREFIX-wan  eth0 203.0.113.2/24 2001:db8:77::2/64
#
#   sh tests/live/nat-scene.sh PREFIX        build it (root; nft needed)
#   sh tests/live/nat-scene.sh PREFIX down   remove it (= nat-scene-down.sh)
#
# The router forwards and masquerades out of wan (IPv4 and IPv6), forwards
# 203.0.113.1:8080 to 192.168.77.2:80, sets ct mark 42 on TCP to port 5201,
# puts UDP to port 5301 in zone 7 (both ways) and UDP to port 5302 in zone 8
# for its original direction only, and counts packets and bytes
# (nf_conntrack_acct=1). tests/live/nat_flows.py PREFIX makes the traffic.
# Named namespaces outlive this script: a failed build removes what it made,
# and the caller must run the down form when done.
set -e
prefix=$1
[ -n "$prefix" ] || { echo "usage: nat-scene.sh PREFIX [down]" >&2; exit 2; }
here=$(dirname "$0")
if [ "$2" = down ]; then
    exec sh "$here/nat-scene-down.sh" "$prefix"
fi
lan=$prefix-lan router=$prefix-router wan=$prefix-wan
for ns in "$lan" "$router" "$wan"; do
    if ip netns list | grep -qx "$ns\( .*\)\?"; then
        echo "nat-scene.sh: namespace $ns exists already" >&2
        exit 1
    fi
done
trap 'sh "$here/nat-scene-down.sh" "$prefix"' EXIT
for ns in "$lan" "$router" "$wan"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # No duplicate address detection: addresses are usable at once. Link-local
    # addresses stay (without them the router's neighbour solicitations for
    # fd77::2 went unanswered once its first, learnt entry had expired).
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
ip -n "$router" link add lan type veth peer name eth0 netns "$lan"
ip -n "$router" link add wan type veth peer name eth0 netns "$wan"
for pair in "$router lan" "$router wan" "$lan eth0" "$wan eth0"; do
    set -- $pair
    ip -n "$1" link set "$2" up
done
ip -n "$lan" addr add 192.168.77.2/24 dev eth0
ip -n "$lan" -6 addr add fd77::2/64 dev eth0 nodad
ip -n "$lan" route add default via 192.168.77.1
ip -n "$lan" -6 route add default via fd77::1
ip -n "$router" addr add 192.168.77.1/24 dev lan
ip -n "$router" -6 addr add fd77::1/64 dev lan nodad
ip -n "$router" addr add 203.0.113.1/24 dev wan
ip -n "$router" -6 addr add 2001:db8:77::1/64 dev wan nodad
ip -n "$wan" addr add 203.0.113.2/24 dev eth0
ip -n "$wan" -6 addr add 2001:db8:77::2/64 dev eth0 nodad
# The WAN host knows no route back to the LAN: only NAT gets answers there.
ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
    net.netfilter.nf_conntrack_acct=1
ip netns exec "$router" nft -f - <<'NFT'
table inet sbxnat {
    chain raw_pre {
        type filter hook prerouting priority raw; policy accept;
        iifname "lan" udp dport 5301 ct zone set 7
        iifname "wan" udp sport 5301 ct zone set 7
        iifname "lan" udp dport 5302 ct original zone set 8
    }
    chain dstnat {
        type nat hook prerouting priority dstnat; policy accept;
        iifname "wan" ip daddr 203.0.113.1 tcp dport 8080 dnat ip to 192.168.77.2:80
    }
    chain forward {
        type filter hook forward priority filter; policy accept;
        ct state new tcp dport 5201 ct mark set 42
    }
    chain srcnat {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "wan" masquerade
    }
}
NFT
trap - EXIT
