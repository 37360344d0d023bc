// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for mdindex.
 *
 * Input: one mode byte, then 8-byte little-endian words.  In "delta" mode
 * (mode bit 0 set) the words are decoded as gap/length pairs so that most
 * inputs are valid maps, with bit 1 letting a gap of 0 make adjacent ranges
 * and bit 2 shifting the map to end at ~0; otherwise the words are raw
 * start/last pairs, mostly invalid, which exercises validation.  Whatever
 * the input, mdx_build() must accept it exactly when it is valid, and every
 * lookup at the range boundaries +-1 and at the remaining words must agree
 * with a linear model.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mdindex.h"
#include "mdx_gen.h"

#define FUZZ_MAX_RANGES 256

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void check(const struct mdx *x, const uint64_t *s, const uint64_t *l,
		  uint32_t nr, uint64_t a)
{
	if (mdx_lookup(x, a) != model_lookup(s, l, nr, a))
		abort();
	if (mdx_lookup_ge(x, a) != model_lookup_ge(l, nr, a))
		abort();
}

/* Buffer misalignment, 0..63, from the mode byte's top bits. */
static size_t mode_offset(const uint8_t *data, size_t size)
{
	return size ? (data[0] >> 2) & 63 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t s[FUZZ_MAX_RANGES], l[FUZZ_MAX_RANGES];
	size_t off = mode_offset(data, size), bytes;
	uint8_t *buf;
	size_t words, i;
	uint32_t nr, k;
	uint8_t mode;
	struct mdx *x;
	int valid;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	words = size / 8;
	nr = words / 2;
	if (nr > FUZZ_MAX_RANGES)
		nr = FUZZ_MAX_RANGES;
	if (mode & 1) {
		uint64_t a = 0;

		for (k = 0; k < nr; k++) {
			uint64_t gap = get64(data + 16 * k);
			uint64_t len = get64(data + 16 * k + 8);

			/* small numbers most of the time, any now and then */
			if (!(gap >> 63))
				gap &= (mode & 2) ? 0x3 : 0xfff;
			if (!(len >> 63))
				len &= 0xffff;
			a += gap;	/* may wrap: validation's job */
			s[k] = a;
			if (a + len < a)
				len = UINT64_MAX - a;
			l[k] = a + len;
			a = l[k] + 1;
		}
		if ((mode & 4) && nr && l[nr - 1] >= s[0]) {
			uint64_t shift = UINT64_MAX - l[nr - 1];

			for (k = 0; k < nr; k++) {
				s[k] += shift;
				l[k] += shift;
			}
		}
	} else {
		for (k = 0; k < nr; k++) {
			s[k] = get64(data + 16 * k);
			l[k] = get64(data + 16 * k + 8);
		}
	}

	/* exactly mdx_bytes() at any misalignment, so ASan sees overruns */
	bytes = mdx_bytes(nr);
	if (!bytes)
		abort();
	buf = malloc(bytes + off);
	if (!buf)
		return 0;
	valid = model_valid(s, l, nr);
	x = mdx_build(buf + off, s, l, nr);
	if (!!x != valid)
		abort();
	if (!x) {
		free(buf);
		return 0;
	}
	if (mdx_count(x) != nr)
		abort();
	for (k = 0; k < nr; k++) {
		uint64_t a, b;

		mdx_range(x, k, &a, &b);
		if (a != s[k] || b != l[k])
			abort();
		check(x, s, l, nr, s[k] - 1);
		check(x, s, l, nr, s[k]);
		check(x, s, l, nr, s[k] + 1);
		check(x, s, l, nr, l[k] - 1);
		check(x, s, l, nr, l[k]);
		check(x, s, l, nr, l[k] + 1);
	}
	check(x, s, l, nr, 0);
	check(x, s, l, nr, UINT64_MAX);
	for (i = 2 * (size_t)nr; i < words; i++)
		check(x, s, l, nr, get64(data + 8 * i));
	free(buf);
	return 0;
}
