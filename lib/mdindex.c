// SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later
/*
 * mdindex: an immutable range-lookup index over a flattened map.
 *
 * Layout: a static B+tree ("S+tree") of 64-byte nodes.
 *
 * The leaf level holds the ranges in blocks of eight: a block is 128 bytes,
 * the eight starts (the keys) on one cache line and the eight ends on the
 * next, so that the end check after the search touches the adjacent line
 * of the same page rather than a separate array.  The last block's unused
 * keys are padded with ~0.  Above the leaves sit internal levels
 * of 8-key nodes with fan-out 9: key k of node j at level L is the smallest
 * start below child 9 * j + k + 1 (~0 when that child does not exist).  All
 * levels live in one array, root first, each node on its own cache line.
 *
 * A lookup counts, in every node on its path, the keys <= addr (eight
 * compares added together, no data-dependent branch) and descends into the
 * child of that number.  In the leaf block the count gives the last range
 * whose start is <= addr; its end, on the block's second line, decides the
 * hit.
 * The descent reads one cache line per level: log9(nr / 8) + 1 lines in
 * all, against about log2(nr) dependent probes, most of them misses, for a
 * binary search.  A map of up to 8 ranges is a single leaf block scanned
 * linearly.
 *
 * The padding key ~0 would compare <= addr when addr is ~0 itself; that one
 * address is answered directly (the last range is the only candidate), so
 * padding never steers a descent.
 *
 * Building only writes into the caller's buffer, so this file needs nothing
 * from the kernel beyond types and string helpers and compiles unchanged in
 * memdisp.ko and libmemdisp.
 */
#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#else
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#endif

#include "mdindex.h"

/* Keys per node: one 64-byte cache line of u64. */
#define MDX_B		8U
/* Children per internal node. */
#define MDX_FANOUT	(MDX_B + 1)
/* Node and buffer alignment. */
#define MDX_ALIGN	64U
/*
 * Internal levels above the leaves: MDX_MAX_RANGES / 8 = 2^27 leaf blocks
 * need ceil(log9(2^27)) = 9 levels; one spare.
 */
#define MDX_MAX_LEVELS	10
/* u64 per leaf block: 8 starts then 8 ends */
#define MDX_LEAF_WORDS	(2 * MDX_B)
/* Padding key; see the top of the file. */
#define MDX_PAD		(~(mdx_u64)0)

/*
 * The header sits at the 64-byte aligned start of the buffer, followed by
 * the internal nodes and the leaf blocks.  Fields a lookup
 * needs come first so that they share one cache line.
 */
struct mdx {
	mdx_u32 nr;		/* ranges */
	mdx_u32 levels;		/* internal levels (0: one leaf block) */
	const mdx_u64 *tree;	/* internal nodes, root level first */
	const mdx_u64 *leaf;	/* leaf blocks: 8 starts, then their 8 ends */
	/* first node of internal level l (l = 0 is the root), in nodes */
	mdx_u32 level_off[MDX_MAX_LEVELS];
};

/* Number of leaf blocks for @nr ranges (at least one, even for nr == 0). */
static inline mdx_u32 mdx_leaf_blocks(mdx_u32 nr)
{
	return nr ? (nr + MDX_B - 1) / MDX_B : 1;
}

/*
 * Nodes of each internal level, from the one just above the leaves upwards,
 * into @cnt; returns the number of levels and the total number of nodes
 * in @total.
 */
static mdx_u32 mdx_shape(mdx_u32 nr, mdx_u32 cnt[MDX_MAX_LEVELS],
			 mdx_u64 *total)
{
	mdx_u32 n = mdx_leaf_blocks(nr);
	mdx_u32 levels = 0;

	*total = 0;
	while (n > 1 && levels < MDX_MAX_LEVELS) {
		n = (n + MDX_FANOUT - 1) / MDX_FANOUT;
		cnt[levels++] = n;
		*total += n;
	}
	return levels;
}

static inline size_t mdx_header_bytes(void)
{
	return (sizeof(struct mdx) + MDX_ALIGN - 1) & ~(size_t)(MDX_ALIGN - 1);
}

