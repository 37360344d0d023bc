# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/vm: boot the installed Debian kernel under QEMU/TCG with an initramfs
# (tests/vm/run-vm.sh) and run the kernel tests there.
#
#   make vm-check          build the module (kmod fragment), the static test
#                          programs, and run every in-VM test in one boot
#   make vm-harness-check  tests of run-vm.sh itself (several short boots)

VM_DIR := tests/vm
VM_TEST_BIN := $(BUILD)/vm/md-vmtest
VM_TEST_SRCS := $(VM_DIR)/md-vmtest.c $(VM_DIR)/mdnl.c
VM_TEST_HDRS := $(VM_DIR)/mdnl.h uapi/linux/memdisp.h
# Static: the initramfs holds no shared libraries.  -fPIC is dropped from
# BASE_CFLAGS' effect by -static -no-pie linking.
VM_TEST_CFLAGS := $(BASE_CFLAGS) -Iuapi $(NL_CFLAGS)
VM_TEST_LIBS := -static -lnl-genl-3 -lnl-3 -lpthread

$(VM_TEST_BIN): $(VM_TEST_SRCS) $(VM_TEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(VM_TEST_CFLAGS) -o $@ $(VM_TEST_SRCS) $(VM_TEST_LIBS)

CHECK_TARGETS += $(VM_TEST_BIN)
CHECK_SUITES += $(VM_DIR)/harness-check.sh $(VM_DIR)/vm-check

# The module comes from kmod's fragment ("make kmod" leaves it in
# $(BUILD)/vm/memdisp.ko); without that fragment this target fails.
.PHONY: vm-check vm-harness-check
vm-check: kmod $(VM_TEST_BIN) $(filter $(BUILD)/vm/%,$(CHECK_TARGETS))
	@BUILD=$(BUILD) $(VM_DIR)/vm-check

vm-harness-check:
	@BUILD=$(BUILD) $(VM_DIR)/harness-check.sh
