/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memdisp-internal.h - structures shared by libmemdisp's sources
 *
 * Not installed.  Issue 3's dispatch code builds on struct FlatView and
 * memdisp_flatview_lookup() below.
 */
#ifndef MEMDISP_INTERNAL_H
#define MEMDISP_INTERNAL_H

#include <stdio.h>
#include <stdlib.h>
#include <urcu/urcu-memb.h>

#include <memdisp/memory.h>
#include "mdindex.h"

#define MD_NORETURN __attribute__((noreturn))

typedef struct AddrRange {
	Int128 start;
	Int128 size;
} AddrRange;

/**
 * struct FlatRange - one range of a FlatView (addresses absolute)
 */
typedef struct FlatRange {
	MemoryRegion *mr;
	hwaddr offset_in_region;
	AddrRange addr;
	uint8_t dirty_log_mask;
	bool romd_mode;
	bool readonly;
	bool nonvolatile;
} FlatRange;

/**
 * struct FlatView - an immutable rendered map
 * @ranges: @nr ranges sorted by start, disjoint, merged as QEMU does
 * @index: mdindex over @ranges (same positions), NULL when @nr is 0
 * @root: the simplified root it was rendered from (NULL: empty view)
 *
 * Published with rcu_assign_pointer() in AddressSpace::current_map and
 * never modified after that; freed after a grace period once its
 * reference count drops to zero.
 */
struct FlatView {
	struct rcu_head rcu;
	unsigned long ref;
	FlatRange *ranges;
	unsigned int nr;
	unsigned int nr_allocated;
	struct mdx *index;
	void *index_buf;
	MemoryRegion *root;
	FlatView *gc_next;
	unsigned long seq;	/* creation order, for mtree_info */
};

extern unsigned long md_global_dirty_log;

/* memory.c */
MD_NORETURN void md_die(const MemoryRegion *mr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
MD_NORETURN void md_oom(void);
void *md_zalloc(size_t size);
void *md_realloc(void *p, size_t size);
AddressSpace *md_first_as(void);
uint8_t md_dirty_log_mask(MemoryRegion *mr);

/* render.c */
FlatView *md_flatview_new(MemoryRegion *root);
FlatView *md_render(MemoryRegion *root);
void md_flatview_ref(FlatView *view);
void md_flatview_put(FlatView *view);
void md_flatview_gc(bool force);
unsigned long md_new_stamp(void);
MemoryRegion *md_flatview_root(MemoryRegion *mr);
bool md_flatrange_equal(const FlatRange *a, const FlatRange *b);
MemoryRegionSection md_section_from_range(const FlatRange *fr, FlatView *fv);

/**
 * memdisp_flatview_lookup() - the range of @fv containing @addr, or NULL
 */
const FlatRange *memdisp_flatview_lookup(const FlatView *fv, hwaddr addr);

/* mtree.c needs the AS list. */
#define MD_FOR_EACH_AS(as) for ((as) = md_first_as(); (as); (as) = (as)->md_next)

#endif /* MEMDISP_INTERNAL_H */
