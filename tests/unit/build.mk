# SPDX-License-Identifier: GPL-2.0-or-later
#
# cmocka unit tests of libmemdisp (linked statically against the .a so the
# tests exercise the same objects as the shared library).  Fragments are
# included in sorted order (this one before userlib/build.mk), so spell the
# library's paths out instead of using userlib's variables.

UNIT_TESTS := $(BUILD)/tests/unit/test-core
UNIT_CFLAGS := $(BASE_CFLAGS) -Iuserlib/include -Iuserlib -Ilib
UNIT_LIBA := $(BUILD)/lib/libmemdisp.a

$(BUILD)/tests/unit/test-core: tests/unit/test-core.c $(UNIT_LIBA) \
		$(wildcard userlib/include/memdisp/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_LIBA) $(URCU_LIBS) $(CMOCKA_LIBS) -lpthread

CHECK_TARGETS += $(UNIT_TESTS)
CHECK_SUITES += $(UNIT_TESTS)
