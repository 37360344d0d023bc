/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * mdindex: an immutable range-lookup index over a flattened map.
 *
 * Written once, in kernel style, with no kernel-only dependencies, and
 * compiled unchanged into memdisp.ko and libmemdisp (see DESIGN.md).
 *
 * The index covers nr ranges [start[i], last[i]] (inclusive, so the whole
 * 64-bit space fits) that are sorted by start and do not overlap.  It maps
 * an address to the position i of the range containing it.  It holds no
 * payload: callers keep their sections in an array in the same order.
 *
 * Lookups take no lock, never sleep and never allocate.  Building is done
 * into a caller-supplied buffer so that the kernel can use kvmalloc() with
 * GFP_KERNEL_ACCOUNT and userspace can use malloc().
 */
#ifndef MEMDISP_MDINDEX_H
#define MEMDISP_MDINDEX_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
typedef uint64_t mdx_u64;
typedef uint32_t mdx_u32;
#endif

#ifdef __KERNEL__
typedef u64 mdx_u64;
typedef u32 mdx_u32;
/* The lookup steps below, inline even where the caller is compiled cold. */
#define MDX_INLINE	static __always_inline
#else
#define MDX_INLINE	static inline __attribute__((__always_inline__))
#endif

/* Returned by lookups when no range matches. */
#define MDX_NONE ((mdx_u32)~0U)

/* Largest number of ranges one index can hold. */
#define MDX_MAX_RANGES (1U << 30)

struct mdx;

/**
 * mdx_bytes() - size of the buffer mdx_build() needs for @nr ranges
 * @nr: number of ranges, at most %MDX_MAX_RANGES
 *
 * Includes any slack needed to align the index inside the buffer, so any
 * buffer returned by malloc() or kvmalloc() of this size will do.
 *
 * Return: the size in bytes, or 0 if @nr is above %MDX_MAX_RANGES.
 */
size_t mdx_bytes(mdx_u32 nr);

/**
 * mdx_build() - build an index into @buf
 * @buf: at least mdx_bytes(@nr) bytes
 * @start: first address of each range, ascending
 * @last: last address of each range (inclusive)
 * @nr: number of ranges (0 is valid: every lookup then misses)
 *
 * Validates the input: every start[i] <= last[i] and last[i] < start[i + 1].
 *
 * Return: the index (pointing into @buf), or NULL if the input is invalid;
 * @buf is then left in an unspecified state.
 */
struct mdx *mdx_build(void *buf, const mdx_u64 *start, const mdx_u64 *last,
		      mdx_u32 nr);

/**
 * mdx_count() - number of ranges in @x
 * @x: an index from mdx_build()
 */
mdx_u32 mdx_count(const struct mdx *x);

/**
 * mdx_lookup() - find the range containing @addr
 * @x: an index from mdx_build()
 * @addr: any address
 *
 * Return: the position of the range containing @addr, or %MDX_NONE.
 */
mdx_u32 mdx_lookup(const struct mdx *x, mdx_u64 addr);

/**
 * mdx_lookup_ge() - find the first range that ends at or after @addr
 * @x: an index from mdx_build()
 * @addr: any address
 *
 * That is the range containing @addr if there is one, else the first range
 * above @addr.  Used to clip an access to the gap before the next range.
 *
 * Return: its position, or %MDX_NONE if every range ends below @addr.
 */
mdx_u32 mdx_lookup_ge(const struct mdx *x, mdx_u64 addr);

/**
 * mdx_range() - the bounds of range @i, as given to mdx_build()
 * @x: an index from mdx_build()
 * @i: a position below mdx_count(@x)
 * @start: where to store its first address
 * @last: where to store its last address
 */
void mdx_range(const struct mdx *x, mdx_u32 i, mdx_u64 *start,
	       mdx_u64 *last);

/*
 * The layout and the lookup steps, inline so that fast paths (the module's
 * translation, and through memdisp_api.h other modules') descend without a
 * call.  Everything below is read-only over an index from mdx_build(); see
 * mdindex.c for the layout.
 */

/* Keys per node and ranges per leaf block: one 64-byte line of u64. */
#define MDX_B		8U
/* Children per internal node: 7 keys, the eighth slot is padding. */
#define MDX_FANOUT	8U
/* u64 per leaf block: 8 starts, then their 8 ends. */
#define MDX_LEAF_WORDS	(2 * MDX_B)
/* Node and buffer alignment. */
#define MDX_ALIGN	64U
/*
 * Internal levels above the leaves: MDX_MAX_RANGES / 8 = 2^27 leaf blocks
 * need log8(2^27) = 9 levels; one spare.
 */
#define MDX_MAX_LEVELS	10
/* Padding key; see the top of mdindex.c. */
#define MDX_PAD		(~(mdx_u64)0)

