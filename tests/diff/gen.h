/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Random region trees and edit sequences for differential testing.
 *
 * Randomness comes from a struct rnd, which is either a seeded PRNG (the
 * fixed-seed suite) or a byte stream (the libFuzzer target decodes its
 * input through the very same generator).
 */
#ifndef MEMDISP_TESTS_DIFF_GEN_H
#define MEMDISP_TESTS_DIFF_GEN_H

#include "model.h"

struct rnd {
	uint64_t s;		/* PRNG state (splitmix64) */
	const uint8_t *buf;	/* byte-stream mode when non-NULL */
	size_t len, pos;
};

void rnd_seed(struct rnd *r, uint64_t seed);
void rnd_bytes(struct rnd *r, const uint8_t *buf, size_t len);
uint64_t rnd_u64(struct rnd *r);
/* Uniform-ish in [0, n), n >= 1. */
uint32_t rnd_below(struct rnd *r, uint32_t n);
bool rnd_pct(struct rnd *r, unsigned pct);

struct gen_params {
	int max_nodes;		/* total regions, roots included (<= 64) */
	int max_as;		/* 1 .. DT_MAX_AS */
	unsigned kind_w[DT_KIND_NR];	/* relative weights of kinds */
	/*
	 * Let AS roots carry flags, be non-containers, be subregions of other
	 * regions, and let ordinary regions be roots.  QEMU renders from
	 * memory_region_get_flatview_root(), which then differs from a plain
	 * render of as->root.
	 */
	bool root_quirks;
	/* allow addr + size > 2^64 inside a parent, offset + size > 2^64 */
	bool local_overflow;
};

void gen_default_params(struct gen_params *p);
/* Builds a random description into t (which it initialises). */
void gen_tree(struct rnd *r, const struct gen_params *p, struct dt_tree *t);

enum dt_op {
	E_ENABLE,
	E_ADDRESS,
	E_SIZE,
	E_ALIAS_OFF,
	E_DEL,
	E_ADD,
	E_READONLY,
	E_NV,
	E_ROMD,
	E_OP_NR,
};

struct dt_edit {
	enum dt_op op;
	int node;
	int parent;		/* E_ADD */
	uint64_t v;		/* address, size (UINT64_MAX = 2^64), offset */
	int32_t prio;		/* E_ADD */
	bool overlap;		/* E_ADD: _overlap variant */
	bool b;			/* flags */
};

/* Picks an edit that is legal on t (does not apply it). */
void gen_edit(struct rnd *r, const struct gen_params *p,
	      const struct dt_tree *t, struct dt_edit *e);
/* Applies e to the model, with QEMU's bookkeeping. */
void dt_apply_edit(struct dt_tree *t, const struct dt_edit *e);
void dt_print_edit(FILE *f, const struct dt_tree *t, const struct dt_edit *e);

/* uint64_t size argument as QEMU takes it: UINT64_MAX means 2^64. */
static inline uint64_t dt_size_arg(u128 size)
{
	return size == DT_2_64 ? UINT64_MAX : (uint64_t)size;
}

static inline u128 dt_size_from_arg(uint64_t v)
{
	return v == UINT64_MAX ? DT_2_64 : (u128)v;
}

#endif
