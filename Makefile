# SPDX-License-Identifier: GPL-2.0-or-later
#
# memdisp top-level Makefile.
#
#   make            library (.so/.a/.pc) and tools, under build/
#   make kmod       memdisp.ko against KDIR (Debian's linux-headers-amd64)
#   make check      every test suite; ends with "N passed, N failed"
#   make check-lib  the userspace suites only (no VM boots, no module build)
#   make bench      benchmarks ("bench: NAME VALUE UNIT" lines)
#   make fuzz       libFuzzer targets (short bounded runs)
#   make demo       the main job (see README)
#   make install    honours PREFIX and DESTDIR
#
# Each directory adds itself through a build.mk fragment that appends to the
# lists below; only this file knows how they are put together.

SHELL := /bin/bash
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CLANG ?= clang
CFLAGS ?= -O2 -g
WFLAGS := -Wall -Wextra -Werror
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -fPIC $(WFLAGS) $(CFLAGS)
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)
URCU_LIBS := -lurcu-memb -lurcu-common
CMOCKA_LIBS := -lcmocka

# Kernel build directory: the running kernel's when it exists, else the
# newest Debian linux-headers-* (the host kernel here has no module support).
KDIR ?= $(or $(wildcard /lib/modules/$(shell uname -r)/build),\
	$(lastword $(sort $(filter-out %-common,$(wildcard /usr/src/linux-headers-*)))))

# Lists the fragments append to.
ALL_TARGETS :=		# built by "make"
CHECK_TARGETS :=	# built before the suites run
CHECK_SUITES :=		# executables/scripts printing TAP or KTAP, run by make check
BENCH_TARGETS :=
BENCH_CMDS :=		# executables (no arguments) printing "bench: NAME VALUE UNIT"
FUZZ_TARGETS :=
INSTALL_TARGETS :=

.PHONY: all real-all check check-lib bench fuzz demo install clean deps
all: real-all

# Headers shared by the test programs (TAP output, the delta model).
TESTS_COMMON_HDRS := $(wildcard tests/common/*.h)

include $(wildcard lib/*.mk userlib/*.mk kmod/*.mk tools/*.mk examples/*.mk tests/*/build.mk)

real-all: $(ALL_TARGETS)

deps:
	@scripts/deps.sh -q

check: deps
	@$(MAKE) --no-print-directory $(ALL_TARGETS) $(CHECK_TARGETS)
	@env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL scripts/run-suites.sh $(BUILD)/logs $(CHECK_SUITES)

# Suites that boot a VM or build the module; check-lib leaves them out.
VM_SUITES := tests/e2e/run tests/kbench/check.sh tests/kmod/build-check.sh \
	tests/nlfuzz/run tests/vm/harness-check.sh tests/vm/vm-check
check-lib: deps
	@$(MAKE) --no-print-directory $(ALL_TARGETS) \
		$(filter-out kmod %.ko $(BUILD)/vm/%,$(CHECK_TARGETS))
	@env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL scripts/run-suites.sh \
		$(BUILD)/logs $(filter-out $(VM_SUITES),$(CHECK_SUITES))

bench: deps
	@$(MAKE) --no-print-directory $(ALL_TARGETS) $(BENCH_TARGETS)
	@set -e; export BUILD=$(BUILD); $(foreach c,$(BENCH_CMDS),echo "== $(c)"; $(c);)

fuzz: deps $(FUZZ_TARGETS)

install: $(INSTALL_TARGETS)

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1 || true
