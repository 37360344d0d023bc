# SPDX-License-Identifier: GPL-2.0-or-later
#
# Example emulators built on libmemdisp, and `make demo`.

EXAMPLES := $(BUILD)/bin/pc-machine
ALL_TARGETS += $(EXAMPLES)

$(BUILD)/bin/pc-machine: examples/pc-machine.c $(CORE_A) $(CORE_HDRS) examples/build.mk
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Iuserlib/include -o $@ $< $(CORE_A) $(CORE_LDLIBS)

# A static build of the same program for the initramfs of the demo VM.
$(BUILD)/vm/pc-machine: examples/pc-machine.c $(CORE_A) $(CORE_HDRS) examples/build.mk
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Iuserlib/include -static -o $@ $< $(CORE_A) \
		$(CORE_LDLIBS) -lpthread 2>&1 | { grep -v 'statically linked applications' || true; }
	@test -x $@

# make demo: the library in userspace, then the kernel half (here when this
# host can load modules, otherwise in a VM booting Debian's kernel).
demo: deps
	@$(MAKE) --no-print-directory $(ALL_TARGETS) kmod $(BUILD)/vm/pc-machine
	@scripts/demo.sh
