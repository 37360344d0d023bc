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

$(VM_TEST_BIN): $(VM_TEST_SRCS) $(VM_TEST_HDRS) $(TESTS_COMMON_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(VM_TEST_CFLAGS) -o $@ $(VM_TEST_SRCS) $(VM_TEST_LIBS)

CHECK_TARGETS += $(VM_TEST_BIN)

# md_torn.ko: in-kernel readers for the torn-map test, built against
# memdisp.ko's Module.symvers (so after "make kmod").
VM_TORN_DIR := $(VM_DIR)/torn
VM_TORN_KO := $(BUILD)/vm/md_torn.ko

$(VM_TORN_KO): $(VM_TORN_DIR)/md_torn.c $(VM_TORN_DIR)/torn_sig.h \
		$(VM_TORN_DIR)/Kbuild kmod/memdisp_api.h kmod/memdisp_fast.h \
		lib/mdindex.h $(KMOD_KO)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(VM_TORN_DIR) W=1 \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers modules
	@mkdir -p $(dir $@)
	cp $(VM_TORN_DIR)/md_torn.ko $@

ifneq ($(wildcard $(KDIR)/Makefile),)
CHECK_TARGETS += $(VM_TORN_KO)
endif
CHECK_SUITES += $(VM_DIR)/harness-check.sh $(VM_DIR)/vm-check

# The module comes from kmod's fragment ("make kmod" leaves it in
# $(BUILD)/vm/memdisp.ko); without that fragment this target fails.
.PHONY: vm-check vm-harness-check
vm-check: kmod $(VM_TEST_BIN) $(VM_TORN_KO) $(filter $(BUILD)/vm/%,$(CHECK_TARGETS))
	@BUILD=$(BUILD) $(VM_DIR)/vm-check

vm-harness-check:
	@BUILD=$(BUILD) $(VM_DIR)/harness-check.sh

.PHONY: vm-clean
vm-clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/$(VM_TORN_DIR) clean
