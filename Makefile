# SPDX-License-Identifier: GPL-2.0
# kvm-fpu-fixes: `make` runs the matrix (the main job), `make check` the tests.
#
#   make                      every row of ./series: apply, check, build, boot
#   make STEPS=apply,check    only some steps (MATRIX_ARGS="--base v3.11" filters)
#   make check                the test suite (always-on tier + whatever trees are cached)
#   make deps                 install the Debian packages (root) or print the apt-get line
#   make positive-control     Debian 5.10 with bug 2 put back must fail, without it pass,
#                             10 boots each (make check does 2 and 1; the fetch and the
#                             cold build, about 9 min on 2 cores, are shared)

SHELL := /bin/bash
STEPS ?= apply,check,build,boot
MATRIX_ARGS ?=
PROVE_FLAGS ?=
CONTROL_RUNS ?= 10
MUTATION := patches/mutations/no-tif-need-fpu-load
TESTS ?= $(wildcard tests/*.bats)

.PHONY: all matrix check deps lint positive-control

all: matrix

matrix: deps
	scripts/matrix --steps $(STEPS) $(MATRIX_ARGS)

deps:
	@scripts/deps

# Shell lint first: it is quick and catches what the tests would trip over.
lint:
	shellcheck -x $(filter-out scripts/lib scripts/data,$(wildcard scripts/[a-z]*)) scripts/lib/*.sh .ci/run \
		$(wildcard repro/initramfs/init repro/initramfs/mk*)

check: deps lint
	prove $(PROVE_FLAGS) -e bats $(TESTS)

# The mutated cell must fail fpu-state and emulator in every run (scripts/boot
# exit 1) and the unmutated one pass them (exit 0); anything else stops make.
positive-control: deps
	scripts/tree list | grep -q '^debian-5.10 .*/trees/' || scripts/tree fetch debian-5.10
	scripts/build none debian-5.10
	scripts/build $(MUTATION) debian-5.10
	scripts/boot none debian-5.10 --test fpu-state,emulator --runs $(CONTROL_RUNS)
	scripts/boot $(MUTATION) debian-5.10 --test fpu-state,emulator --runs $(CONTROL_RUNS); \
		rc=$$?; [ $$rc -eq 1 ] || { echo "positive control: expected the bug (exit 1), got exit $$rc" >&2; exit 1; }
