# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/bench: render/commit/memory benchmarks of libmemdisp and one-by-one
# RAM mapping against Unicorn (libunicorn-dev), both timed in the same run.
#
#   make bench                          "bench: NAME VALUE UNIT" lines
#   BENCH_UC_N=1000,2000,3000 make bench  Unicorn sizes (each < 4096)

BENCH_DIR := tests/bench
BENCH_OUT := $(BUILD)/tests/bench

$(BENCH_OUT)/uc-bench: $(BENCH_DIR)/uc-bench.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -o $@ $< -lunicorn

BENCH_TARGETS += $(BENCH_OUT)/uc-bench

# tests/ fragments are read before userlib/build.mk: CORE_* only in recipes.
ifneq ($(wildcard userlib/build.mk),)
# render-bench runs the uc-bench beside it, in the same run.
$(BENCH_OUT)/render-bench: $(BENCH_DIR)/render-bench.c $(BUILD)/lib/libmemdisp.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Iuserlib/include -o $@ $< $(BUILD)/lib/libmemdisp.a $(CORE_LDLIBS)

BENCH_TARGETS += $(BENCH_OUT)/render-bench
BENCH_CMDS += $(BENCH_OUT)/render-bench
else
BENCH_CMDS += $(BENCH_OUT)/uc-bench
endif
