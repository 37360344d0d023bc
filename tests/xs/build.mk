# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/xs: libmemdisp's address_space_* access path (issue 3), tests linked
# with libmemdisp.a (plain -O2, clang ASan+UBSan and TSan builds), the
# benchmark with libmemdisp.so.

XS_OUT := $(BUILD)/tests/xs
XS_LIBA := $(BUILD)/lib/libmemdisp.a
XS_LIBS := $(URCU_LIBS) $(CMOCKA_LIBS) -lpthread
XS_DEPS := $(wildcard userlib/include/memdisp/*.h) userlib/build.mk \
	userlib/access-internal.h userlib/memdisp-internal.h userlib/dispatch/dispatch.h
XS_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
XS_SAN_OBJS := $(patsubst %.c,$(XS_OUT)/san/%.o,$(CORE_SRCS)) \
	$(XS_OUT)/san/mdindex.o

$(XS_OUT)/test_as: tests/xs/test_as.c $(XS_LIBA) $(XS_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Iuserlib/include -o $@ $< $(XS_LIBA) $(XS_LIBS)

# The library itself rebuilt with the sanitizers for the _asan suite.
$(XS_OUT)/san/%.o: %.c $(XS_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CORE_CFLAGS) -O1 $(XS_SAN) -c -o $@ $<

$(XS_OUT)/san/mdindex.o: $(CORE_MDX_SRC) $(XS_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CORE_CFLAGS) -O1 $(XS_SAN) -c -o $@ $<

$(XS_OUT)/test_as_asan: tests/xs/test_as.c $(XS_SAN_OBJS) $(XS_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) -O1 $(XS_SAN) -Iuserlib/include -o $@ $< \
		$(XS_SAN_OBJS) $(XS_LIBS)

# The library and the suite (torn-view stress included) under TSan.  The
# --wrap flags route liburcu's publish and grace-period calls through
# access.c's happens-before annotations (TSan cannot see membarrier(2)).
XS_TSAN_OBJS := $(patsubst %.c,$(XS_OUT)/tsan/%.o,$(CORE_SRCS)) \
	$(XS_OUT)/tsan/mdindex.o

$(XS_OUT)/tsan/%.o: %.c $(XS_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CORE_CFLAGS) -O1 -fsanitize=thread -c -o $@ $<

$(XS_OUT)/tsan/mdindex.o: $(CORE_MDX_SRC) $(XS_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CORE_CFLAGS) -O1 -fsanitize=thread -c -o $@ $<

$(XS_OUT)/test_as_tsan: tests/xs/test_as.c $(XS_TSAN_OBJS) $(XS_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) -O1 -fsanitize=thread -Iuserlib/include \
		-Wl,--wrap=rcu_set_pointer_sym \
		-Wl,--wrap=urcu_memb_synchronize_rcu \
		-o $@ $< $(XS_TSAN_OBJS) $(XS_LIBS)

XS_ALL := $(XS_OUT)/test_as $(XS_OUT)/test_as_asan $(XS_OUT)/test_as_tsan
CHECK_TARGETS += $(XS_ALL)
CHECK_SUITES += $(XS_ALL)

# make bench: address_space_read/write against a binary-search + memcpy
# floor and Unicorn, MMIO against a direct call and Unicorn, one IOMMU
# level, all in the same run.
# Unicorn runs in its own process (bench_as_uc, started by bench_as).
XS_BENCH := $(XS_OUT)/bench_as

# The benchmark links the shared library, as programs built with
# pkg-config do, so that it measures what they get.
$(XS_BENCH): tests/xs/bench_as.c tests/xs/bench_as.h $(CORE_SO) $(XS_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Iuserlib/include -o $@ $< \
		-L$(BUILD)/lib -lmemdisp -Wl,-rpath,$(abspath $(BUILD)/lib) \
		$(XS_LIBS)

$(XS_OUT)/bench_as_uc: tests/xs/bench_as_uc.c tests/xs/bench_as.h
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -o $@ $< -lunicorn

BENCH_TARGETS += $(XS_BENCH) $(XS_OUT)/bench_as_uc
BENCH_CMDS += $(XS_BENCH)
