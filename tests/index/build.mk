# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/index: the mdindex suite (plain, ASan+UBSan, valgrind), its
# libFuzzer target and its userspace benchmark.

IDX_DIR := tests/index
IDX_OUT := $(BUILD)/tests/index
IDX_DEPS := $(IDX_DIR)/mdx_gen.h $(MDINDEX_SRC) $(MDINDEX_HDR) \
	$(TESTS_COMMON_HDRS)
IDX_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_TIME ?= 60

IDX_TEST := $(IDX_OUT)/test_mdindex
IDX_TEST_SAN := $(IDX_OUT)/test_mdindex_asan
IDX_VALGRIND := $(IDX_DIR)/valgrind.sh
IDX_FUZZ := $(IDX_OUT)/fuzz_mdindex
IDX_BENCH := $(IDX_OUT)/bench_mdindex

$(IDX_TEST): $(IDX_DIR)/test_mdindex.c $(MDINDEX_OBJ) $(IDX_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Ilib -o $@ $< $(MDINDEX_OBJ)

# Index and test compiled together with the sanitizers, with the hint
# table density of memdisp.ko (the plain build has the library's).
$(IDX_TEST_SAN): $(IDX_DIR)/test_mdindex.c $(IDX_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) -O1 $(IDX_SAN) -DMDX_HINT_DENSITY=8U -Ilib \
		-o $@ $< $(MDINDEX_SRC)

$(IDX_FUZZ): $(IDX_DIR)/fuzz_mdindex.c $(IDX_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -Ilib -o $@ $< $(MDINDEX_SRC)

$(IDX_BENCH): $(IDX_DIR)/bench_mdindex.c $(MDINDEX_OBJ) $(IDX_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Ilib -o $@ $< $(MDINDEX_OBJ)

.PHONY: fuzz-mdindex
fuzz-mdindex: $(IDX_FUZZ)
	@mkdir -p $(IDX_OUT)/corpus
	$(IDX_FUZZ) -max_total_time=$(FUZZ_TIME) -max_len=4096 \
		-print_final_stats=1 $(IDX_OUT)/corpus

CHECK_TARGETS += $(IDX_TEST) $(IDX_TEST_SAN)
CHECK_SUITES += $(IDX_TEST) $(IDX_TEST_SAN) $(IDX_VALGRIND)
FUZZ_TARGETS += fuzz-mdindex
BENCH_TARGETS += $(IDX_BENCH)
BENCH_CMDS += $(IDX_BENCH)
