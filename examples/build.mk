# SPDX-License-Identifier: GPL-2.0-or-later
#
# Example emulators built on libmemdisp.

EXAMPLES := $(BUILD)/bin/pc-machine
ALL_TARGETS += $(EXAMPLES)

$(BUILD)/bin/pc-machine: examples/pc-machine.c $(CORE_A) $(CORE_HDRS) examples/build.mk
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Iuserlib/include -o $@ $< $(CORE_A) $(CORE_LDLIBS)
