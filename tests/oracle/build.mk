# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU conformance ("oracle"): the mtree parser's unit tests, its fuzzer,
# and the live/committed-dump comparison against qemu-system-x86_64.

ORACLE_DIR := $(BUILD)/tests/oracle
ORACLE_PARSE_SRCS := tools/mtree_parse.c
ORACLE_PARSE_HDRS := tools/mtree_parse.h

ORACLE_UNIT := $(ORACLE_DIR)/test-mtree-parse
ORACLE_RUN := $(ORACLE_DIR)/run-oracle
ORACLE_CLI := $(ORACLE_DIR)/replay-cli
ORACLE_FUZZ := $(ORACLE_DIR)/fuzz-mtree-parse

CHECK_TARGETS += $(ORACLE_UNIT)
CHECK_SUITES += $(ORACLE_UNIT)
# The QEMU comparison needs mtree-replay, which needs the library.
ifneq ($(wildcard userlib/build.mk),)
CHECK_TARGETS += $(ORACLE_RUN) $(ORACLE_CLI) $(BUILD)/bin/mtree-replay
CHECK_SUITES += $(ORACLE_CLI) $(ORACLE_RUN)
endif
FUZZ_TARGETS += oracle-fuzz

$(ORACLE_UNIT): tests/oracle/test-mtree-parse.c $(ORACLE_PARSE_SRCS) $(ORACLE_PARSE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Itools -o $@ tests/oracle/test-mtree-parse.c \
		$(ORACLE_PARSE_SRCS) $(CMOCKA_LIBS)

# Wrappers so that the suites find this build's mtree-replay.
$(ORACLE_RUN): tests/oracle/build.mk
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec "%s/tests/oracle/run" --replay "%s/bin/mtree-replay" "$$@"\n' \
		"$(CURDIR)" "$(abspath $(BUILD))" > $@
	chmod +x $@

$(ORACLE_CLI): tests/oracle/build.mk
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec "%s/tests/oracle/replay-cli" --replay "%s/bin/mtree-replay" "$$@"\n' \
		"$(CURDIR)" "$(abspath $(BUILD))" > $@
	chmod +x $@

$(ORACLE_FUZZ): tests/oracle/fuzz-mtree-parse.c $(ORACLE_PARSE_SRCS) $(ORACLE_PARSE_HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Itools -o $@ tests/oracle/fuzz-mtree-parse.c $(ORACLE_PARSE_SRCS)

ORACLE_FUZZ_TIME ?= 30
.PHONY: oracle-fuzz
oracle-fuzz: $(ORACLE_FUZZ)
	@mkdir -p $(ORACLE_DIR)/fuzz-corpus
	$(ORACLE_FUZZ) -max_total_time=$(ORACLE_FUZZ_TIME) -max_len=8192 \
		-timeout=10 -rss_limit_mb=1024 \
		$(ORACLE_DIR)/fuzz-corpus tests/oracle/dumps tests/oracle/cases
