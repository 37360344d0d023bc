// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * render.c - turning a region tree into a FlatView
 *
 * The result is the one QEMU 7.2's render_memory_region() and
 * flatview_simplify() give: subregions in list order (higher priority
 * first, newest first among equals), a range once rendered is never
 * overwritten, a terminating region fills the gaps left in its clipped
 * span, aliases shift the base and clip, and adjacent ranges of the same
 * region with contiguous offsets and equal attributes are merged.
 *
 * QEMU keeps the ranges in a sorted array and scans it from the start for
 * every region, which is quadratic.  Here the ranges rendered so far live
 * in a treap keyed by start address, so finding the gaps inside a span
 * costs O(log n + ranges in the span).
 */
#include <string.h>

#include "memdisp-internal.h"

struct rnode {
	Int128 start;
	Int128 end;		/* exclusive */
	MemoryRegion *mr;
	hwaddr offset_in_region;
	uint32_t prio;
	int l, r;
	uint8_t dirty_log_mask;
	bool romd_mode, readonly, nonvolatile;
};

struct rctx {
	struct rnode *n;
	int nr, cap;
	int root;
	uint32_t rng;
	int *hits;		/* scratch: nodes inside the span being filled */
	int nhits, caphits;
};

static uint32_t rctx_rand(struct rctx *c)
{
	/* xorshift32: only balance depends on it */
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 17;
	c->rng ^= c->rng << 5;
	return c->rng;
}

static int t_rot_right(struct rctx *c, int t)
{
	int l = c->n[t].l;

	c->n[t].l = c->n[l].r;
	c->n[l].r = t;
	return l;
}

static int t_rot_left(struct rctx *c, int t)
{
	int r = c->n[t].r;

	c->n[t].r = c->n[r].l;
	c->n[r].l = t;
	return r;
}

static int t_insert(struct rctx *c, int t, int x)
{
	if (t < 0)
		return x;
	if (c->n[x].start < c->n[t].start) {
		c->n[t].l = t_insert(c, c->n[t].l, x);
		if (c->n[c->n[t].l].prio > c->n[t].prio)
			t = t_rot_right(c, t);
	} else {
		c->n[t].r = t_insert(c, c->n[t].r, x);
		if (c->n[c->n[t].r].prio > c->n[t].prio)
			t = t_rot_left(c, t);
	}
	return t;
}

/* Collect, in address order, the nodes intersecting [lo, hi). */
static void t_collect(struct rctx *c, int t, Int128 lo, Int128 hi)
{
	while (t >= 0) {
		struct rnode *n = &c->n[t];

		/* nodes left of n end at or before n->start */
		if (n->start > lo)
			t_collect(c, n->l, lo, hi);
		n = &c->n[t];
		if (n->start < hi && n->end > lo) {
			if (c->nhits == c->caphits) {
				c->caphits = c->caphits ? c->caphits * 2 : 64;
				c->hits = md_realloc(c->hits,
						     c->caphits * sizeof(int));
			}
			c->hits[c->nhits++] = t;
		}
		if (n->start >= hi)
			return;
		t = n->r;
	}
}

static void rctx_add(struct rctx *c, Int128 start, Int128 end,
		     const struct rnode *tmpl, hwaddr offset)
{
	struct rnode *n;

	if (c->nr == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->n = md_realloc(c->n, c->cap * sizeof(*c->n));
	}
	n = &c->n[c->nr];
	*n = *tmpl;
	n->start = start;
	n->end = end;
	n->offset_in_region = offset;
	n->prio = rctx_rand(c);
	n->l = n->r = -1;
	c->root = t_insert(c, c->root, c->nr++);
}

/* Fill the gaps of [s, e) with @mr; @offset is the offset of @s in @mr. */
static void rctx_fill(struct rctx *c, MemoryRegion *mr, Int128 s, Int128 e,
		      hwaddr offset, bool readonly, bool nonvolatile)
{
	struct rnode tmpl = {
		.mr = mr,
		.dirty_log_mask = md_dirty_log_mask(mr),
		.romd_mode = mr->romd_mode,
		.readonly = readonly,
		.nonvolatile = nonvolatile,
	};
	Int128 pos = s;
	int i, nhits;

	c->nhits = 0;
	t_collect(c, c->root, s, e);
	nhits = c->nhits;
	/*
	 * rctx_add() may move c->n but not c->hits (no collect runs
	 * meanwhile), so copy bounds out before adding.
	 */
	for (i = 0; i < nhits; i++) {
		Int128 hs = c->n[c->hits[i]].start;
		Int128 he = c->n[c->hits[i]].end;

		if (hs > pos)
			rctx_add(c, pos, hs, &tmpl,
				 offset + (hwaddr)(pos - s));
		if (he > pos)
			pos = he;
	}
	if (pos < e)
		rctx_add(c, pos, e, &tmpl, offset + (hwaddr)(pos - s));
}