/**
 * mdx_bytes() - size of the buffer mdx_build() needs for @nr ranges
 * @nr: number of ranges, at most %MDX_MAX_RANGES
 *
 * Return: the size in bytes, or 0 if @nr is above %MDX_MAX_RANGES or the
 * size does not fit in a size_t.
 */
size_t mdx_bytes(mdx_u32 nr)
{
	mdx_u32 cnt[MDX_MAX_LEVELS];
	mdx_u64 nodes, bytes;

	if (nr > MDX_MAX_RANGES)
		return 0;
	mdx_shape(nr, cnt, &nodes);
	/* all terms are below 2^40, so the u64 sum cannot wrap */
	bytes = (mdx_u64)(MDX_ALIGN - 1) + mdx_header_bytes();
	bytes += nodes * MDX_B * sizeof(mdx_u64);
	bytes += (mdx_u64)mdx_leaf_blocks(nr) * MDX_LEAF_WORDS *
		 sizeof(mdx_u64);
	if (bytes > (mdx_u64)(size_t)-1)
		return 0;
	return (size_t)bytes;
}

/**
 * mdx_build() - build an index into @buf
 * @buf: at least mdx_bytes(@nr) bytes
 * @start: first address of each range, ascending
 * @last: last address of each range (inclusive)
 * @nr: number of ranges (0 is valid: every lookup then misses)
 *
 * Return: the index (pointing into @buf), or NULL if the input is invalid.
 */
struct mdx *mdx_build(void *buf, const mdx_u64 *start, const mdx_u64 *last,
		      mdx_u32 nr)
{
	mdx_u32 cnt[MDX_MAX_LEVELS];
	mdx_u32 levels, nblocks, l, i, k;
	mdx_u64 nodes, *tree, *leaf;
	struct mdx *x;
	uintptr_t p;

	if (!buf || nr > MDX_MAX_RANGES || (nr && (!start || !last)))
		return NULL;
	for (i = 0; i < nr; i++) {
		if (start[i] > last[i])
			return NULL;
		if (i + 1 < nr && last[i] >= start[i + 1])
			return NULL;
	}

	levels = mdx_shape(nr, cnt, &nodes);
	nblocks = mdx_leaf_blocks(nr);

	p = ((uintptr_t)buf + MDX_ALIGN - 1) & ~(uintptr_t)(MDX_ALIGN - 1);
	x = (struct mdx *)p;
	memset(x, 0, sizeof(*x));
	tree = (mdx_u64 *)(p + mdx_header_bytes());
	leaf = tree + nodes * MDX_B;

	for (i = 0; i < nblocks * MDX_B; i++) {
		mdx_u64 *blk = leaf + (mdx_u64)(i / MDX_B) * MDX_LEAF_WORDS;

		blk[i % MDX_B] = i < nr ? start[i] : MDX_PAD;
		blk[MDX_B + i % MDX_B] = i < nr ? last[i] : 0;
	}

	/*
	 * Internal levels, root first.  cnt[] counts them from the bottom:
	 * the root is cnt[levels - 1].  At height h (1 = just above the
	 * leaves) a child covers 9^(h-1) leaf blocks.
	 */
	{
		mdx_u32 off = 0;

		for (l = 0; l < levels; l++) {
			x->level_off[l] = off;
			off += cnt[levels - 1 - l];
		}
	}
	for (l = 0; l < levels; l++) {
		mdx_u32 h = levels - l;
		mdx_u32 n = cnt[h - 1];
		mdx_u64 span = 1;	/* leaf blocks under one child */
		mdx_u64 *node = tree + (mdx_u64)x->level_off[l] * MDX_B;
		mdx_u32 j;

		for (k = 1; k < h; k++)
			span *= MDX_FANOUT;
		for (j = 0; j < n; j++) {
			for (k = 0; k < MDX_B; k++) {
				mdx_u64 child = (mdx_u64)j * MDX_FANOUT + k + 1;
				mdx_u64 blk = child * span;

				node[(mdx_u64)j * MDX_B + k] = blk < nblocks ?
					leaf[blk * MDX_LEAF_WORDS] : MDX_PAD;
			}
		}
	}

	x->nr = nr;
	x->levels = levels;
	x->tree = tree;
	x->leaf = leaf;
	return x;
}

