# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/vm: boot the installed Debian kernel under QEMU/TCG with an initramfs
# (tests/vm/run-vm.sh) and run the kernel tests there.

VM_DIR := tests/vm

CHECK_SUITES += $(VM_DIR)/harness-check.sh

.PHONY: vm-harness-check
vm-harness-check:
	@$(VM_DIR)/harness-check.sh
