# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/nlfuzz: a seeded generic-netlink fuzzer for memdisp.ko.  The
# program is static (it runs in the VM's initramfs); tests/nlfuzz/run boots
# the VM once with memdisp.ko and runs it (NLFUZZ_ITERS, NLFUZZ_ROUNDS,
# NLFUZZ_SEED for longer or other runs).

NLFUZZ_BIN := $(BUILD)/vm/nlfuzz
NLFUZZ_CFLAGS := $(BASE_CFLAGS) -Iuapi

$(NLFUZZ_BIN): tests/nlfuzz/nlfuzz.c uapi/linux/memdisp.h $(TESTS_COMMON_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(NLFUZZ_CFLAGS) -o $@ $< -static

CHECK_TARGETS += $(NLFUZZ_BIN)
CHECK_SUITES += tests/nlfuzz/run

.PHONY: nlfuzz-check
nlfuzz-check: kmod $(NLFUZZ_BIN)
	@BUILD=$(BUILD) tests/nlfuzz/run
