# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/kbench: memdisp_kbench.ko, an out-of-tree module timing the shared
# index against the maple tree, vhost's IOTLB and bisection inside a TCG VM,
# and checking in the kernel that all four agree.

KBENCH_DIR := tests/kbench
KBENCH_KO := $(KBENCH_DIR)/memdisp_kbench.ko
KBENCH_SRCS := $(KBENCH_DIR)/kbench_main.c $(KBENCH_DIR)/kbench_mdindex.c \
	$(KBENCH_DIR)/Kbuild $(MDINDEX_SRC) $(MDINDEX_HDR)

# W=1 and sparse in one build; any warning fails it (and drops the .ko).
$(KBENCH_KO): $(KBENCH_SRCS)
	@mkdir -p $(BUILD)
	set -o pipefail; $(MAKE) -C $(KDIR) M=$(CURDIR)/$(KBENCH_DIR) W=1 C=1 \
		modules 2>&1 | tee $(BUILD)/kbench-build.log
	@if grep -E 'warning:|error:' $(BUILD)/kbench-build.log; then \
		rm -f $@; echo "kbench: warnings in the module build" >&2; exit 1; fi

.PHONY: kbench-clean
kbench-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(KBENCH_DIR) clean

ifneq ($(wildcard $(KDIR)/Makefile),)
CHECK_TARGETS += $(KBENCH_KO)
CHECK_SUITES += $(KBENCH_DIR)/check.sh
BENCH_TARGETS += $(KBENCH_KO)
BENCH_CMDS += $(KBENCH_DIR)/run-kbench.sh
endif