static void render_mr(struct rctx *c, MemoryRegion *mr, Int128 base,
		      Int128 cs, Int128 ce, bool readonly, bool nonvolatile)
{
	MemoryRegion *sub;
	Int128 s, e;

	if (!mr->enabled)
		return;
	base += mr->addr;
	readonly |= mr->readonly;
	nonvolatile |= mr->nonvolatile;
	s = base;
	e = base + mr->size;
	s = int128_max(s, cs);
	e = int128_min(e, ce);
	if (s >= e)
		return;
	if (mr->alias) {
		base -= mr->alias->addr;
		base -= mr->alias_offset;
		render_mr(c, mr->alias, base, s, e, readonly, nonvolatile);
		return;
	}
	for (sub = mr->sub_first; sub; sub = sub->sub_next)
		render_mr(c, sub, base, s, e, readonly, nonvolatile);
	if (!mr->terminates)
		return;
	rctx_fill(c, mr, s, e, (hwaddr)(s - base), readonly, nonvolatile);
}

static void t_inorder(struct rctx *c, int t, FlatView *v)
{
	while (t >= 0) {
		struct rnode *n;
		FlatRange *fr;

		t_inorder(c, c->n[t].l, v);
		n = &c->n[t];
		fr = &v->ranges[v->nr++];
		fr->mr = n->mr;
		fr->offset_in_region = n->offset_in_region;
		fr->addr.start = n->start;
		fr->addr.size = n->end - n->start;
		fr->dirty_log_mask = n->dirty_log_mask;
		fr->romd_mode = n->romd_mode;
		fr->readonly = n->readonly;
		fr->nonvolatile = n->nonvolatile;
		t = n->r;
	}
}

static bool can_merge(const FlatRange *a, const FlatRange *b)
{
	return a->addr.start + a->addr.size == b->addr.start &&
	       a->mr == b->mr &&
	       (Int128)a->offset_in_region + a->addr.size ==
	       (Int128)b->offset_in_region &&
	       a->dirty_log_mask == b->dirty_log_mask &&
	       a->romd_mode == b->romd_mode &&
	       a->readonly == b->readonly &&
	       a->nonvolatile == b->nonvolatile;
}

static void flatview_simplify(FlatView *v)
{
	unsigned int i, j, out = 0;

	for (i = 0; i < v->nr; i = j) {
		FlatRange r = v->ranges[i];

		for (j = i + 1; j < v->nr &&
		     can_merge(&v->ranges[j - 1], &v->ranges[j]); j++)
			r.addr.size += v->ranges[j].addr.size;
		v->ranges[out++] = r;
	}
	v->nr = out;
}

static unsigned long md_fv_seq;

FlatView *md_flatview_new(MemoryRegion *root)
{
	FlatView *v = md_zalloc(sizeof(*v));

	v->ref = 1;
	v->root = root;
	v->seq = ++md_fv_seq;
	memory_region_ref(root);
	return v;
}

static void md_flatview_build_index(FlatView *v)
{
	mdx_u64 *st, *la;
	unsigned int i;
	size_t bytes;

	if (!v->nr)
		return;
	st = md_realloc(NULL, v->nr * sizeof(*st));
	la = md_realloc(NULL, v->nr * sizeof(*la));
	for (i = 0; i < v->nr; i++) {
		st[i] = int128_get64(v->ranges[i].addr.start);
		la[i] = int128_get64(v->ranges[i].addr.start +
				     v->ranges[i].addr.size - 1);
	}
	bytes = mdx_bytes(v->nr);
	if (!bytes)
		md_die(v->root, "flat view of %u ranges is too large to index",
		       v->nr);
	v->index_buf = md_realloc(NULL, bytes);
	v->index = mdx_build(v->index_buf, st, la, v->nr);
	if (!v->index)
		md_die(v->root, "internal error: rendered ranges overlap");
	free(st);
	free(la);
}

FlatView *md_render(MemoryRegion *root)
{
	struct rctx c = { .root = -1, .rng = 0x9e3779b9u };
	FlatView *v = md_flatview_new(root);
	unsigned int i;

	if (root)
		render_mr(&c, root, 0, 0, int128_2_64(), false, false);
	v->ranges = md_realloc(NULL, (c.nr ? c.nr : 1) * sizeof(FlatRange));
	v->nr_allocated = c.nr;
	t_inorder(&c, c.root, v);
	free(c.n);
	free(c.hits);
	flatview_simplify(v);
	if (v->nr < v->nr_allocated / 2 && v->nr) {
		v->ranges = md_realloc(v->ranges, v->nr * sizeof(FlatRange));
		v->nr_allocated = v->nr;
	}
	for (i = 0; i < v->nr; i++)
		memory_region_ref(v->ranges[i].mr);
	md_flatview_build_index(v);
	return v;
}

