# SPDX-License-Identifier: GPL-2.0
#
# kmod/: memdisp.ko (built by Kbuild at the top level) and its checks.
#
#   make kmod        memdisp.ko against $(KDIR), W=1
#   make kmod-check  W=1 and sparse (C=1) builds, any warning an error
#
# The module joins ALL_TARGETS only when KDIR holds a kernel build tree.

KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h) lib/mdindex.c lib/mdindex.h \
	uapi/linux/memdisp.h Kbuild
KMOD_KO := memdisp.ko
KMOD_BENCH_KO := memdisp_bench.ko

.PHONY: kmod kmod-check kmod-clean

$(KMOD_KO) $(KMOD_BENCH_KO) &: $(KMOD_SRCS) $(wildcard kmod/bench/*.c)
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

kmod: $(KMOD_KO) $(KMOD_BENCH_KO)
	@mkdir -p $(BUILD)/vm
	cp $(KMOD_KO) $(BUILD)/vm/memdisp.ko
	cp $(KMOD_BENCH_KO) $(BUILD)/vm/memdisp_bench.ko

# Rebuild from scratch so that every file is compiled and checked; fail on
# any compiler or sparse warning.
kmod-check:
	@mkdir -p $(BUILD)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules 2>&1 | tee $(BUILD)/kmod-w1.log
	@! grep -E 'warning:|error:' $(BUILD)/kmod-w1.log
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=1 modules 2>&1 | tee $(BUILD)/kmod-sparse.log
	@! grep -E 'warning:|error:' $(BUILD)/kmod-sparse.log

kmod-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

ifneq ($(wildcard $(KDIR)/Makefile),)
ALL_TARGETS += kmod
BENCH_TARGETS += kmod
BENCH_CMDS += tests/kmod/bench.sh
endif
