# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libmemdisp: region trees, rendering, listeners, mtree_info.

CORE_VERSION := 0.1.0
CORE_SOVER := 0
CORE_SRCS := userlib/support.c userlib/memory.c userlib/render.c \
	userlib/mtree.c userlib/access.c userlib/dirtylog.c \
	userlib/dispatch/memops.c userlib/dispatch/mr_dispatch.c \
	userlib/dispatch/ioeventfd.c userlib/dispatch/dirty.c \
	userlib/dispatch/bounce.c
# The shared range index, compiled unchanged here and in memdisp.ko.
CORE_MDX_SRC := lib/mdindex.c
CORE_OBJS := $(patsubst userlib/%.c,$(BUILD)/userlib/%.o,$(CORE_SRCS)) \
	$(BUILD)/userlib/mdindex.o
# Exports are limited by the version script userlib/libmemdisp.map.
# initial-exec TLS: liburcu's read-side primitives are inlined into the
# access path (access.c), and in a shared library the default model would
# reach liburcu's per-thread reader state through a __tls_get_addr() call
# each time (measured: a 4-byte read 9.3 ns instead of 5.0, an MMIO read
# 11.1 instead of 6.9).  liburcu is a DT_NEEDED dependency, so its TLS is
# in the static block; a program that dlopen()s libmemdisp relies on
# glibc's surplus static TLS, as it already does for the library's own
# initial-exec variables.
CORE_CFLAGS := $(BASE_CFLAGS) -ftls-model=initial-exec -Iuserlib/include \
	-Iuserlib -Iuserlib/dispatch -Ilib
CORE_HDRS := $(wildcard userlib/include/memdisp/*.h)
CORE_LIBDIR := $(BUILD)/lib
CORE_SO := $(CORE_LIBDIR)/libmemdisp.so.$(CORE_VERSION)
CORE_A := $(CORE_LIBDIR)/libmemdisp.a
CORE_PC := $(CORE_LIBDIR)/pkgconfig/memdisp.pc
CORE_LDLIBS := $(URCU_LIBS) -lpthread

ALL_TARGETS += $(CORE_SO) $(CORE_A) $(CORE_PC)
INSTALL_TARGETS += core-install

$(BUILD)/userlib/%.o: userlib/%.c $(CORE_HDRS) userlib/memdisp-internal.h lib/mdindex.h userlib/build.mk \
		userlib/dispatch/dispatch.h userlib/dispatch/md-compat.h userlib/access-internal.h
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c -o $@ $<

$(BUILD)/userlib/mdindex.o: $(CORE_MDX_SRC) lib/mdindex.h userlib/build.mk
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c -o $@ $<

# -Bsymbolic-functions: the library's calls to its own exported functions
# (memdisp_endian_is_big() on the MMIO path, say) bind inside it instead of
# going through the PLT; programs cannot interpose them.
$(CORE_SO): $(CORE_OBJS) userlib/libmemdisp.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libmemdisp.so.$(CORE_SOVER) \
		-Wl,--version-script=userlib/libmemdisp.map -Wl,-z,defs \
		-Wl,-Bsymbolic-functions \
		-o $@ $(CORE_OBJS) $(CORE_LDLIBS)
	ln -sf libmemdisp.so.$(CORE_VERSION) $(CORE_LIBDIR)/libmemdisp.so.$(CORE_SOVER)
	ln -sf libmemdisp.so.$(CORE_SOVER) $(CORE_LIBDIR)/libmemdisp.so

$(CORE_A): $(CORE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $(CORE_OBJS)

$(CORE_PC): userlib/memdisp.pc.in userlib/build.mk
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(CORE_VERSION)|g' \
		$< > $@

.PHONY: core-install
core-install: $(CORE_SO) $(CORE_A) $(CORE_PC)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/memdisp
	install -m 644 $(CORE_HDRS) $(DESTDIR)$(PREFIX)/include/memdisp/
	install -m 755 $(CORE_SO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libmemdisp.so.$(CORE_VERSION) $(DESTDIR)$(PREFIX)/lib/libmemdisp.so.$(CORE_SOVER)
	ln -sf libmemdisp.so.$(CORE_SOVER) $(DESTDIR)$(PREFIX)/lib/libmemdisp.so
	install -m 644 $(CORE_A) $(DESTDIR)$(PREFIX)/lib/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(CORE_VERSION)|g' \
		userlib/memdisp.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/memdisp.pc
