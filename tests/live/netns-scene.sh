# The network scene of the live tests and of captured fixtures, run in a fresh
# network namespace (tests/common: private_netns, tests/capture-fixture.sh):
# loopback, a veth pair, IPv4 and IPv6 addresses and routes of every kind
# netstat -r shows. No generated link-local addresses and no duplicate address
# detection, so nothing changes while a test compares.
set -e
ip link set lo up
ip link add sbx0 type veth peer name sbx1
ip addr add 192.0.2.1/24 dev sbx0
ip link set sbx0 addrgenmode none
ip link set sbx1 addrgenmode none
ip link set sbx0 up
ip link set sbx1 up
# An interface with a name of the full 15 bytes, and one left down.
ip link add sbx-iface-long1 type veth peer name sbxlong1peer
ip link set sbx-iface-long1 addrgenmode none
ip link set sbxlong1peer addrgenmode none
ip link set sbx-iface-long1 up
ip link add sbxdown0 type veth peer name sbxdown1
ip route add default via 192.0.2.254 dev sbx0
# The two halves of the IPv4 space shadow the default route: a DNS query
# gets EHOSTUNREACH at once instead of waiting for an ARP reply.
ip route add unreachable 0.0.0.0/1
ip route add unreachable 128.0.0.0/1
ip route add 198.51.100.0/24 via 192.0.2.253 dev sbx0 metric 7
ip route add prohibit 203.0.113.0/24
ip route add 169.254.0.0/16 dev sbx0
ip route add 192.0.2.77 via 192.0.2.254 dev sbx0
ip -6 addr add 2001:db8::1/64 dev sbx0 nodad
ip -6 route add default via 2001:db8::ff dev sbx0 metric 1024
ip -6 route add 2001:db8:1::/48 via 2001:db8::fe dev sbx0 metric 7
ip -6 route add 2001:db8:2::/64 via 2001:db8::fe dev sbx0 expires 3000
ip -6 route add unreachable 2001:db8:dead::/48
ip -6 route add prohibit 2001:db8:beef::/48
