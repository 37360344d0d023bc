// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diff-test: fixed-seed differential suite, libmemdisp against the
 * reference model, over more than 10,000 random trees and edit sequences.
 * Prints TAP.  On a mismatch it prints the seed and a readable dump of the
 * tree, the edits and both views.
 *
 *   diff-test                  the whole suite
 *   diff-test --one NAME SEED [LAST]  replay one tree (or seeds SEED..LAST
 *                              in one process) verbosely (NAME: a test)
 *   diff-test --incremental SEED [CHUNK GROUP]  one run of the large-tree
 *                              incremental check (incr.c), optionally with
 *                              views of CHUNK ranges per chunk and GROUP
 *                              chunks per group
 *
 * MEMDISP_VERIFY_INCREMENTAL=1 is set for the whole run: the library then
 * compares every incrementally spliced view with a full render and aborts
 * on a difference.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diffcore.h"
#include "incr.h"

struct tcase {
	const char *name;
	const char *desc;
	int trees;
	int edits;
	void (*tune)(struct gen_params *p);
};

static void tune_default(struct gen_params *p)
{
	(void)p;
}

static void tune_alias(struct gen_params *p)
{
	p->kind_w[DT_ALIAS] = 12;
	p->kind_w[DT_CONTAINER] = 4;
	p->max_nodes = 30;
}

static void tune_deep(struct gen_params *p)
{
	p->kind_w[DT_CONTAINER] = 12;
	p->kind_w[DT_IO] = 5;
	p->kind_w[DT_ALIAS] = 2;
	p->max_nodes = 48;
}

static void tune_flat_many(struct gen_params *p)
{
	p->max_nodes = 64;
	p->max_as = 4;
}

static void tune_quirks(struct gen_params *p)
{
	p->root_quirks = true;
	p->max_as = 4;
}

static void tune_overflow(struct gen_params *p)
{
	p->local_overflow = true;
	p->max_as = 4;
}

static const struct tcase cases[] = {
	{ "static", "static trees, no edits", 5000, 0, tune_default },
	{ "edits", "trees with 12 edits each, nested transactions",
	  4000, 12, tune_default },
	{ "alias", "alias-heavy trees (aliases of aliases), 6 edits",
	  1500, 6, tune_alias },
	{ "deep", "deeply nested containers/io regions, 6 edits",
	  1000, 6, tune_deep },
	{ "big", "64-region trees, 4 address spaces, 4 edits",
	  600, 4, tune_flat_many },
	{ "roots", "any region as AS root, roots mapped/flagged, 6 edits",
	  1500, 6, tune_quirks },
	{ "overflow", "addr+size and alias offset+size past 2^64, 6 edits",
	  1000, 6, tune_overflow },
};

#define NR_CASES ((int)(sizeof(cases) / sizeof(cases[0])))

static volatile const char *cur_name = "";
static volatile uint64_t cur_seed;

static void on_abort(int sig)
{
	char buf[160];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "# library aborted in test %s, seed %llu "
		     "(diff-test --one %s %llu)\n",
		     cur_name, (unsigned long long)cur_seed, cur_name,
		     (unsigned long long)cur_seed);
	if (n > 0 && write(1, buf, n) < 0)
		_exit(3);
	if (!strcmp((const char *)cur_name, "incremental"))
		n = snprintf(buf, sizeof(buf), "# (diff-test --incremental "
			     "%llu)\n", (unsigned long long)cur_seed);
	if (n > 0 && write(1, buf, n) < 0)
		_exit(3);
	signal(sig, SIG_DFL);
	raise(sig);
}

static uint64_t seed_of(int ci, int i)
{
	return (uint64_t)(ci + 1) * 1000000 + (uint64_t)i;
}

static int run_one(const char *name, uint64_t seed, uint64_t last)
{
	struct diff_stats m = { 0 }, q = { 0 }, t = { 0 }, api = { 0 };
	struct diff_run d = {
		.label = name, .seed = seed, .max_dumps = 100,
		.out = stdout, .main = &m, .quirk = &q, .txn = &t, .api = &api,
	};
	struct gen_params p;
	struct rnd r;
	uint64_t s;
	int ci;

	for (ci = 0; ci < NR_CASES; ci++)
		if (!strcmp(cases[ci].name, name))
			break;
	if (ci == NR_CASES) {
		fprintf(stderr, "diff-test: no test named '%s'\n", name);
		return 2;
	}
	gen_default_params(&p);
	cases[ci].tune(&p);
	d.nr_edits = cases[ci].edits;
	for (s = seed; s <= last; s++) {
		d.seed = cur_seed = s;
		rnd_seed(&r, s);
		diff_one(&r, &p, &d);
	}
	printf("%s seeds %llu..%llu: %ld/%ld/%ld/%ld views bad "
	       "(main/root-quirk/open-txn/qemu-api)\n", name,
	       (unsigned long long)seed, (unsigned long long)last, m.bad,
	       q.bad, t.bad, api.bad);
	return m.bad || q.bad || t.bad || api.bad;
}

