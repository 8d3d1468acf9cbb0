# SPDX-License-Identifier: GPL-2.0
# kvm-fpu-fixes: `make` runs the matrix (the main job), `make check` the tests.
#
#   make                      every row of ./series: apply, check, build, boot
#   make STEPS=apply,check    only some steps (MATRIX_ARGS="--base v3.11" filters)
#   make check                the test suite (always-on tier + whatever trees are cached)
#   make deps                 install the Debian packages (root) or print the apt-get line

SHELL := /bin/bash
STEPS ?= apply,check,build,boot
MATRIX_ARGS ?=
PROVE_FLAGS ?=
TESTS ?= $(wildcard tests/*.bats)

.PHONY: all matrix check deps lint

all: matrix

matrix: deps
	scripts/matrix --steps $(STEPS) $(MATRIX_ARGS)

deps:
	@scripts/deps

# Shell lint first: it is quick and catches what the tests would trip over.
lint:
	shellcheck -x $(filter-out scripts/lib,$(wildcard scripts/[a-z]*)) scripts/lib/*.sh .ci/run \
		$(wildcard repro/initramfs/init repro/initramfs/mk*)

check: deps lint
	prove $(PROVE_FLAGS) -e bats $(TESTS)