MemoryRegion *md_flatview_root(MemoryRegion *mr)
{
	while (mr->enabled) {
		if (mr->alias) {
			if (!mr->alias_offset && mr->size >= mr->alias->size) {
				mr = mr->alias;
				continue;
			}
		} else if (!mr->terminates) {
			unsigned int found = 0;
			MemoryRegion *child, *next = NULL;

			for (child = mr->sub_first; child;
			     child = child->sub_next) {
				if (!child->enabled)
					continue;
				if (++found > 1) {
					next = NULL;
					break;
				}
				if (!child->addr && mr->size >= child->size)
					next = child;
			}
			if (!found)
				return NULL;
			if (next) {
				mr = next;
				continue;
			}
		}
		return mr;
	}
	return NULL;
}

bool md_flatrange_equal(const FlatRange *a, const FlatRange *b)
{
	return a->mr == b->mr && a->addr.start == b->addr.start &&
	       a->addr.size == b->addr.size &&
	       a->offset_in_region == b->offset_in_region &&
	       a->romd_mode == b->romd_mode && a->readonly == b->readonly &&
	       a->nonvolatile == b->nonvolatile;
}

MemoryRegionSection md_section_from_range(const FlatRange *fr, FlatView *fv)
{
	return (MemoryRegionSection) {
		.mr = fr->mr,
		.fv = fv,
		.offset_within_region = fr->offset_in_region,
		.size = fr->addr.size,
		.offset_within_address_space = int128_get64(fr->addr.start),
		.readonly = fr->readonly,
		.nonvolatile = fr->nonvolatile,
	};
}

/* ---------------------------------------------------------------------- */
/* Reference counting and RCU reclaim. */

static FlatView *md_graveyard;
static unsigned long md_graveyard_views;
static unsigned long md_graveyard_ranges;

void md_flatview_ref(FlatView *view)
{
	if (view)
		view->ref++;
}

static void md_flatview_free(FlatView *v)
{
	unsigned int i;

	for (i = 0; i < v->nr; i++)
		memory_region_unref(v->ranges[i].mr);
	memory_region_unref(v->root);
	free(v->ranges);
	free(v->index_buf);
	free(v);
}

void md_flatview_put(FlatView *view)
{
	if (!view)
		return;
	if (!view->ref)
		md_die(view->root, "FlatView reference count underflow");
	if (--view->ref)
		return;
	view->gc_next = md_graveyard;
	md_graveyard = view;
	md_graveyard_views++;
	md_graveyard_ranges += view->nr + 1;
}

void md_flatview_gc(bool force)
{
	FlatView *v, *next;

	if (!md_graveyard)
		return;
	if (!force && md_graveyard_views < 256 &&
	    md_graveyard_ranges < (1UL << 20))
		return;
	/* A commit from inside a read-side section (an MMIO callback that
	 * remaps) must not wait for itself: retry at a later commit. */
	if (urcu_memb_read_ongoing())
		return;
	v = md_graveyard;
	md_graveyard = NULL;
	md_graveyard_views = 0;
	md_graveyard_ranges = 0;
	urcu_memb_synchronize_rcu();
	for (; v; v = next) {
		next = v->gc_next;
		md_flatview_free(v);
	}
}

void memdisp_flatview_reclaim(void)
{
	/* freeing may unref owners whose finalizers retire more views */
	while (md_graveyard)
		md_flatview_gc(true);
}

/* ---------------------------------------------------------------------- */
/* Walks. */

const FlatRange *memdisp_flatview_lookup(const FlatView *fv, hwaddr addr)
{
	mdx_u32 i;

	if (!fv || !fv->index)
		return NULL;
	i = mdx_lookup(fv->index, addr);
	return i == MDX_NONE ? NULL : &fv->ranges[i];
}

void memdisp_flatview_walk(AddressSpace *as,
			   bool (*cb)(const struct memdisp_flat_range *r,
				      void *opaque),
			   void *opaque)
{
	FlatView *v = rcu_dereference(as->current_map);
	unsigned int i;

	for (i = 0; v && i < v->nr; i++) {
		const FlatRange *fr = &v->ranges[i];
		struct memdisp_flat_range r = {
			.start = int128_get64(fr->addr.start),
			.last = int128_get64(fr->addr.start + fr->addr.size - 1),
			.mr = fr->mr,
			.offset_in_region = fr->offset_in_region,
			.readonly = fr->readonly,
			.nonvolatile = fr->nonvolatile,
			.romd_mode = fr->romd_mode,
		};

		if (cb(&r, opaque))
			break;
	}
}

void flatview_for_each_range(FlatView *fv, flatview_cb cb, void *opaque)
{
	unsigned int i;

	for (i = 0; fv && i < fv->nr; i++)
		if (cb(fv->ranges[i].addr.start, fv->ranges[i].addr.size,
		       fv->ranges[i].mr, fv->ranges[i].offset_in_region,
		       opaque))
			break;
}