int main(int argc, char **argv)
{
	struct diff_stats quirk = { 0 }, txn = { 0 }, api = { 0 };
	long total_trees = 0;
	int ci, n = 0, failed = 0;
	struct timespec t0, t1;

	/* the library checks every spliced view against a full render */
	setenv("MEMDISP_VERIFY_INCREMENTAL", "1", 1);
	signal(SIGABRT, on_abort);
	signal(SIGSEGV, on_abort);
	if ((argc == 3 || argc == 5) && !strcmp(argv[1], "--incremental")) {
		char why[200] = "";
		long inc;
		int bad;

		if (argc == 5)
			memdisp_test_view_shape(atoi(argv[3]), atoi(argv[4]));
		cur_name = "incremental";
		cur_seed = strtoull(argv[2], NULL, 0);
		bad = incr_run(strtoull(argv[2], NULL, 0), 3000, &inc, why,
			       sizeof(why));
		printf("%s\n", bad ? why : "no mismatch");
		return bad;
	}
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "--one")) {
		uint64_t first = strtoull(argv[3], NULL, 0);

		cur_name = argv[2];
		return run_one(argv[2], first, argc == 5 ?
			       strtoull(argv[4], NULL, 0) : first);
	}
	if (argc != 1) {
		fprintf(stderr, "usage: diff-test [--one NAME SEED [LAST] | "
			"--incremental SEED [CHUNK GROUP]]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (ci = 0; ci < NR_CASES; ci++) {
		const struct tcase *c = &cases[ci];
		struct diff_stats m = { 0 };
		struct diff_run d = {
			.label = c->name, .nr_edits = c->edits,
			.max_dumps = 2, .out = stdout,
			.main = &m, .quirk = &quirk, .txn = &txn,
			.api = &api,
		};
		struct gen_params p;
		int i;

		gen_default_params(&p);
		c->tune(&p);
		cur_name = c->name;
		for (i = 0; i < c->trees; i++) {
			struct rnd r;

			d.seed = cur_seed = seed_of(ci, i);
			rnd_seed(&r, d.seed);
			/*
			 * Every other tree renders every container through
			 * its cached child order (render.c keeps it for
			 * containers of 16 subregions and more), so that the
			 * model also checks that edits drop a stale one.
			 */
			memdisp_test_order_min(i & 1 ? 1 : 0);
			diff_one(&r, &p, &d);
			memdisp_test_order_min(0);
		}
		total_trees += m.trees;
		n++;
		printf("# %s: %ld trees, %ld views, %ld ranges compared\n",
		       c->name, m.trees, m.views, m.ranges);
		if (m.bad || !m.views) {
			failed++;
			printf("not ok %d - diff: %s (%ld of %ld views differ)\n",
			       n, c->desc, m.bad, m.views);
		} else {
			printf("ok %d - diff: %s\n", n, c->desc);
		}
	}
	n++;
	printf("# root simplification: %ld views, %ld ranges\n", quirk.views,
	       quirk.ranges);
	if (quirk.bad || !quirk.views) {
		failed++;
		printf("not ok %d - diff: views where QEMU's flatview-root "
		       "simplification matters (%ld of %ld differ)\n", n,
		       quirk.bad, quirk.views);
	} else {
		printf("ok %d - diff: views where QEMU's flatview-root "
		       "simplification matters\n", n);
	}
	n++;
	printf("# open transactions: %ld views, %ld ranges\n", txn.views,
	       txn.ranges);
	if (txn.bad || !txn.views) {
		failed++;
		printf("not ok %d - diff: views do not change inside an open "
		       "transaction (%ld of %ld differ)\n", n, txn.bad,
		       txn.views);
	} else {
		printf("ok %d - diff: views do not change inside an open "
		       "transaction\n", n);
	}
	n++;
	printf("# QEMU API path: %ld views, %ld ranges\n", api.views,
	       api.ranges);
	if (api.bad || !api.views) {
		failed++;
		printf("not ok %d - diff: flatview_for_each_range agrees with "
		       "memdisp_flatview_walk (%ld of %ld differ)\n", n,
		       api.bad, api.views);
	} else {
		printf("ok %d - diff: flatview_for_each_range agrees with "
		       "memdisp_flatview_walk\n", n);
	}
	n++;
	{
		static const uint64_t seeds[] = { 1, 4242, 77 };
		long inc, inc_total = 0;
		char why[200] = "";
		unsigned int k;
		int bad = 0;

		cur_name = "incremental";
		for (k = 0; k < 3 && !bad; k++) {
			cur_seed = seeds[k];
			/* the last run: views of chunks of 4 ranges, groups of
			 * 3 chunks (hundreds of groups: splices across them) */
			if (k == 2)
				memdisp_test_view_shape(4, 3);
			if (k == 1)
				memdisp_test_order_min(1);
			bad = incr_run(seeds[k], 2500, &inc, why, sizeof(why));
			memdisp_test_view_shape(0, 0);
			memdisp_test_order_min(0);
			inc_total += inc;
		}
		if (!bad && inc_total < 2500) {
			snprintf(why, sizeof(why), "only %ld commits were "
				 "incremental", inc_total);
			bad = 1;
		}
		failed += bad;
		printf("%sok %d - diff: incremental commits equal full "
		       "renders and listeners see the delta (large trees, "
		       "default and tiny chunks/groups)%s%s\n",
		       bad ? "not " : "", n, bad ? ": " : "", why);
		n++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %ld trees in %.1f s\n", total_trees,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("%sok %d - diff: at least 10000 trees compared (%ld)\n",
	       total_trees >= 10000 ? "" : "not ", n, total_trees);
	failed += total_trees < 10000;
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
