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

#endif /* MEMDISP_MDINDEX_H */
