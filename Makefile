# sockbox: `make run ARGS=-tulpn` to try it, `make test` to check everything.
SHELL := /bin/bash
CARGO ?= cargo
ARGS ?= -tulpn
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?=

.PHONY: build run setup test test-host test-cross test-vm test-pkg dist ipk size bench clean fuzz fuzz-smoke

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

## test: host unit/fixture/live tests, all five cross builds, qemu fixture
## tests on each (big-endian twin for mips_24kc), the packages, the size budget
test: setup test-host fuzz-smoke dist test-cross test-vm test-pkg size

test-host:
	$(CARGO) test --locked

test-cross:
	bash cross/test.sh

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

## dist: static binaries in dist/<openwrt-arch>/sockbox
dist: setup
	bash cross/dist.sh

## ipk: dist/sockbox_<version>-<release>_<arch>.ipk per target
ipk: dist
	bash cross/ipk.sh

## size: bytes per target against cross/budget.tsv (fails when over)
size:
	bash cross/size.sh

## bench: 24,000 sockets; netstat vs net-tools, busybox and ss, ss-lite vs ss;
## then RSS and time at 1k-100k sockets (scale.py) (root)
bench: setup
	bash cross/dist.sh x86_64
	unshare -n /usr/bin/python3 tests/bench/bench.py dist/x86_64/sockbox
	unshare -n /usr/bin/python3 tests/bench/ss_bench.py dist/x86_64/sockbox
	unshare -n /usr/bin/python3 tests/bench/scale.py dist/x86_64/sockbox

clean:
	$(CARGO) clean
	rm -rf dist
