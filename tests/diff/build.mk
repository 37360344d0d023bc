# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/diff: reference model of QEMU 7.2 rendering, random tree generator,
# differential suite against libmemdisp and a libFuzzer target.

DIFF_DIR := tests/diff
DIFF_OUT := $(BUILD)/tests/diff
DIFF_MODEL_SRCS := $(DIFF_DIR)/model.c $(DIFF_DIR)/gen.c
DIFF_MODEL_HDRS := $(DIFF_DIR)/model.h $(DIFF_DIR)/gen.h

$(DIFF_OUT)/model-test: $(DIFF_DIR)/model-test.c $(DIFF_MODEL_SRCS) $(DIFF_MODEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -o $@ $(DIFF_DIR)/model-test.c $(DIFF_MODEL_SRCS)

CHECK_TARGETS += $(DIFF_OUT)/model-test
CHECK_SUITES += $(DIFF_OUT)/model-test
