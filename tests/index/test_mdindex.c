// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdindex test suite (TAP): compares mdx_lookup(), mdx_lookup_ge(),
 * mdx_range() and mdx_count() with a naive linear model on random maps of
 * every size from 0 to 100, sizes around the tree's level boundaries, and
 * 1k, 64k and 1M ranges; probes every range boundary +-1, 0, ~0 and random
 * addresses; checks that bad input is refused.
 *
 * Usage: test_mdindex [-q]   (-q: skip the 1M map, for valgrind)
 * MDX_SEED=n in the environment changes the random seed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdindex.h"
#include "mdx_gen.h"
#include "../common/tap.h"

static unsigned int diag_left;

#define DIAG(...)						\
	do {							\
		if (diag_left) {				\
			diag_left--;				\
			printf("# " __VA_ARGS__);		\
			printf("\n");				\
		}						\
	} while (0)

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		printf("Bail out! out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}

static uint64_t seed;

/* Probes: every boundary +-1, the ends of the space, random addresses. */
static uint64_t *make_probes(const uint64_t *start, const uint64_t *last,
			     uint32_t nr, size_t nrandom, size_t *np)
{
	size_t n = 6 * (size_t)nr + 6 + 2 * nrandom, k = 0, i;
	uint64_t *p = xmalloc(n * sizeof(*p));

	for (i = 0; i < nr; i++) {
		p[k++] = start[i] - 1;
		p[k++] = start[i];
		p[k++] = start[i] + 1;
		p[k++] = last[i] - 1;
		p[k++] = last[i];
		p[k++] = last[i] + 1;
	}
	p[k++] = 0;
	p[k++] = 1;
	p[k++] = 2;
	p[k++] = UINT64_MAX;
	p[k++] = UINT64_MAX - 1;
	p[k++] = UINT64_MAX - 2;
	for (i = 0; i < nrandom; i++) {
		p[k++] = gen_next(&seed);
		if (nr)
			p[k++] = start[0] + gen_below(&seed,
					last[nr - 1] - start[0] + 1);
		else
			p[k++] = gen_next(&seed) >> 32;
	}
	*np = k;
	return p;
}

/*
 * Build an index of the map at a random misalignment, in a buffer of
 * exactly mdx_bytes() bytes, and compare every probe with the model.
 * Returns the number of mismatches.
 */
static unsigned long check_map(const uint64_t *start, const uint64_t *last,
			       uint32_t nr, size_t nrandom)
{
	size_t bytes = mdx_bytes(nr), off = gen_below(&seed, 64), np, k;
	unsigned long bad = 0;
	unsigned char *buf;
	uint64_t *probe;
	struct mdx *x;
	uint32_t i;

	if (!bytes) {
		DIAG("mdx_bytes(%u) == 0", nr);
		return 1;
	}
	buf = xmalloc(bytes + off);
	x = mdx_build(buf + off, start, last, nr);
	if (!x) {
		DIAG("mdx_build refused a valid map of %u ranges", nr);
		free(buf);
		return 1;
	}
	if ((unsigned char *)x < buf + off ||
	    (unsigned char *)x >= buf + off + bytes) {
		DIAG("index %p outside its buffer", (void *)x);
		bad++;
	}
	if (mdx_count(x) != nr) {
		DIAG("mdx_count %u, expected %u", mdx_count(x), nr);
		bad++;
	}
	for (i = 0; i < nr; i++) {
		uint64_t s = 1, l = 0;

		mdx_range(x, i, &s, &l);
		if (s != start[i] || l != last[i]) {
			DIAG("mdx_range(%u) = [%#" PRIx64 ", %#" PRIx64
			     "], expected [%#" PRIx64 ", %#" PRIx64 "]",
			     i, s, l, start[i], last[i]);
			bad++;
		}
	}

	probe = make_probes(start, last, nr, nrandom, &np);
	if (nr <= 2048) {
		/* per-probe linear scan */
		for (k = 0; k < np; k++) {
			uint64_t a = probe[k];
			uint32_t want = model_lookup(start, last, nr, a);
			uint32_t want_ge = model_lookup_ge(last, nr, a);
			uint32_t got = mdx_lookup(x, a);
			uint32_t got_ge = mdx_lookup_ge(x, a);

			if (got != want || got_ge != want_ge) {
				DIAG("nr %u addr %#" PRIx64 ": lookup %d (want %d) ge %d (want %d)",
				     nr, a, (int)got, (int)want, (int)got_ge,
				     (int)want_ge);
				bad++;
			}
		}
	} else {
		/*
		 * The same linear model as one sweep over sorted probes: the
		 * first range ending at or after the probe, which contains
		 * it if it starts at or below it.
		 */
		uint32_t g = 0;

		qsort(probe, np, sizeof(*probe), gen_cmp_u64);
		for (k = 0; k < np; k++) {
			uint64_t a = probe[k];
			uint32_t want, want_ge, got, got_ge;

			while (g < nr && last[g] < a)
				g++;
			want_ge = g < nr ? g : MDX_NONE;
			want = g < nr && start[g] <= a ? g : MDX_NONE;
			got = mdx_lookup(x, a);
			got_ge = mdx_lookup_ge(x, a);
			if (got != want || got_ge != want_ge) {
				DIAG("nr %u addr %#" PRIx64 ": lookup %d (want %d) ge %d (want %d)",
				     nr, a, (int)got, (int)want, (int)got_ge,
				     (int)want_ge);
				bad++;
			}
		}
	}
	free(probe);

	/* out of contract, but must not read past the index */
	{
		uint64_t s = 0, l = 1;

		mdx_range(x, nr, &s, &l);
		if (s <= l) {
			DIAG("mdx_range(nr) gave a non-empty range");
			bad++;
		}
	}
	free(buf);
	return bad;
}

static unsigned long check_random(uint32_t nr, unsigned int rounds,
				  size_t nrandom)
{
	uint64_t *start = xmalloc(sizeof(*start) * (nr ? nr : 1));
	uint64_t *last = xmalloc(sizeof(*last) * (nr ? nr : 1));
	unsigned long bad = 0;
	unsigned int r;
	int m;

	for (r = 0; r < rounds; r++) {
		for (m = 0; m < GEN_NR_MODES; m++) {
			if (gen_map(&seed, m, start, last, nr)) {
				DIAG("cannot generate %u ranges", nr);
				bad++;
				continue;
			}
			if (!model_valid(start, last, nr)) {
				DIAG("generator made an invalid map");
				bad++;
				continue;
			}
			bad += check_map(start, last, nr, nrandom);
		}
	}
	free(start);
	free(last);
	return bad;
}

static void test_small_sizes(void)
{
	uint32_t nr;

	for (nr = 0; nr <= 100; nr++) {
		diag_left = 5;
		tap(check_random(nr, 12, 64) == 0,
		    "random maps of %u ranges match the linear model", nr);
	}
}

static void test_level_sizes(void)
{
	/* 8 * 9^k leaf keys fill k internal levels exactly */
	static const uint32_t sizes[] = {
		71, 72, 73, 647, 648, 649, 5831, 5832, 5833,
		52487, 52488, 52489,
	};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		diag_left = 5;
		tap(check_random(sizes[i], 2, 2000) == 0,
		    "random maps of %u ranges (level boundary) match the model",
		    sizes[i]);
	}
}

