# SPDX-License-Identifier: LGPL-2.1-or-later
#
# userlib/kmirror.c: the kernel mirror (memdisp/kernel.h), part of libmemdisp.
# userlib/build.mk lists its prerequisites when it is read, so the object is
# added to the link through the (lazily expanded) CORE_OBJS used in the
# recipes and named as an extra prerequisite here.

KMIRROR_OBJ := $(BUILD)/userlib/kmirror.o
CORE_OBJS += $(KMIRROR_OBJ)
CORE_LDLIBS += $(NL_LIBS)

$(CORE_SO) $(CORE_A): $(KMIRROR_OBJ)

$(KMIRROR_OBJ): userlib/kmirror.c userlib/include/memdisp/kernel.h \
		uapi/linux/memdisp.h $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(NL_CFLAGS) -c -o $@ $<
