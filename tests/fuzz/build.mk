# SPDX-License-Identifier: GPL-2.0-or-later
#
# A short, fixed-seed run of every libFuzzer target inside make check, so
# that the fuzzers keep building and their first inputs keep passing.  The
# long runs are `make fuzz`.  The targets' rules are in their own
# directories' build.mk.
FUZZ_SMOKE_BINS := $(BUILD)/tests/access/fuzz_memops \
	$(BUILD)/tests/diff/fuzz-render \
	$(BUILD)/tests/index/fuzz_mdindex \
	$(BUILD)/tests/oracle/fuzz-mtree-parse

CHECK_TARGETS += $(FUZZ_SMOKE_BINS)
CHECK_SUITES += tests/fuzz/smoke.sh
