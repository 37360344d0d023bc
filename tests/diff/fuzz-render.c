// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the input drives the same generator as the fixed-seed
 * suite (every random choice is read from the input bytes), so any input
 * decodes into a legal tree plus an edit sequence with nested transactions.
 * The library's views are compared with the reference model after every
 * commit and inside open transactions; a mismatch prints the dump and
 * aborts, so libFuzzer saves the input.
 *
 * First byte: bit 0 root quirks, bit 1 alias-heavy, bit 2 deep, bit 3
 * addr+size past 2^64 inside parents, bits 4-7 number of edit steps.
 */
#include <stdlib.h>

#include "diffcore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diff_stats m = { 0 }, q = { 0 }, t = { 0 }, api = { 0 };
	struct diff_run d = {
		.label = "fuzz", .seed = DIFF_SEED_FUZZ, .max_dumps = 1,
		.out = stdout,
		.main = &m, .quirk = &q, .txn = &t, .api = &api,
	};
	struct gen_params p;
	struct rnd r;

	if (size < 1)
		return 0;
	gen_default_params(&p);
	p.root_quirks = data[0] & 1;
	if (data[0] & 2) {
		p.kind_w[DT_ALIAS] = 12;
		p.kind_w[DT_CONTAINER] = 4;
	}
	if (data[0] & 4) {
		p.kind_w[DT_CONTAINER] = 12;
		p.kind_w[DT_IO] = 5;
		p.max_nodes = 40;
	}
	p.local_overflow = data[0] & 8;
	d.nr_edits = data[0] >> 4;
	rnd_bytes(&r, data + 1, size - 1);
	if (diff_one(&r, &p, &d)) {
		fflush(stdout);
		abort();
	}
	return 0;
}
