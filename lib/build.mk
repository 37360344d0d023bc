# SPDX-License-Identifier: GPL-2.0-or-later
#
# lib/: code shared by the library and the kernel module, compiled unchanged
# in both.  Other fragments link $(MDINDEX_OBJ) (position-independent) or
# compile lib/mdindex.c themselves.

MDINDEX_SRC := lib/mdindex.c
MDINDEX_HDR := lib/mdindex.h
MDINDEX_OBJ := $(BUILD)/obj/lib/mdindex.o

$(MDINDEX_OBJ): $(MDINDEX_SRC) $(MDINDEX_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Ilib -c -o $@ $<

ALL_TARGETS += $(MDINDEX_OBJ)