static void test_large_sizes(int quick)
{
	static const uint32_t sizes[] = { 1000, 1024, 65536, 1U << 20 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (quick && sizes[i] > 65536)
			continue;
		diag_left = 5;
		tap(check_random(sizes[i], 1, 100000) == 0,
		    "random maps of %u ranges match the model", sizes[i]);
	}
}

/*
 * Maps whose starts cluster, so that the hint table's buckets hold many
 * blocks (the lookup must fall back to the tree) next to buckets that hold
 * none: a dense run plus a few far ranges, at the bottom and the top of the
 * space, and spans that make the last bucket boundary overflow 2^64.
 */
static void test_clustered(void)
{
	static const uint32_t sizes[] = { 9, 10, 65, 200, 4096, 70000 };
	uint64_t *s, *l;
	size_t i;

	s = xmalloc(sizeof(*s) * 70000);
	l = xmalloc(sizeof(*l) * 70000);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t nr = sizes[i], k, far = 1 + gen_below(&seed, 5);
		uint64_t a;
		int top;

		for (top = 0; top < 2; top++) {
			/* the dense run */
			a = top ? 0 : gen_below(&seed, 4096);
			for (k = 0; k < nr - far; k++) {
				s[k] = a;
				l[k] = a + gen_below(&seed, 16);
				a = l[k] + 1 + gen_below(&seed, 3);
			}
			/* far ranges spread up to the top of the space */
			for (; k < nr; k++) {
				uint64_t room = UINT64_MAX - a;

				s[k] = a + room / 2 + gen_below(&seed, room / 4);
				l[k] = k + 1 == nr && top ? UINT64_MAX :
					s[k] + gen_below(&seed, 1 << 20);
				a = l[k] + 1;
			}
			diag_left = 5;
			tap(check_map(s, l, nr, 20000) == 0,
			    "clustered map of %u ranges (%u far%s) matches the model",
			    nr, far, top ? ", ending at 2^64 - 1" : "");
		}
	}
	free(s);
	free(l);
}