/*
 * The header sits at the 64-byte aligned start of the buffer, followed by
 * the internal nodes, the leaf blocks and the hint table.  What a lookup
 * reads first (the hint table's bounds, the leaves, the two top levels)
 * shares its first cache line.
 */
struct mdx {
	mdx_u32 nr;		/* ranges */
	mdx_u32 levels;		/* internal levels (0: one leaf block) */
	mdx_u32 hshift;		/* log2 of the addresses per hint bucket */
	mdx_u32 hlast;		/* the last range (nr - 1) */
	const mdx_u32 *hint;	/* hint table, or NULL (see the top) */
	mdx_u64 hbase;		/* first start: bucket 0's first address */
	mdx_u64 hspan;		/* last start - first start */
	const mdx_u64 *leaf;	/* leaf blocks */
	/* first node of internal level l, l = 0 being the root */
	const mdx_u64 *level[MDX_MAX_LEVELS];
};

/*
 * Number of the 7 sorted keys at @k that are <= @addr (0..7): a binary
 * search of three steps without branches.
 */
MDX_INLINE mdx_u32 mdx_rank7(const mdx_u64 *k, mdx_u64 addr)
{
	mdx_u32 c = (mdx_u32)(k[3] <= addr) << 2;

	c += (mdx_u32)(k[c + 1] <= addr) << 1;
	return c + (mdx_u32)(k[c] <= addr);
}

/*
 * Index of the last of the 8 sorted keys at @k that is <= @addr, or 0 if
 * none is: three steps without branches.
 */
MDX_INLINE mdx_u32 mdx_last_le8(const mdx_u64 *k, mdx_u64 addr)
{
	mdx_u32 i = (mdx_u32)(k[4] <= addr) << 2;

	i += (mdx_u32)(k[i + 2] <= addr) << 1;
	return i + (mdx_u32)(k[i + 1] <= addr);
}

/* The start of range @i, which must be below x->nr. */
MDX_INLINE mdx_u64 mdx_start_of(const struct mdx *x, mdx_u32 i)
{
	return x->leaf[(size_t)(i / MDX_B) * MDX_LEAF_WORDS + i % MDX_B];
}

/* The end of range @i, which must be below x->nr. */
MDX_INLINE mdx_u64 mdx_last_of(const struct mdx *x, mdx_u32 i)
{
	return x->leaf[(size_t)(i / MDX_B) * MDX_LEAF_WORDS + MDX_B +
		       i % MDX_B];
}

/*
 * For @addr below ~0: in *@pos the position of the range whose start is
 * the last <= @addr, or of range 0 if none is, and a pointer to that
 * range's start in its leaf block (its last address is MDX_B words
 * further).  The caller tells the two cases apart by comparing that start
 * with @addr; with no range at all the start is padding, above @addr.
 */
MDX_INLINE const mdx_u64 *mdx_descend(const struct mdx *x, mdx_u64 addr,
					 mdx_u32 *pos)
{
	const mdx_u64 *blk;
	mdx_u32 j = 0, l, i;

	if (x->hint) {
		mdx_u64 d = addr - x->hbase;	/* wraps above hspan below hbase */
		const mdx_u32 *h;
		mdx_u32 step, j2;

		if (d > x->hspan) {
			/* below the first start, or at or above the last */
			i = addr < x->hbase ? 0 : x->hlast;
			goto range;
		}
		h = x->hint + (d >> x->hshift);
		i = h[0];
		step = h[1] - i;
		if (step <= 1) {
			/* range h[1] if it starts at or below addr */
			i += step & (mdx_u32)(mdx_start_of(x, h[1]) <= addr);
			goto range;
		}
		/* several ranges start in the bucket: their leaf blocks */
		j = i / MDX_B;
		j2 = h[1] / MDX_B;
		if (j2 - j <= 1) {
			j += (j2 - j) & (mdx_u32)(x->leaf[(size_t)j2 *
						  MDX_LEAF_WORDS] <= addr);
			goto leaf;
		}
		j = 0;
	}
	/* read only here: a hint names the range for most addresses */
	for (l = 0; l < x->levels; l++)
		j = j * MDX_FANOUT +
		    mdx_rank7(x->level[l] + (size_t)j * MDX_B, addr);
leaf:
	blk = x->leaf + (size_t)j * MDX_LEAF_WORDS;
	i = mdx_last_le8(blk, addr);
	*pos = j * MDX_B + i;
	return blk + i;
range:
	*pos = i;
	return x->leaf + (size_t)(i / MDX_B) * MDX_LEAF_WORDS + i % MDX_B;
}


#endif /* MEMDISP_MDINDEX_H */
