/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Random map generation and the naive reference model shared by the
 * mdindex test suite and its benchmark.
 */
#ifndef MDX_GEN_H
#define MDX_GEN_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mdindex.h"

/* xorshift64*: small, fast, reproducible from a seed */
static inline uint64_t gen_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t gen_below(uint64_t *s, uint64_t n)
{
	return n ? gen_next(s) % n : 0;
}

static int gen_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

enum gen_mode {
	GEN_SPREAD,	/* ranges scattered over the whole 64-bit space */
	GEN_DENSE,	/* small ranges and small gaps from a low base */
	GEN_MIXED,	/* dense plus adjacency, single addresses, 0 and ~0 */
	GEN_NR_MODES,
};

/*
 * Fill start[]/last[] with @nr valid ranges.  Returns 0, or -1 when the
 * mode cannot fit @nr ranges (never for the sizes used here).
 */
static inline int gen_map(uint64_t *seed, enum gen_mode mode, uint64_t *start,
			  uint64_t *last, uint32_t nr)
{
	uint32_t i;

	if (!nr)
		return 0;
	if (mode == GEN_SPREAD) {
		uint64_t *v = malloc(sizeof(*v) * 2 * (size_t)nr);
		size_t n = 0, k;

		if (!v)
			return -1;
		/* 2 * nr distinct sorted points, paired up */
		while (n < 2 * (size_t)nr) {
			size_t want = 2 * (size_t)nr - n;

			for (k = 0; k < want; k++)
				v[n + k] = gen_next(seed);
			n += want;
			qsort(v, n, sizeof(*v), gen_cmp_u64);
			for (k = 1, want = 1; k < n; k++)
				if (v[k] != v[want - 1])
					v[want++] = v[k];
			n = want;
		}
		for (i = 0; i < nr; i++) {
			start[i] = v[2 * (size_t)i];
			last[i] = v[2 * (size_t)i + 1];
		}
		free(v);
		return 0;
	}
	{
		uint64_t a = gen_below(seed, 1 << 20);

		for (i = 0; i < nr; i++) {
			uint64_t len, gap;

			switch (gen_below(seed, 4)) {
			case 0:
				len = 1;
				break;
			case 1:
				len = 1 + gen_below(seed, 16);
				break;
			case 2:
				len = 0x1000;
				break;
			default:
				len = 1 + gen_below(seed, 1 << 16);
				break;
			}
			gap = gen_below(seed, 3) ? gen_below(seed, 1 << 12) : 0;
			start[i] = a;
			last[i] = a + len - 1;
			a = last[i] + 1 + gap;
		}
	}
	if (mode == GEN_MIXED) {
		/* shift the map so that it may touch 0 and/or ~0 */
		uint64_t span = last[nr - 1] - start[0];
		uint64_t base;

		switch (gen_below(seed, 4)) {
		case 0:
			base = 0;
			break;
		case 1:
			base = UINT64_MAX - span;
			break;
		default:
			base = gen_next(seed) % (UINT64_MAX - span);
			break;
		}
		{
			uint64_t shift = start[0];

			for (i = 0; i < nr; i++) {
				start[i] = start[i] - shift + base;
				last[i] = last[i] - shift + base;
			}
		}
		if (gen_below(seed, 3) == 0)
			start[0] = 0;
		if (gen_below(seed, 3) == 0)
			last[nr - 1] = UINT64_MAX;
		for (i = 0; i + 1 < nr; i++) {
			uint64_t r = gen_below(seed, 8);

			if (r == 0)
				last[i] = start[i + 1] - 1;	/* adjacent */
			else if (r == 1)
				last[i] = start[i];		/* one address */
		}
	}
	return 0;
}

/* Reference: linear scan for the range containing @a. */
static inline uint32_t model_lookup(const uint64_t *start, const uint64_t *last,
				    uint32_t nr, uint64_t a)
{
	uint32_t i;

	for (i = 0; i < nr; i++)
		if (start[i] <= a && a <= last[i])
			return i;
	return MDX_NONE;
}

/* Reference: linear scan for the first range ending at or after @a. */
static inline uint32_t model_lookup_ge(const uint64_t *last, uint32_t nr,
				       uint64_t a)
{
	uint32_t i;

	for (i = 0; i < nr; i++)
		if (last[i] >= a)
			return i;
	return MDX_NONE;
}

/* Reference: is the input valid for mdx_build()? */
static inline int model_valid(const uint64_t *start, const uint64_t *last,
			      uint32_t nr)
{
	uint32_t i;

	for (i = 0; i < nr; i++) {
		if (start[i] > last[i])
			return 0;
		if (i + 1 < nr && last[i] >= start[i + 1])
			return 0;
	}
	return 1;
}

#endif /* MDX_GEN_H */
