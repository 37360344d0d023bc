# SPDX-License-Identifier: GPL-2.0-or-later
#
# Command-line tools, one block per tool.  Each links libmemdisp statically
# ($(TOOLS_LIBA), built by userlib/build.mk) and lands in $(BUILD)/bin.
# To add a tool: append its name to TOOLS_BINS and give it a TOOLS_SRCS_<name>.

TOOLS_BINDIR := $(BUILD)/bin
TOOLS_LIBA := $(BUILD)/lib/libmemdisp.a
TOOLS_CFLAGS := $(BASE_CFLAGS) -Iuserlib/include -Itools
TOOLS_LDLIBS := $(URCU_LIBS) -lpthread

# mtree-replay: rebuild "info mtree -D" dumps, print their flat views.
TOOLS_SRCS_mtree-replay := tools/mtree-replay.c tools/mtree_parse.c tools/mtree_build.c
TOOLS_HDRS_mtree-replay := tools/mtree_parse.h tools/mtree_build.h

# Tools need the library; until userlib/ exists in the tree there is none.
TOOLS_BINS := $(if $(wildcard userlib/build.mk),mtree-replay)

ALL_TARGETS += $(addprefix $(TOOLS_BINDIR)/,$(TOOLS_BINS))
INSTALL_TARGETS += tools-install

define TOOLS_RULE
$(TOOLS_BINDIR)/$(1): $$(TOOLS_SRCS_$(1)) $$(TOOLS_HDRS_$(1)) $(TOOLS_LIBA) $$(wildcard userlib/include/memdisp/*.h)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(TOOLS_CFLAGS) -o $$@ $$(TOOLS_SRCS_$(1)) $(TOOLS_LIBA) $$(TOOLS_LDLIBS)
endef
$(foreach t,$(TOOLS_BINS),$(eval $(call TOOLS_RULE,$(t))))

.PHONY: tools-install
tools-install: $(addprefix $(TOOLS_BINDIR)/,$(TOOLS_BINS))
	install -d $(DESTDIR)$(PREFIX)/bin
	$(if $(TOOLS_BINS),install -m 755 $^ $(DESTDIR)$(PREFIX)/bin/)
