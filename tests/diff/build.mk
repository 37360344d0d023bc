# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/diff: reference model of QEMU 7.2 rendering, random tree generator,
# differential suite against libmemdisp and a libFuzzer target.
#
#   build/tests/diff/model-test   self-test of the model (no library needed)
#   build/tests/diff/diff-test    >10,000 fixed-seed trees: library vs model
#   build/tests/diff/regress-test minimal reproducers of library bugs found
#   make fuzz                     libFuzzer run, FUZZ_TIME seconds (60)

DIFF_DIR := tests/diff
DIFF_OUT := $(BUILD)/tests/diff
DIFF_MODEL_SRCS := $(DIFF_DIR)/model.c $(DIFF_DIR)/gen.c
DIFF_HDRS := $(wildcard $(DIFF_DIR)/*.h)
DIFF_LIB_SRCS := $(DIFF_MODEL_SRCS) $(DIFF_DIR)/libdrv.c $(DIFF_DIR)/diffcore.c
FUZZ_TIME ?= 60

$(DIFF_OUT)/model-test: $(DIFF_DIR)/model-test.c $(DIFF_MODEL_SRCS) $(DIFF_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -o $@ $(DIFF_DIR)/model-test.c $(DIFF_MODEL_SRCS)

CHECK_TARGETS += $(DIFF_OUT)/model-test
CHECK_SUITES += $(DIFF_OUT)/model-test

# The library half needs libmemdisp (userlib/build.mk, branch "core").
# Fragments are included in sorted order, tests/ before userlib/, so the
# CORE_* variables are only used where make expands them late (recipes).
DIFF_CORE_A := $(BUILD)/lib/libmemdisp.a
ifneq ($(wildcard userlib/build.mk),)
$(DIFF_OUT)/diff-test: $(DIFF_DIR)/diff-test.c $(DIFF_DIR)/incr.c $(DIFF_LIB_SRCS) $(DIFF_HDRS) $(DIFF_CORE_A)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Iuserlib/include -o $@ $(DIFF_DIR)/diff-test.c \
		$(DIFF_DIR)/incr.c $(DIFF_LIB_SRCS) $(BUILD)/lib/libmemdisp.a $(CORE_LDLIBS)

$(DIFF_OUT)/regress-test: $(DIFF_DIR)/regress-test.c $(DIFF_LIB_SRCS) $(DIFF_HDRS) $(DIFF_CORE_A)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Iuserlib/include -o $@ $(DIFF_DIR)/regress-test.c \
		$(DIFF_LIB_SRCS) $(BUILD)/lib/libmemdisp.a $(CORE_LDLIBS)

CHECK_TARGETS += $(DIFF_OUT)/diff-test $(DIFF_OUT)/regress-test
CHECK_SUITES += $(DIFF_OUT)/diff-test $(DIFF_OUT)/regress-test

# libFuzzer build: the library's own sources, same sanitizer flags.
DIFF_FZ_FLAGS := -std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Iuserlib/include -Iuserlib -Iuserlib/dispatch -Ilib

$(DIFF_OUT)/fuzz-render: $(DIFF_DIR)/fuzz-render.c $(DIFF_LIB_SRCS) $(DIFF_HDRS) $(wildcard userlib/*.c userlib/*.h userlib/include/memdisp/*.h lib/*.c lib/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) $(DIFF_FZ_FLAGS) -o $@ $(DIFF_DIR)/fuzz-render.c \
		$(DIFF_LIB_SRCS) $(CORE_SRCS) $(CORE_MDX_SRC) $(CORE_LDLIBS)

.PHONY: diff-fuzz-run
diff-fuzz-run: $(DIFF_OUT)/fuzz-render
	@mkdir -p $(DIFF_OUT)/corpus
	cp -n $(DIFF_DIR)/corpus/* $(DIFF_OUT)/corpus/ 2>/dev/null || true
	$(DIFF_OUT)/fuzz-render -max_total_time=$(FUZZ_TIME) -max_len=4096 \
		-print_final_stats=1 -artifact_prefix=$(DIFF_OUT)/ \
		$(DIFF_OUT)/corpus

FUZZ_TARGETS += diff-fuzz-run
endif