/**
 * mdx_count() - number of ranges in @x
 * @x: an index from mdx_build()
 *
 * Return: the number of ranges.
 */
mdx_u32 mdx_count(const struct mdx *x)
{
	return x->nr;
}

/* Number of the 8 keys at @k that are <= @addr, without branches. */
static inline mdx_u32 mdx_rank8(const mdx_u64 *k, mdx_u64 addr)
{
	return (mdx_u32)(k[0] <= addr) + (mdx_u32)(k[1] <= addr) +
	       (mdx_u32)(k[2] <= addr) + (mdx_u32)(k[3] <= addr) +
	       (mdx_u32)(k[4] <= addr) + (mdx_u32)(k[5] <= addr) +
	       (mdx_u32)(k[6] <= addr) + (mdx_u32)(k[7] <= addr);
}

/*
 * Position of the last range whose start is <= @addr, or MDX_NONE when
 * every start is above @addr (including when there is no range).
 */
static inline mdx_u32 mdx_floor(const struct mdx *x, mdx_u64 addr)
{
	const mdx_u64 *tree = x->tree;
	mdx_u32 levels = x->levels;
	mdx_u32 j = 0, l, c;

	if (addr == MDX_PAD)
		return x->nr - 1;	/* MDX_NONE when nr == 0 */
	for (l = 0; l < levels; l++) {
		const mdx_u64 *node = tree +
			(size_t)(x->level_off[l] + j) * MDX_B;

		j = j * MDX_FANOUT + mdx_rank8(node, addr);
	}
	c = mdx_rank8(x->leaf + (size_t)j * MDX_LEAF_WORDS, addr);
	/* c == 0 only below the first start: j * 8 - 1 wraps to MDX_NONE */
	return j * MDX_B + c - 1;
}

/* Start and end of range @i, which must be below x->nr. */
static inline mdx_u64 mdx_start_of(const struct mdx *x, mdx_u32 i)
{
	return x->leaf[(size_t)(i / MDX_B) * MDX_LEAF_WORDS + i % MDX_B];
}

static inline mdx_u64 mdx_last_of(const struct mdx *x, mdx_u32 i)
{
	return x->leaf[(size_t)(i / MDX_B) * MDX_LEAF_WORDS + MDX_B +
		       i % MDX_B];
}

/**
 * mdx_lookup() - find the range containing @addr
 * @x: an index from mdx_build()
 * @addr: any address
 *
 * Return: the position of the range containing @addr, or %MDX_NONE.
 */
mdx_u32 mdx_lookup(const struct mdx *x, mdx_u64 addr)
{
	mdx_u32 i = mdx_floor(x, addr);

	if (i == MDX_NONE || mdx_last_of(x, i) < addr)
		return MDX_NONE;
	return i;
}

/**
 * mdx_lookup_ge() - find the first range that ends at or after @addr
 * @x: an index from mdx_build()
 * @addr: any address
 *
 * Return: its position, or %MDX_NONE if every range ends below @addr.
 */
mdx_u32 mdx_lookup_ge(const struct mdx *x, mdx_u64 addr)
{
	mdx_u32 i = mdx_floor(x, addr);

	if (i != MDX_NONE && mdx_last_of(x, i) >= addr)
		return i;
	/* the next range, if any, starts above addr */
	i++;	/* MDX_NONE + 1 == 0 */
	return i < x->nr ? i : MDX_NONE;
}

/**
 * mdx_range() - the bounds of range @i, as given to mdx_build()
 * @x: an index from mdx_build()
 * @i: a position below mdx_count(@x)
 * @start: where to store its first address
 * @last: where to store its last address
 */
void mdx_range(const struct mdx *x, mdx_u32 i, mdx_u64 *start,
	       mdx_u64 *last)
{
	if (i >= x->nr) {
		/* out of contract: report an empty range rather than read past */
		*start = MDX_PAD;
		*last = 0;
		return;
	}
	*start = mdx_start_of(x, i);
	*last = mdx_last_of(x, i);
}
