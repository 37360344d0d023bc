# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/kmod/: the netlink test program for memdisp.ko, statically linked so
# that the VM harness can drop it into its initramfs as is.  It needs the
# module loaded, so it runs inside the VM (tests/vm's vm-check); a local
# suite, kmod-vm-check, boots the VM itself with the selftest enabled.

KMODTEST_BIN := $(BUILD)/vm/memdisp-nltest
KMODTEST_CFLAGS := $(BASE_CFLAGS) -Iuapi $(NL_CFLAGS)
KMODTEST_LIBS := -static -lnl-genl-3 -lnl-3 -lpthread -lm

$(KMODTEST_BIN): tests/kmod/nltest.c uapi/linux/memdisp.h $(TESTS_COMMON_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(KMODTEST_CFLAGS) -o $@ $< $(KMODTEST_LIBS)

ALL_TARGETS += $(KMODTEST_BIN)
CHECK_TARGETS += $(KMODTEST_BIN)

CHECK_SUITES += tests/kmod/build-check.sh
BENCH_TARGETS += $(KMODTEST_BIN)
