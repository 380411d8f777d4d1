# sockbox: `make run ARGS=-tulpn` to try it, `make test` to check everything.
SHELL := /bin/bash
CARGO ?= cargo
ARGS ?= -tulpn
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?=
# A preset of cross/presets.tsv (full, base, netstat, tiny) for dist and ipk.
CONFIG ?=
config_arg = $(if $(CONFIG),--config $(CONFIG))

.PHONY: build run setup test test-host test-presets test-cross test-vm test-pkg dist dist-all ipk size bench clean fuzz fuzz-smoke

build:
	$(CARGO) build --release --locked

## run: the netstat applet on this machine (ARGS=..., default -tulpn)
run: build
	./target/release/sockbox netstat $(ARGS)

## setup: everything the tests and cross builds need (idempotent)
setup:
	bash tests/setup.sh
	bash cross/setup.sh
	bash cross/vm/setup.sh

## test: host unit/fixture/live tests (full preset, then each other preset),
## every preset on all five targets, qemu fixture tests of full on each
## (big-endian twin for mips_24kc) and of tiny on mips_24kc, real kernels,
## the packages and the feed, every preset's size against its ceiling
test: setup test-host test-presets fuzz-smoke dist-all test-cross test-vm test-pkg size

test-host:
	$(CARGO) test --locked

## test-presets: the host tests again for each preset's feature set
test-presets:
	bash tests/presets.sh

test-cross:
	bash cross/unit.sh
	bash cross/test.sh
	bash cross/test.sh --config tiny mips_24kc
	bash cross/test.sh --config netstat mips_24kc

## test-vm: real kernels under qemu-system (mipsel, big-endian s390x): each applet
## against the guest's own net-tools, ss and psmisc, as root and not
test-vm:
	bash cross/vm/test.sh

## fuzz: each fuzz target (fuzz/) for FUZZ_SECONDS (default 600), one after
## the other; FUZZ_TARGETS="proc_inet addr" to choose; fails on any crash
fuzz:
	bash fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## fuzz-smoke: the same for 20 s a target (part of make test)
fuzz-smoke:
	bash fuzz/run.sh 20 $(FUZZ_TARGETS)

## test-pkg: ipk structure, reproducibility and arch; the OpenWrt feed Makefile
test-pkg:
	bash cross/ipk-test.sh
	bash openwrt/test.sh

## dist: static binaries in dist/<openwrt-arch>/sockbox; CONFIG=NAME builds
## that preset instead, into dist/NAME/<openwrt-arch>/sockbox
dist: setup
	bash cross/dist.sh $(config_arg)

## dist-all: every preset on every shipped target
dist-all: setup
	bash cross/dist.sh --all-configs

## ipk: dist/sockbox_<version>-<release>_<arch>.ipk per target (CONFIG=NAME:
## that preset's, in dist/NAME/)
ipk: dist
	bash cross/ipk.sh $(config_arg)

## size: PRESET TARGET BYTES CEILING ok|OVER for every preset and target,
## against cross/budget.tsv (builds what is missing; fails when over)
size: dist-all
	bash cross/size.sh

## bench: 24,000 sockets; netstat vs net-tools, busybox and ss, ss-lite vs ss;
## -tlnp's early stop on a server's scene (early.py; BENCH_BEFORE=BIN adds
## that sockbox, e.g. one built without the early stop, as the full scan);
## then RSS and time at 1k-100k sockets (scale.py) (root)
BENCH_BEFORE ?=
bench: setup
	bash cross/dist.sh x86_64
	unshare -n /usr/bin/python3 tests/bench/bench.py dist/x86_64/sockbox
	unshare -n /usr/bin/python3 tests/bench/ss_bench.py dist/x86_64/sockbox
	unshare -n /usr/bin/python3 tests/bench/early.py dist/x86_64/sockbox $(if $(BENCH_BEFORE),--before $(BENCH_BEFORE))
	unshare -n /usr/bin/python3 tests/bench/scale.py dist/x86_64/sockbox
	/usr/bin/python3 tests/bench/conntrack.py dist/x86_64/sockbox

clean:
	$(CARGO) clean
	rm -rf dist
