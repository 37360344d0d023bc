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
	Object *owner;		/* @mr->owner when rendered (fills padding) */
} FlatRange;

/* Ranges per chunk of a FlatView (a rebuilt chunk holds at most this). */
#define MD_CHUNK_MAX 64
/* A rebuilt run of chunks shorter than this absorbs a neighbour. */
#define MD_CHUNK_MIN 16

/**
 * struct md_chunk - an immutable run of consecutive ranges of a FlatView
 * @ref: number of views that hold it
 * @nr: number of ranges (1 .. %MD_CHUNK_MAX)
 * @index: mdindex over @ranges (same positions)
 * @owners: owners of the ranges' regions, referenced by this chunk
 *
 * Chunks are shared between consecutive views: a commit that changes a
 * window rebuilds only the chunks the window touches.  A chunk is freed
 * with the last view that holds it, after that view's grace period.
 */
struct md_chunk {
	unsigned long ref;
	unsigned int nr;
	unsigned int nr_owners;
	struct mdx *index;
	void *index_buf;
	Object **owners;
	FlatRange ranges[];
};

/* Chunks per group (a rebuilt group holds at most this). */
#define MD_GROUP_MAX 64
/* A rebuilt run of groups with fewer chunks than this absorbs a neighbour. */
#define MD_GROUP_MIN 16

/**
 * struct md_group - an immutable run of consecutive chunks of a FlatView
 * @ref: number of views that hold it
 * @nr_chunks: number of chunks (1 .. %MD_GROUP_MAX)
 * @chunks: the chunks, in order; the group holds a reference to each
 * @chunk_last: last address (inclusive) of each chunk's last range
 * @chunk_pos: position of each chunk's first range within the group;
 *             [@nr_chunks] = number of ranges of the group
 *
 * The second level of a view: a commit rebuilds the chunks its window
 * touches, the groups holding them, and the view's short array of
 * groups, so its cost does not grow with the number of ranges.
 */
struct md_group {
	unsigned long ref;
	unsigned int nr_chunks;
	struct md_chunk *chunks[MD_GROUP_MAX];
	uint64_t chunk_last[MD_GROUP_MAX];
	unsigned int chunk_pos[MD_GROUP_MAX + 1];
};

/**
 * struct FlatView - an immutable rendered map
 * @nr: number of ranges, sorted by start, disjoint, merged as QEMU does
 * @nr_chunks: number of chunks in all groups (0 for an empty view)
 * @nr_groups: number of entries of @groups
 * @groups: the ranges, in order, cut into chunks held by groups
 * @group_last: last address (inclusive) of each group's last range
 * @group_pos: position of each group's first range; [@nr_groups] = @nr
 * @group_cpos: index of each group's first chunk; [@nr_groups] = @nr_chunks
 * @root: the simplified root it was rendered from (NULL: empty view)
 *
 * Published with rcu_assign_pointer() in AddressSpace::current_map and
 * never modified after that; freed after a grace period once its
 * reference count drops to zero.  Walk it with MD_FLATVIEW_FOR_EACH().
 */
struct FlatView {
	struct rcu_head rcu;
	unsigned long ref;
	unsigned int nr;
	unsigned int nr_chunks;
	unsigned int nr_groups;
	struct md_group **groups;
	uint64_t *group_last;
	unsigned int *group_pos;
	unsigned int *group_cpos;
	MemoryRegion *root;
	Object *root_owner;	/* referenced by this view */
	size_t built;		/* ranges of the chunks made for this view */
	FlatView *gc_next;
	unsigned long seq;	/* creation order, for mtree_info */
};

/*
 * Iterator over the ranges of a view, in address order: group @g, its
 * chunk @c, range @i; @k is the index of the chunk in the whole view.
 */
struct md_fv_iter {
	const FlatView *fv;
	unsigned int g, c, i, k;
};

static inline FlatRange *md_fv_iter_cur(struct md_fv_iter *it)
{
	while (it->fv && it->g < it->fv->nr_groups) {
		const struct md_group *gr = it->fv->groups[it->g];

		if (it->c < gr->nr_chunks) {
			struct md_chunk *ch = gr->chunks[it->c];

			if (it->i < ch->nr)
				return &ch->ranges[it->i];
			it->c++;
			it->k++;
			it->i = 0;
			continue;
		}
		it->g++;
		it->c = 0;
	}
	return NULL;
}

/* Position @it at the first range of chunk @k (of the whole view). */
void md_fv_iter_seek(struct md_fv_iter *it, const FlatView *fv,
		     unsigned int k);
/* Chunk @k of the whole view (< nr_chunks). */
struct md_chunk *md_fv_chunk(const FlatView *fv, unsigned int k);

/**
 * MD_FLATVIEW_FOR_EACH() - walk the ranges of a view in address order
 * @view: the view (may be NULL: no iteration)
 * @fr: a FlatRange pointer set to each range in turn
 */
#define MD_FLATVIEW_FOR_EACH(view, fr)					\
	for (struct md_fv_iter md_it_ = { .fv = (view) };		\
	     ((fr) = md_fv_iter_cur(&md_it_)) != NULL; md_it_.i++)

/* memory.c */
MD_NORETURN void md_die(const MemoryRegion *mr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
MD_NORETURN void md_oom(void);
void *md_zalloc(size_t size);
void *md_realloc(void *p, size_t size);
AddressSpace *md_first_as(void);
uint8_t md_dirty_log_mask(MemoryRegion *mr);

void memdisp_render_stats(unsigned long *full, unsigned long *incremental);
void memdisp_test_view_shape(unsigned int chunk_max, unsigned int group_max);
void memdisp_test_order_min(unsigned int min);

/* render.c */
FlatView *md_flatview_new(MemoryRegion *root);
FlatView *md_render(MemoryRegion *root);
FlatView *md_render_window(FlatView *old, MemoryRegion *root, Int128 lo,
			   Int128 hi);
bool md_flatview_same(const FlatView *a, const FlatView *b);
void md_flatview_ref(FlatView *view);
void md_flatview_put(FlatView *view);
void md_flatview_gc(bool force);
unsigned long md_new_stamp(void);
MemoryRegion *md_flatview_root(MemoryRegion *mr);
bool md_flatrange_equal(const FlatRange *a, const FlatRange *b);
MemoryRegionSection md_section_from_range(const FlatRange *fr, FlatView *fv);
void md_child_index_link(MemoryRegion *mr, MemoryRegion *sub);
void md_child_index_unlink(MemoryRegion *mr, MemoryRegion *sub);
void md_child_index_resize(MemoryRegion *sub);
void md_child_index_forget(MemoryRegion *mr);
/* Drop @mr's cached render order of its subregions (render.c). */
void md_render_order_drop(MemoryRegion *mr);
void md_trace_sync(MemoryRegion *mr);

/**
 * memdisp_flatview_lookup() - the range of @fv containing @addr, or NULL
 */
const FlatRange *memdisp_flatview_lookup(const FlatView *fv, hwaddr addr);

/**
 * memdisp_flatview_lookup_ge() - the first range of @fv ending at or after
 * @addr (the one containing it, else the next one above), or NULL
 */
const FlatRange *memdisp_flatview_lookup_ge(const FlatView *fv, hwaddr addr);

/* mtree.c needs the AS list. */
#define MD_FOR_EACH_AS(as) for ((as) = md_first_as(); (as); (as) = (as)->md_next)

#endif /* MEMDISP_INTERNAL_H */
