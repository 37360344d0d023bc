# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/e2e: the kernel mirror end to end, in one VM boot (tests/e2e/run):
# libmemdisp builds maps, mirrors them into memdisp.ko and compares the
# kernel's translations with its own view.  "make bench" runs e2e bench.

E2E_BIN := $(BUILD)/tests/e2e/e2e
E2E_CFLAGS := $(BASE_CFLAGS) -Iuserlib/include $(NL_CFLAGS)
# (userlib/ fragments are read after this one: name the archive directly.)
# Static: the VM's initramfs has no shared libraries.
E2E_LIBS := -static $(BUILD)/lib/libmemdisp.a $(NL_LIBS) $(URCU_LIBS) -lpthread -lm

CHECK_TARGETS += $(E2E_BIN) $(BUILD)/bin/memdispctl kmod
CHECK_SUITES += tests/e2e/run
BENCH_TARGETS += $(E2E_BIN) kmod
BENCH_CMDS += tests/e2e/bench.sh

$(E2E_BIN): tests/e2e/e2e.c $(BUILD)/lib/libmemdisp.a userlib/include/memdisp/kernel.h \
		uapi/linux/memdisp.h
	@mkdir -p $(dir $@)
	$(CC) $(E2E_CFLAGS) -o $@ $< $(E2E_LIBS)