static void test_edges(void)
{
	static const struct {
		uint32_t nr;
		uint64_t s[3], l[3];
		const char *name;
	} maps[] = {
		{ 1, { 0 }, { UINT64_MAX }, "one range covering all 2^64" },
		{ 1, { 0 }, { 0 }, "[0, 0]" },
		{ 1, { UINT64_MAX }, { UINT64_MAX }, "[~0, ~0]" },
		{ 2, { 0, UINT64_MAX }, { 0, UINT64_MAX }, "[0, 0] and [~0, ~0]" },
		{ 2, { 0, 1 }, { 0, UINT64_MAX }, "[0, 0] and [1, ~0]" },
		{ 2, { 0, UINT64_MAX }, { UINT64_MAX - 1, UINT64_MAX },
		  "[0, ~0 - 1] and [~0, ~0]" },
		{ 3, { 5, 6, 7 }, { 5, 6, 7 }, "three adjacent single addresses" },
		{ 3, { 1, 10, UINT64_MAX - 1 }, { 1, 20, UINT64_MAX - 1 },
		  "gaps everywhere, none at 0 or ~0" },
	};
	size_t i;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		diag_left = 5;
		tap(check_map(maps[i].s, maps[i].l, maps[i].nr, 16) == 0,
		    "edge map: %s", maps[i].name);
	}
}

/* Every address of a small space, exhaustively, for many maps. */
static void test_exhaustive(void)
{
	uint64_t start[40], last[40];
	unsigned long bad = 0;
	unsigned int r;

	diag_left = 5;
	for (r = 0; r < 200; r++) {
		uint32_t nr = 0, i;
		uint64_t a = gen_below(&seed, 3), b;
		size_t bytes;
		struct mdx *x;
		void *buf;

		while (nr < 40 && a < 300) {
			start[nr] = a;
			last[nr] = a + gen_below(&seed, 6);
			a = last[nr] + 1 + gen_below(&seed, 3);
			nr++;
		}
		bytes = mdx_bytes(nr);
		buf = xmalloc(bytes);
		x = mdx_build(buf, start, last, nr);
		if (!x) {
			DIAG("refused a valid map");
			bad++;
			free(buf);
			continue;
		}
		for (b = 0; b < 320; b++) {
			if (mdx_lookup(x, b) != model_lookup(start, last, nr, b) ||
			    mdx_lookup_ge(x, b) != model_lookup_ge(last, nr, b)) {
				DIAG("addr %" PRIu64 " wrong", b);
				bad++;
			}
		}
		if (mdx_lookup(x, UINT64_MAX) != MDX_NONE ||
		    mdx_lookup_ge(x, UINT64_MAX) != MDX_NONE)
			bad++;
		for (i = 0; i < nr; i++)
			if (mdx_lookup(x, start[i]) != i)
				bad++;
		free(buf);
	}
	tap(bad == 0, "every address 0..319 of 200 small maps");
}

static int try_build(const uint64_t *s, const uint64_t *l, uint32_t nr)
{
	size_t bytes = mdx_bytes(nr);
	void *buf = xmalloc(bytes);
	int ok = mdx_build(buf, s, l, nr) != NULL;

	free(buf);
	return ok;
}

