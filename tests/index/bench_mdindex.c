// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdindex userspace benchmark: ns per lookup of mdx_lookup() against a
 * plain binary search over the same sorted starts, on the same random maps
 * of 64, 1k, 64k and 1M ranges, with the same pre-generated random probes
 * (three in four inside a range, the rest anywhere in the map's span).
 * Both are run in turn several times; the best run of each is printed with
 * their ratio.  Every result of both is checked against the other first.
 *
 * Usage: bench_mdindex [PROBES [RUNS]]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mdindex.h"
#include "mdx_gen.h"

/* The peer: the usual binary search for the last start <= a. */
static uint32_t bsearch_lookup(const uint64_t *start, const uint64_t *last,
			       uint32_t nr, uint64_t a)
{
	uint32_t lo = 0, hi = nr;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (start[mid] <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || last[lo - 1] < a)
		return MDX_NONE;
	return lo - 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		fprintf(stderr, "bench_mdindex: out of memory\n");
		exit(1);
	}
	return p;
}

static volatile uint32_t sink;

static double run_index(const struct mdx *x, const uint64_t *probe, size_t np)
{
	uint64_t t0 = now_ns();
	uint32_t acc = 0;
	size_t k;

	for (k = 0; k < np; k++)
		acc += mdx_lookup(x, probe[k]);
	sink = acc;
	return (double)(now_ns() - t0) / np;
}

static double run_bsearch(const uint64_t *s, const uint64_t *l, uint32_t nr,
			  const uint64_t *probe, size_t np)
{
	uint64_t t0 = now_ns();
	uint32_t acc = 0;
	size_t k;

	for (k = 0; k < np; k++)
		acc += bsearch_lookup(s, l, nr, probe[k]);
	sink = acc;
	return (double)(now_ns() - t0) / np;
}

static const char *size_name(uint32_t nr)
{
	static char b[16];

	if (nr >= (1U << 20) && !(nr % (1U << 20)))
		snprintf(b, sizeof(b), "%uM", nr >> 20);
	else if (nr >= 1024 && !(nr % 1024))
		snprintf(b, sizeof(b), "%uk", nr >> 10);
	else
		snprintf(b, sizeof(b), "%u", nr);
	return b;
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[] = { 64, 1024, 65536, 1U << 20 };
	size_t np = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000000;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	uint64_t seed = 0x62656e6368ULL;
	size_t i;

	if (!np || runs < 1) {
		fprintf(stderr, "usage: bench_mdindex [PROBES [RUNS]]\n");
		return 2;
	}
	printf("mdindex: ns per lookup, %zu random probes, best of %d runs\n",
	       np, runs);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t nr = sizes[i];
		uint64_t *s = xmalloc(nr * sizeof(*s));
		uint64_t *l = xmalloc(nr * sizeof(*l));
		uint64_t *probe = xmalloc(np * sizeof(*probe));
		void *buf = xmalloc(mdx_bytes(nr));
		double best_x = 1e30, best_b = 1e30;
		struct mdx *x;
		const char *n;
		size_t k;
		int r;

		gen_map(&seed, GEN_MIXED, s, l, nr);
		x = mdx_build(buf, s, l, nr);
		if (!x) {
			fprintf(stderr, "bench_mdindex: build failed\n");
			return 1;
		}
		for (k = 0; k < np; k++) {
			if (gen_below(&seed, 4)) {
				uint32_t j = gen_below(&seed, nr);

				probe[k] = s[j] + gen_below(&seed, l[j] - s[j] + 1);
			} else {
				probe[k] = s[0] + gen_below(&seed,
						l[nr - 1] - s[0] + 1);
			}
		}
		for (k = 0; k < np; k++) {
			if (mdx_lookup(x, probe[k]) !=
			    bsearch_lookup(s, l, nr, probe[k])) {
				fprintf(stderr, "bench_mdindex: results differ\n");
				return 1;
			}
		}
		for (r = 0; r < runs; r++) {
			double t = run_index(x, probe, np);

			if (t < best_x)
				best_x = t;
			t = run_bsearch(s, l, nr, probe, np);
			if (t < best_b)
				best_b = t;
		}
		n = size_name(nr);
		printf("bench: index_lookup_%s %.2f ns\n", n, best_x);
		printf("bench: bsearch_lookup_%s %.2f ns\n", n, best_b);
		printf("bench: index_speedup_vs_bsearch_%s %.2f x\n", n,
		       best_b / best_x);
		printf("bench: index_bytes_per_range_%s %.2f B\n", n,
		       (double)mdx_bytes(nr) / nr);
		free(buf);
		free(probe);
		free(s);
		free(l);
	}
	return 0;
}
