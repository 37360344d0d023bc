// SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later
/*
 * mdindex: an immutable range-lookup index over a flattened map.
 *
 * Layout: a static B+tree of 64-byte nodes, built once, never modified.
 *
 * The leaf level holds the ranges in blocks of eight.  A block is 128 bytes:
 * the eight starts (the keys) on one cache line and their eight ends on the
 * next, so that the end check after the search touches the adjacent line of
 * the same page rather than a separate array.  The last block's unused keys
 * are padded with ~0.
 *
 * Above the leaves sit internal levels of 64-byte nodes with fan-out 8:
 * key k (0..6) of node j is the first start under child 8 * j + k + 1 (~0
 * when that child does not exist); the eighth slot is padding.  All internal
 * levels live in one array, root level first, every node on its own cache
 * line.  A map of up to 8 ranges has no internal level.
 *
 * A lookup reads one cache line per level: log8(nr / 8) + 1 lines (plus the
 * adjacent one for the end), where a binary search makes about log2(nr)
 * dependent probes, most of them cache misses at 64k ranges.  Inside a node
 * it does a three-step binary search without branches (compare, set, shift
 * and add), which is also what keeps it cheap under an emulator that pays
 * for every guest load.
 *
 * Maps of more than one leaf block (MDX_HINT_MIN ranges) also get a hint
 * table, an interpolation step in front of the tree.  The span from the
 * first start to the last is cut into at most mdx_hint_buckets(nr) buckets
 * of 2^hshift addresses (one per range, or eight in the module's maps of
 * up to 4096 ranges), and hint[b] is the last range starting at or below
 * bucket b's first address.  An address in bucket b then lies in a range
 * between hint[b] and hint[b + 1]:
 *  - when those are equal or adjacent (at most one range starts inside the
 *    bucket), one comparison names the range: two reads of the table, one
 *    start, then the range's own bounds, whatever the size of the map;
 *  - else, when their leaf blocks are equal or adjacent, one comparison
 *    names the block, searched as usual;
 *  - else the lookup descends the tree as usual, so a map whose ranges
 *    cluster (real machine maps: RAM low and high, MMIO packed under
 *    4 GiB) costs one table read more than without the table, never a
 *    wrong answer.
 * The table costs 4 bytes per bucket.  Under an emulator such as QEMU's
 * TCG, where every guest instruction costs, this cuts a 64k-range lookup
 * from six node visits to about one.
 *
 * The padding key ~0 would compare <= addr when addr is ~0 itself; that one
 * address is answered directly (only the last range can hold it), so padding
 * never steers a descent.
 *
 * Building only writes into the caller's buffer, and lookups take no lock,
 * never sleep, never allocate and never recurse, so this file needs nothing
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

/* Maps above this many ranges (one leaf block) get the hint table. */
#define MDX_HINT_MIN	8U

/*
 * Most buckets of the hint table for @nr ranges: MDX_HINT_DENSITY per
 * range in maps of up to MDX_HINT_DENSE_MAX ranges; above, as many as for
 * MDX_HINT_DENSE_MAX ranges or one per range, whichever is more (never
 * decreasing in @nr).  The density is a build choice: 1 by default (the
 * library, where a denser table measured no faster and costs 28 bytes
 * more per range of every view), 8 in memdisp.ko (kmod/xlat.c), where
 * under TCG a bucket holding two starts or more made a lookup in 64
 * ranges a third slower; above 4096 ranges a bigger table costs more in
 * cache and TLB misses than it saves.
 */
#ifndef MDX_HINT_DENSITY
#define MDX_HINT_DENSITY	1U
#endif
#define MDX_HINT_DENSE_MAX	4096U

static inline mdx_u64 mdx_hint_buckets(mdx_u32 nr)
{
	if (nr <= MDX_HINT_DENSE_MAX)
		return (mdx_u64)nr * MDX_HINT_DENSITY;
	return nr > MDX_HINT_DENSE_MAX * MDX_HINT_DENSITY ?
	       nr : (mdx_u64)MDX_HINT_DENSE_MAX * MDX_HINT_DENSITY;
}

/* Number of leaf blocks for @nr ranges (at least one, even for nr == 0). */
static inline mdx_u32 mdx_leaf_blocks(mdx_u32 nr)
{
	return nr ? (nr + MDX_B - 1) / MDX_B : 1;
}

/*
 * Nodes of each internal level, from the one just above the leaves upwards,
 * into @cnt; returns the number of levels, and the total number of nodes
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
 * About 16 bytes per range for the leaves and 1/7 of that again for the
 * internal levels; above 8 ranges the hint table, 4 bytes per bucket
 * (mdx_hint_buckets()); plus the header and the alignment slack.
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
	/* every term is below 2^40, so the u64 sum cannot wrap */
	bytes = (mdx_u64)(MDX_ALIGN - 1) + mdx_header_bytes();
	bytes += nodes * MDX_B * sizeof(mdx_u64);
	bytes += (mdx_u64)mdx_leaf_blocks(nr) * MDX_LEAF_WORDS *
		 sizeof(mdx_u64);
	if (nr > MDX_HINT_MIN)	/* the buckets, plus the end entry */
		bytes += ((mdx_u64)mdx_hint_buckets(nr) + 1) *
			 sizeof(mdx_u32);
	if (bytes > (mdx_u64)(size_t)-1)
		return 0;
	return (size_t)bytes;
}

