# SPDX-License-Identifier: GPL-2.0-or-later
#
# memdispctl: iproute2-style CLI for memdisp.ko (needs only the uapi header
# and libnl-3).  Linked statically so that the same binary runs in the VM's
# initramfs.

MDCTL_BIN := $(BUILD)/bin/memdispctl

ALL_TARGETS += $(MDCTL_BIN)
INSTALL_TARGETS += memdispctl-install

$(MDCTL_BIN): tools/memdispctl.c uapi/linux/memdisp.h
	@mkdir -p $(dir $@)
	set -o pipefail; $(CC) $(BASE_CFLAGS) $(NL_CFLAGS) -o $@ $< -static $(NL_LIBS) -lpthread -lm 2>&1 | \
		{ grep -v "requires at runtime the shared libraries\|in function \`" || true; }
	@test -x $@

.PHONY: memdispctl-install
memdispctl-install: $(MDCTL_BIN)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(MDCTL_BIN) $(DESTDIR)$(PREFIX)/sbin/memdispctl
	install -m 644 tools/memdispctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/
