/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * incr.h - incremental commits against full renders on large trees
 */
#ifndef MEMDISP_TESTS_DIFF_INCR_H
#define MEMDISP_TESTS_DIFF_INCR_H

#include <stddef.h>
#include <stdint.h>

/*
 * Build a tree of ~2,700 regions, run @steps random transactions and check
 * listeners after each commit (the library checks the views themselves
 * when MEMDISP_VERIFY_INCREMENTAL=1).  Returns non-zero on a mismatch, with
 * the reason in @why; *@incremental is the number of window renders done.
 */
int incr_run(uint64_t seed, int steps, long *incremental, char *why,
	     size_t whylen);

/* libmemdisp test aid (render.c): chunk and group sizes of new views */
void memdisp_test_view_shape(unsigned int chunk_max, unsigned int group_max);
void memdisp_test_order_min(unsigned int min);

#endif