/*
 * Fill the hint table at @hint for the @nr (> MDX_HINT_MIN) ranges starting
 * at @start: the shift that makes at most mdx_hint_buckets(@nr) buckets of
 * the span, and for every bucket boundary the last range starting at or
 * below it.
 */
static void mdx_build_hint(struct mdx *x, mdx_u32 *hint,
			   const mdx_u64 *start, mdx_u32 nr)
{
	mdx_u64 span = start[nr - 1] - start[0];
	mdx_u64 room = MDX_PAD - start[0];	/* largest offset from start[0] */
	mdx_u64 nb, b;
	mdx_u32 shift = 0, i = 0;

	/* span >> 63 is at most 1, below nr: the shift stays under 64 */
	while ((span >> shift) >= mdx_hint_buckets(nr))
		shift++;
	nb = (span >> shift) + 1;
	for (b = 0; b <= nb; b++) {
		/* the boundary after the last bucket may lie above 2^64 - 1 */
		if (b > (MDX_PAD >> shift) || (b << shift) > room) {
			i = nr - 1;
		} else {
			mdx_u64 a = start[0] + (b << shift);

			while (i + 1 < nr && start[i + 1] <= a)
				i++;
		}
		hint[b] = i;
	}
	x->hint = hint;
	x->hlast = nr - 1;
	x->hshift = shift;
	x->hbase = start[0];
	x->hspan = span;
}

/**
 * mdx_build() - build an index into @buf
 * @buf: at least mdx_bytes(@nr) bytes
 * @start: first address of each range, ascending
 * @last: last address of each range (inclusive)
 * @nr: number of ranges (0 is valid: every lookup then misses)
 *
 * Validates the input first: every start[i] <= last[i] and
 * last[i] < start[i + 1], and @nr at most %MDX_MAX_RANGES.
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
	 * Internal levels, root first; cnt[] counts them from the bottom.  At
	 * height h (1: just above the leaves) a child covers 8^(h-1) blocks.
	 */
	for (l = 0; l < levels; l++) {
		mdx_u32 h = levels - l;
		mdx_u32 n = cnt[h - 1];
		mdx_u64 span = 1;
		mdx_u64 *node = tree;
		mdx_u32 j;

		for (k = 0; k < l; k++)
			node += (mdx_u64)cnt[levels - 1 - k] * MDX_B;
		x->level[l] = node;
		for (k = 1; k < h; k++)
			span *= MDX_FANOUT;
		for (j = 0; j < n; j++) {
			for (k = 0; k < MDX_B; k++) {
				mdx_u64 child = (mdx_u64)j * MDX_FANOUT + k + 1;
				mdx_u64 blk = child * span;

				node[(mdx_u64)j * MDX_B + k] =
					k < MDX_FANOUT - 1 && blk < nblocks ?
					leaf[blk * MDX_LEAF_WORDS] : MDX_PAD;
			}
		}
	}

	if (nr > MDX_HINT_MIN)
		mdx_build_hint(x, (mdx_u32 *)(leaf + (mdx_u64)nblocks *
					       MDX_LEAF_WORDS), start, nr);
	x->nr = nr;
	x->levels = levels;
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


/**
 * mdx_lookup() - find the range containing @addr
 * @x: an index from mdx_build()
 * @addr: any address
 *
 * Return: the position of the range containing @addr, or %MDX_NONE.
 */
mdx_u32 mdx_lookup(const struct mdx *x, mdx_u64 addr)
{
	const mdx_u64 *k;
	mdx_u32 pos;

	if (addr == MDX_PAD) {
		/* only the last range can hold ~0 */
		if (!x->nr || mdx_last_of(x, x->nr - 1) != MDX_PAD)
			return MDX_NONE;
		return x->nr - 1;
	}
	k = mdx_descend(x, addr, &pos);
	/* k[0] is the range's start, k[MDX_B] its end */
	if (k[0] <= addr && addr <= k[MDX_B])
		return pos;
	return MDX_NONE;
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
	const mdx_u64 *k;
	mdx_u32 pos;

	if (addr == MDX_PAD) {
		if (!x->nr || mdx_last_of(x, x->nr - 1) != MDX_PAD)
			return MDX_NONE;
		return x->nr - 1;
	}
	k = mdx_descend(x, addr, &pos);
	if (k[0] > addr)	/* below every range: the first, if any */
		return pos < x->nr ? pos : MDX_NONE;
	if (addr <= k[MDX_B])
		return pos;
	/* the next range, if any, starts above addr */
	pos++;
	return pos < x->nr ? pos : MDX_NONE;
}

/**
 * mdx_range() - the bounds of range @i, as given to mdx_build()
 * @x: an index from mdx_build()
 * @i: a position below mdx_count(@x)
 * @start: where to store its first address
 * @last: where to store its last address
 *
 * Out of contract (@i at or above the count), it stores the empty range
 * [~0, 0] rather than read outside the index.
 */
void mdx_range(const struct mdx *x, mdx_u32 i, mdx_u64 *start,
	       mdx_u64 *last)
{
	if (i >= x->nr) {
		*start = MDX_PAD;
		*last = 0;
		return;
	}
	*start = mdx_start_of(x, i);
	*last = mdx_last_of(x, i);
}
