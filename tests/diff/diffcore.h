/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One differential run: a tree plus an edit sequence, played on both the
 * model and libmemdisp, with the views compared after every commit and
 * inside open transactions.  Shared by the fixed-seed suite and the
 * libFuzzer target.
 */
#ifndef MEMDISP_TESTS_DIFF_DIFFCORE_H
#define MEMDISP_TESTS_DIFF_DIFFCORE_H

#include "gen.h"

struct diff_stats {
	long trees;
	long views;		/* views compared */
	long ranges;		/* ranges compared (model side) */
	long bad;		/* mismatching views */
};

/* seed value meaning "input from the fuzzer" */
#define DIFF_SEED_FUZZ UINT64_MAX

struct diff_run {
	const char *label;	/* for dumps */
	uint64_t seed;
	int nr_edits;		/* edit steps after the build */
	int max_dumps;		/* dumps left to print (decremented) */
	FILE *out;		/* dumps go here, each line "# " */
	/*
	 * When a view depends on QEMU's flatview-root simplification (the
	 * model renders it differently from a plain render of as->root), the
	 * comparison is counted in *quirk instead of *main.
	 */
	struct diff_stats *main;
	struct diff_stats *quirk;
	struct diff_stats *txn;	/* views read inside open transactions */
	/* flatview_for_each_range() against memdisp_flatview_walk() */
	struct diff_stats *api;
};

/*
 * diff_one() - generate a tree from r, play it and its edits.
 * Returns the number of mismatching views seen.
 */
long diff_one(struct rnd *r, const struct gen_params *p, struct diff_run *d);

#endif
