# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/access: the access engine of userlib/dispatch/ (MemoryRegionOps
# dispatch, ioeventfd matching, dirty-log bitmaps, bounce pool).
# Until the library's build.mk links userlib/dispatch/, the sources are
# compiled straight into each test binary.  Every suite runs twice: a
# plain -O2 build and a clang ASan+UBSan build.

ACC_DIR := tests/access
ACC_OUT := $(BUILD)/tests/access
ACC_SRC_DIR := userlib/dispatch
ACC_SRCS := $(ACC_SRC_DIR)/memops.c $(ACC_SRC_DIR)/ioeventfd.c \
	$(ACC_SRC_DIR)/dirty.c $(ACC_SRC_DIR)/bounce.c
ACC_HDRS := $(ACC_SRC_DIR)/dispatch.h $(ACC_SRC_DIR)/md-compat.h \
	$(wildcard userlib/include/memdisp/*.h) \
	$(ACC_DIR)/acc_test.h
ACC_INC := -I$(ACC_SRC_DIR) -Iuserlib/include
ACC_LIBS := $(URCU_LIBS) $(CMOCKA_LIBS) -lpthread
ACC_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
ACC_FUZZ_TIME ?= 30

ACC_NAMES := test_memops test_ioeventfd test_dirty test_bounce
ACC_TESTS := $(addprefix $(ACC_OUT)/,$(ACC_NAMES))
ACC_TESTS_SAN := $(addsuffix _asan,$(ACC_TESTS))
ACC_FUZZ := $(ACC_OUT)/fuzz_memops

# The MemoryRegion entry points (mr_dispatch.c) against the library's
# regions: linked with libmemdisp.a (userlib/build.mk, included after this
# fragment, so its path is spelled out).
ACC_LIBA := $(BUILD)/lib/libmemdisp.a
ACC_MR := $(ACC_OUT)/test_mr_dispatch
ACC_MR_SRCS :=
ACC_MR_DEPS := $(ACC_DIR)/test_mr_dispatch.c $(ACC_MR_SRCS) $(ACC_HDRS) \
	$(ACC_LIBA) $(wildcard userlib/include/memdisp/*.h)

# ThreadSanitizer builds of the suites with threads (the ioeventfd one is
# left out: liburcu's memb flavour synchronizes through membarrier(2),
# which TSan cannot see).  TSan reports make the suite exit non-zero.
ACC_TSAN_NAMES := test_memops test_dirty test_bounce
ACC_TESTS_TSAN := $(addprefix $(ACC_OUT)/,$(addsuffix _tsan,$(ACC_TSAN_NAMES)))

$(ACC_OUT)/test_%_tsan: $(ACC_DIR)/test_%.c $(ACC_SRCS) $(ACC_HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) -O1 -fsanitize=thread -DC_ROUNDS=10 \
		$(ACC_INC) -o $@ $< $(ACC_SRCS) $(ACC_LIBS)

# The engine with its own QEMU types (old_mmio included), as before the
# library header existed: keeps that configuration tested.
ACC_STANDALONE := $(ACC_OUT)/test_memops_standalone

$(ACC_OUT)/test_%: $(ACC_DIR)/test_%.c $(ACC_SRCS) $(ACC_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(ACC_INC) -o $@ $< $(ACC_SRCS) $(ACC_LIBS)

$(ACC_OUT)/test_%_asan: $(ACC_DIR)/test_%.c $(ACC_SRCS) $(ACC_HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) -O1 $(ACC_SAN) $(ACC_INC) -o $@ $< \
		$(ACC_SRCS) $(ACC_LIBS)

$(ACC_FUZZ): $(ACC_DIR)/fuzz_memops.c $(ACC_SRCS) $(ACC_HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(ACC_INC) -o $@ $< $(ACC_SRCS) \
		$(URCU_LIBS) -lpthread

$(ACC_MR): $(ACC_MR_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(ACC_INC) -o $@ $< $(ACC_MR_SRCS) $(ACC_LIBA) \
		$(ACC_LIBS)

$(ACC_MR)_asan: $(ACC_MR_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) -O1 $(ACC_SAN) $(ACC_INC) -o $@ $< \
		$(ACC_MR_SRCS) $(ACC_LIBA) $(ACC_LIBS)

$(ACC_STANDALONE): $(ACC_DIR)/test_memops.c $(ACC_SRCS) $(ACC_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -DMEMDISP_DISPATCH_STANDALONE $(ACC_INC) -o $@ $< \
		$(ACC_SRCS) $(ACC_LIBS)

ACC_BENCH := $(ACC_OUT)/bench_memops

$(ACC_BENCH): $(ACC_DIR)/bench_memops.c $(ACC_SRCS) $(ACC_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(ACC_INC) -o $@ $< $(ACC_SRCS) $(URCU_LIBS) \
		-lpthread

.PHONY: fuzz-access
fuzz-access: $(ACC_FUZZ)
	@mkdir -p $(ACC_OUT)/corpus
	$(ACC_FUZZ) -max_total_time=$(ACC_FUZZ_TIME) -max_len=512 \
		-print_final_stats=1 $(ACC_OUT)/corpus

ACC_ALL := $(ACC_TESTS) $(ACC_TESTS_SAN) $(ACC_TESTS_TSAN) $(ACC_STANDALONE) \
	$(if $(wildcard userlib/include/memdisp/memory.h),$(ACC_MR) $(ACC_MR)_asan)
CHECK_TARGETS += $(ACC_ALL)
CHECK_SUITES += $(ACC_ALL)
FUZZ_TARGETS += fuzz-access
BENCH_TARGETS += $(ACC_BENCH)
BENCH_CMDS += $(ACC_BENCH)