static void test_bad_input(void)
{
	uint64_t s[4] = { 0, 10, 20, 30 }, l[4] = { 5, 15, 25, 35 };
	uint64_t s2[4], l2[4];
	unsigned long bad = 0;
	unsigned int r;
	char buf[512];

	tap(try_build(s, l, 4), "a valid 4-range map is accepted");

	memcpy(s2, s, sizeof(s));
	memcpy(l2, l, sizeof(l));
	s2[0] = 6;
	tap(!try_build(s2, l2, 4), "start > last in the first range is refused");
	memcpy(s2, s, sizeof(s));
	s2[2] = 26;
	tap(!try_build(s2, l2, 4), "start > last in a middle range is refused");
	memcpy(s2, s, sizeof(s));
	s2[3] = 36;
	tap(!try_build(s2, l2, 4), "start > last in the last range is refused");
	memcpy(s2, s, sizeof(s));
	l2[1] = 20;
	tap(!try_build(s2, l2, 4), "overlap by one address is refused");
	memcpy(l2, l, sizeof(l));
	l2[1] = 100;
	tap(!try_build(s2, l2, 4), "a range covering its successors is refused");
	memcpy(l2, l, sizeof(l));
	s2[1] = 20;
	s2[2] = 10;
	l2[1] = 25;
	l2[2] = 15;
	tap(!try_build(s2, l2, 4), "unsorted ranges are refused");
	memcpy(s2, s, sizeof(s));
	memcpy(l2, l, sizeof(l));
	s2[1] = 10;
	s2[2] = 10;
	l2[1] = 10;
	l2[2] = 10;
	tap(!try_build(s2, l2, 4), "a duplicated range is refused");
	{
		uint64_t s3[2] = { 0, UINT64_MAX }, l3[2] = { UINT64_MAX, UINT64_MAX };

		tap(!try_build(s3, l3, 2),
		    "a range after one ending at ~0 is refused");
	}

	tap(mdx_bytes(MDX_MAX_RANGES + 1) == 0 && mdx_bytes(~0U) == 0,
	    "mdx_bytes refuses nr above MDX_MAX_RANGES");
	tap(mdx_build(buf, s, l, MDX_MAX_RANGES + 1) == NULL &&
	    mdx_build(buf, s, l, ~0U) == NULL,
	    "mdx_build refuses nr above MDX_MAX_RANGES");
	{
		size_t b = mdx_bytes(MDX_MAX_RANGES);

		/*
		 * 8 bytes start + 8 bytes end + about 1/8 internal + 4 of
		 * hint table, + pad
		 */
		tap(b > (size_t)MDX_MAX_RANGES * 20 &&
		    b < (size_t)MDX_MAX_RANGES * 22 + 4096,
		    "mdx_bytes(MDX_MAX_RANGES) = %zu is about 21 bytes/range", b);
	}
	tap(mdx_build(NULL, s, l, 4) == NULL, "a NULL buffer is refused");
	tap(mdx_build(buf, NULL, l, 4) == NULL && mdx_build(buf, s, NULL, 4) == NULL,
	    "NULL arrays with ranges are refused");
	{
		struct mdx *x = mdx_build(buf, NULL, NULL, 0);

		tap(mdx_bytes(0) > 0 && mdx_bytes(0) <= sizeof(buf) && x &&
		    mdx_count(x) == 0 && mdx_lookup(x, 0) == MDX_NONE &&
		    mdx_lookup(x, UINT64_MAX) == MDX_NONE &&
		    mdx_lookup_ge(x, 0) == MDX_NONE &&
		    mdx_lookup_ge(x, UINT64_MAX) == MDX_NONE,
		    "an empty map is valid and every lookup misses");
	}
	{
		uint32_t n;
		size_t prev = 0;
		int mono = 1;

		for (n = 0; n < 100000; n += 1 + n / 8) {
			size_t b = mdx_bytes(n);

			if (b < prev || b < 8 * (size_t)n)
				mono = 0;
			prev = b;
		}
		tap(mono, "mdx_bytes grows with nr and holds the ranges");
	}

	/* random corruption of valid maps: refused exactly when invalid */
	diag_left = 5;
	for (r = 0; r < 20000; r++) {
		uint64_t rs[12], rl[12];
		uint32_t nr = 1 + gen_below(&seed, 12), i;
		int valid;

		gen_map(&seed, GEN_MIXED, rs, rl, nr);
		i = gen_below(&seed, nr);
		switch (gen_below(&seed, 5)) {
		case 0:
			rs[i] += gen_below(&seed, 3) - 1;
			break;
		case 1:
			rl[i] += gen_below(&seed, 3) - 1;
			break;
		case 2:
			if (i + 1 < nr)
				rl[i] = rs[i + 1] - 1 + gen_below(&seed, 2);
			break;
		case 3:
			rs[i] = gen_next(&seed);
			break;
		default:
			rl[i] = gen_next(&seed);
			break;
		}
		valid = model_valid(rs, rl, nr);
		if (try_build(rs, rl, nr) != valid) {
			DIAG("build %s a map the model calls %s",
			     valid ? "refused" : "accepted",
			     valid ? "valid" : "invalid");
			bad++;
		}
	}
	tap(bad == 0, "20000 corrupted maps: refused exactly when invalid");

	/* a buffer that held a refused build can be reused */
	{
		size_t bytes = mdx_bytes(4);
		void *b = xmalloc(bytes);
		struct mdx *x;

		memcpy(s2, s, sizeof(s));
		s2[3] = 36;
		x = mdx_build(b, s2, l, 4);
		tap(!x && (x = mdx_build(b, s, l, 4)) && mdx_lookup(x, 12) == 1 &&
		    mdx_lookup(x, 16) == MDX_NONE && mdx_lookup_ge(x, 16) == 2,
		    "a buffer is reusable after a refused build");
		free(b);
	}
}

int main(int argc, char **argv)
{
	const char *env = getenv("MDX_SEED");
	int quick = argc > 1 && !strcmp(argv[1], "-q");

	seed = env ? strtoull(env, NULL, 0) : 0x6d656d64697370ULL;
	if (!seed)
		seed = 1;
	printf("TAP version 13\n");
	printf("# seed %#" PRIx64 "%s\n", seed, quick ? " (quick)" : "");
	test_clustered();
	test_edges();
	test_exhaustive();
	test_bad_input();
	test_small_sizes();
	test_level_sizes();
	test_large_sizes(quick);
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}
