# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/e2e: the kernel mirror end to end, in one VM boot (tests/e2e/run):
# libmemdisp builds maps, mirrors them into memdisp.ko and compares the
# kernel's translations with its own view.  "make bench" runs e2e bench.

E2E_BIN := $(BUILD)/tests/e2e/e2e
E2E_CFLAGS := $(BASE_CFLAGS) -Iuserlib/include $(NL_CFLAGS)
# (userlib/ fragments are read after this one: name the archive directly.)
# Static: the VM's initramfs has no shared libraries.
E2E_LIBS := -static $(BUILD)/lib/libmemdisp.a $(NL_LIBS) $(URCU_LIBS) -lpthread -lm

CHECK_TARGETS += $(E2E_BIN) $(BUILD)/bin/memdispctl kmod
CHECK_SUITES += tests/e2e/run
BENCH_TARGETS += $(E2E_BIN) kmod
BENCH_CMDS += tests/e2e/bench.sh

E2E_SRCS := tests/e2e/e2e.c tools/mtree_build.c tools/mtree_parse.c

# The oracle's x86 and ARM dumps, with their hints derived on the host (the guest
# has no python): $(E2E_MAPDIR)/NAME.treeD.txt + NAME.hints, for "e2e maps".
E2E_MAPDIR := $(BUILD)/tests/e2e/maps
E2E_MAPS := $(patsubst tests/oracle/dumps/%.treeD.txt,%,$(wildcard \
	tests/oracle/dumps/*.treeD.txt))
E2E_MAPFILES := $(foreach m,$(E2E_MAPS),$(E2E_MAPDIR)/$(m).treeD.txt $(E2E_MAPDIR)/$(m).hints)

CHECK_TARGETS += $(E2E_MAPFILES)

$(E2E_MAPDIR)/%.treeD.txt: tests/oracle/dumps/%.treeD.txt
	@mkdir -p $(dir $@)
	cp $< $@

$(E2E_MAPDIR)/%.hints: tests/oracle/dumps/%.treeD.txt tests/oracle/dumps/%.flat.txt \
		tests/oracle/derive-hints tests/oracle/mtreelib.py
	@mkdir -p $(dir $@)
	python3 tests/oracle/derive-hints $(word 1,$^) $(word 2,$^) >$@.tmp && mv $@.tmp $@

$(E2E_BIN): $(E2E_SRCS) tools/mtree_build.h tools/mtree_parse.h \
		$(TESTS_COMMON_HDRS) \
		$(BUILD)/lib/libmemdisp.a userlib/include/memdisp/kernel.h \
		uapi/linux/memdisp.h
	@mkdir -p $(dir $@)
	$(CC) $(E2E_CFLAGS) -o $@ $(E2E_SRCS) $(E2E_LIBS)
