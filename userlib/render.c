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
 * every region, which is quadratic.  Here the union of what is rendered
 * lives in a treap of merged intervals (see struct rctx), so a render
 * costs O(n log n) whatever the overlaps.
 *
 * A view is a two-level tree: a short array of immutable, reference-counted
 * groups (struct md_group) of at most MD_GROUP_MAX immutable,
 * reference-counted chunks of at most MD_CHUNK_MAX ranges (struct
 * md_chunk), each chunk with its own mdindex and owner references.
 * md_render_window() renders one address window of a root again, clipped,
 * and splices it into the previous view: only the chunks holding the
 * window and the groups holding those are rebuilt, the others are shared
 * (a reference each), so a commit costs O(window + N / 8192).  Window
 * renders find the children of big containers through a per-container
 * address index (md_child_index_*) instead of walking every child.
 */
#include <stddef.h>
#include <string.h>

#include "memdisp-internal.h"

/*
 * The renderer keeps two things:
 *  - the output ranges, appended as they are rendered (sorted at the end);
 *  - the union of everything rendered so far, as disjoint, non-touching
 *    intervals in a treap keyed by start.  Filling [s, e) looks up the
 *    intervals inside, emits the gaps, and replaces them all by one
 *    interval: every interval is inserted and removed once, so regions
 *    that lie behind many already-rendered ranges cost no rescans.
 */
struct unode {
	uint64_t start;
	uint64_t last;		/* inclusive: intervals may end at 2^64 - 1 */
	uint32_t prio;
	int l, r;
};

struct orange {
	uint64_t start;
	uint64_t last;
	MemoryRegion *mr;
	hwaddr offset_in_region;
	Object *owner;		/* @mr's, read while @mr is in the cache */
	uint8_t dirty_log_mask;
	bool romd_mode, readonly, nonvolatile;
};

struct rctx {
	struct unode *u;
	int nu, capu;
	int freelist;
	int root;
	uint32_t rng;
	struct orange *o;
	size_t no, capo;
	/*
	 * Bounds of the rendered union (when @any).  Intervals wholly below
	 * or above it, not touching, wait in @below / @above (in order)
	 * until a fill needs the treap: rctx_flush().
	 */
	bool any;
	Int128 umin, umax;
	struct ustack {
		int *v;
		int n, cap;
	} below, above;
	int *tmp;		/* scratch: intervals covered by one fill */
	int ntmp, captmp;
	unsigned int depth;	/* render_mr() nesting */
	/* alias targets entered on the current path, and their bases */
	struct apath {
		MemoryRegion *mr;
		Int128 base;
	} *path;
	unsigned int npath;
	MemoryRegion **cand;	/* window renders: children to visit */
	unsigned int ncand, capcand;
	struct tframe *frames;	/* render_trace(): the open regions */
};

static uint32_t rctx_rand(struct rctx *c)
{
	/* xorshift32: only balance depends on it */
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 17;
	c->rng ^= c->rng << 5;
	return c->rng;
}

static int u_alloc(struct rctx *c, uint64_t start, uint64_t last)
{
	int x;

	if (c->freelist >= 0) {
		x = c->freelist;
		c->freelist = c->u[x].l;
	} else {
		if (c->nu == c->capu) {
			c->capu = c->capu ? c->capu * 2 : 64;
			c->u = md_realloc(c->u, c->capu * sizeof(*c->u));
		}
		x = c->nu++;
	}
	c->u[x].start = start;
	c->u[x].last = last;
	c->u[x].prio = rctx_rand(c);
	c->u[x].l = c->u[x].r = -1;
	return x;
}

/* Split @t into *@l (start < @key) and *@r (start >= @key). */
static void u_split(struct rctx *c, int t, Int128 key, int *l, int *r)
{
	if (t < 0) {
		*l = *r = -1;
		return;
	}
	if ((Int128)c->u[t].start < key) {
		int rl, rr;

		u_split(c, c->u[t].r, key, &rl, &rr);
		c->u[t].r = rl;
		*l = t;
		*r = rr;
	} else {
		int ll, lr;

		u_split(c, c->u[t].l, key, &ll, &lr);
		c->u[t].l = lr;
		*l = ll;
		*r = t;
	}
}

/* Join two treaps, every start in @a below every start in @b. */
static int u_merge(struct rctx *c, int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	if (c->u[a].prio > c->u[b].prio) {
		c->u[a].r = u_merge(c, c->u[a].r, b);
		return a;
	}
	c->u[b].l = u_merge(c, a, c->u[b].l);
	return b;
}

/* Append the nodes of @t, in order, to c->tmp. */
static void u_collect(struct rctx *c, int t)
{
	while (t >= 0) {
		u_collect(c, c->u[t].l);
		if (c->ntmp == c->captmp) {
			c->captmp = c->captmp ? c->captmp * 2 : 64;
			c->tmp = md_realloc(c->tmp, c->captmp * sizeof(int));
		}
		c->tmp[c->ntmp++] = t;
		t = c->u[t].r;
	}
}

static void stack_push(struct ustack *st, int x)
{
	if (st->n == st->cap) {
		st->cap = st->cap * 2 + 64;
		st->v = md_realloc(st->v, st->cap * sizeof(*st->v));
	}
	st->v[st->n++] = x;
}

/*
 * A treap of nodes @v[0..n) (keys ascending), balanced, with priorities
 * that decrease with depth and stay above nearly every random one.
 */
static int u_build(struct rctx *c, const int *v, int n, uint32_t depth)
{
	int mid = n / 2, x;

	if (n <= 0)
		return -1;
	x = v[mid];
	c->u[x].prio = UINT32_MAX - depth;
	c->u[x].l = u_build(c, v, mid, depth + 1);
	c->u[x].r = u_build(c, v + mid + 1, n - mid - 1, depth + 1);
	return x;
}

/* The lowest interval rendered so far (c->any). */
static int u_lowest(struct rctx *c)
{
	int x = c->root;

	if (c->below.n)
		return c->below.v[c->below.n - 1];
	if (x < 0)
		return c->above.v[0];
	while (c->u[x].l >= 0)
		x = c->u[x].l;
	return x;
}

/* The highest interval rendered so far (c->any). */
static int u_highest(struct rctx *c)
{
	int x = c->root;

	if (c->above.n)
		return c->above.v[c->above.n - 1];
	if (x < 0)
		return c->below.v[0];
	while (c->u[x].r >= 0)
		x = c->u[x].r;
	return x;
}

/* Move the intervals of the fast paths into the treap. */
static void rctx_flush(struct rctx *c)
{
	int i, n = c->below.n;

	if (n) {
		/* pushed in descending order: reverse */
		for (i = 0; i < n / 2; i++) {
			int t = c->below.v[i];

			c->below.v[i] = c->below.v[n - 1 - i];
			c->below.v[n - 1 - i] = t;
		}
		c->root = u_merge(c, u_build(c, c->below.v, n, 0), c->root);
		c->below.n = 0;
	}
	if (c->above.n) {
		c->root = u_merge(c, c->root,
				  u_build(c, c->above.v, c->above.n, 0));
		c->above.n = 0;
	}
}

static void rctx_emit(struct rctx *c, Int128 start, Int128 end,
		      const struct orange *tmpl, hwaddr offset)
{
	struct orange *o;

	if (c->no == c->capo) {
		c->capo = c->capo ? c->capo * 2 : 64;
		c->o = md_realloc(c->o, c->capo * sizeof(*c->o));
	}
	o = &c->o[c->no++];
	*o = *tmpl;
	o->start = (uint64_t)start;
	o->last = (uint64_t)(end - 1);
	o->offset_in_region = offset;
}

/*
 * Fill the gaps of [s, e) with the region of @t (its fields but the
 * addresses); @offset is the offset of @s in it.
 */
static void rctx_fill_as(struct rctx *c, const struct orange *t, Int128 s,
			 Int128 e, hwaddr offset)
{
	const struct orange tmpl = *t;
	Int128 pos = s, nstart = s, nend = e;	/* nend exclusive */
	int l, m, r, i, x = -1;

	/*
	 * Fast paths: nothing rendered yet, or [s, e) lies wholly below or
	 * above everything rendered without touching it (siblings render
	 * newest first, so trees built in address order come here).
	 */
	if (!c->any || e < c->umin || s > c->umax + 1) {
		rctx_emit(c, s, e, &tmpl, offset);
		x = u_alloc(c, (uint64_t)s, (uint64_t)(e - 1));
		if (!c->any) {
			c->any = true;
			c->root = x;
			c->umin = s;
			c->umax = e - 1;
		} else if (e < c->umin) {
			stack_push(&c->below, x);
			c->umin = s;
		} else {
			stack_push(&c->above, x);
			c->umax = e - 1;
		}
		return;
	}
	/* touching everything rendered from below or above: extend an end */
	if (e == c->umin || s == c->umax + 1) {
		rctx_emit(c, s, e, &tmpl, offset);
		if (e == c->umin) {
			c->u[u_lowest(c)].start = (uint64_t)s;
			c->umin = s;
		} else {
			c->u[u_highest(c)].last = (uint64_t)(e - 1);
			c->umax = e - 1;
		}
		return;
	}
	c->umin = int128_min(c->umin, s);
	c->umax = int128_max(c->umax, e - 1);
	rctx_flush(c);
	u_split(c, c->root, s, &l, &r);
	if (l >= 0) {
		int t = l;

		while (c->u[t].r >= 0)
			t = c->u[t].r;
		/* the interval just below s, if it reaches s or touches it */
		if ((Int128)c->u[t].last + 1 >= s) {
			int l2;

			u_split(c, l, (Int128)c->u[t].start, &l2, &x);
			l = l2;
		}
	}
	/* intervals starting inside [s, e], e included: they touch */
	u_split(c, r, e + 1, &m, &r);
	c->ntmp = 0;
	if (x >= 0)
		u_collect(c, x);
	u_collect(c, m);
	for (i = 0; i < c->ntmp; i++) {
		struct unode *n = &c->u[c->tmp[i]];
		Int128 a = n->start, b = (Int128)n->last + 1;

		if (a < nstart)
			nstart = a;
		if (b > nend)
			nend = b;
		if (a > pos && pos < e)
			rctx_emit(c, pos, int128_min(a, e), &tmpl,
				  offset + (hwaddr)(pos - s));
		if (b > pos)
			pos = b;
		/* recycle the node */
		n->l = c->freelist;
		c->freelist = c->tmp[i];
	}
	if (pos < e)
		rctx_emit(c, pos, e, &tmpl, offset + (hwaddr)(pos - s));
	x = u_alloc(c, (uint64_t)nstart, (uint64_t)(nend - 1));
	c->root = u_merge(c, u_merge(c, l, x), r);
}

/* Fill the gaps of [s, e) with @mr; @offset is the offset of @s in @mr. */
static void rctx_fill(struct rctx *c, MemoryRegion *mr, Int128 s, Int128 e,
		      hwaddr offset, bool readonly, bool nonvolatile)
{
	const struct orange tmpl = {
		.mr = mr,
		.owner = mr->owner,
		.dirty_log_mask = md_dirty_log_mask(mr),
		.romd_mode = mr->romd_mode,
		.readonly = readonly,
		.nonvolatile = nonvolatile,
	};

	rctx_fill_as(c, &tmpl, s, e, offset);
}

/* ---------------------------------------------------------------------- */
/*
 * Per-container index of children by address, so that a window render
 * finds the children it intersects without walking the whole list.  Kept
 * for containers of at least MD_CIDX_MIN children, in a side table keyed
 * by the container (MemoryRegion has no field for it), built the first
 * time a window render enters the container and then kept up to date by
 * memory.c on link, unlink and resize.
 *
 * Entries are sorted by start; blockmax[b] is the largest last address of
 * entries [b * 64, b * 64 + 64), so a query skips whole blocks that end
 * below the window.
 */
#define MD_CIDX_MIN 64
#define MD_CIDX_BLK 64

struct centry {
	uint64_t start, last;	/* last saturates at 2^64 - 1 */
	MemoryRegion *mr;
};

struct cidx {
	MemoryRegion *owner;
	unsigned int n, cap;
	unsigned int dead;	/* tombstones: entries with mr == NULL */
	struct centry *e;
	uint64_t maxlen;	/* >= last - start of every entry */
	uint64_t *blockmax;
	unsigned int nblocks;	/* allocated entries of blockmax */
};

static struct cidx **md_cidx_tab;	/* open addressing, linear probing */
static unsigned int md_cidx_size, md_cidx_used;

static unsigned int cidx_hash(const MemoryRegion *mr)
{
	uint64_t h = (uintptr_t)mr * 0x9e3779b97f4a7c15ULL;

	return (unsigned int)(h >> 32) & (md_cidx_size - 1);
}

static struct cidx *cidx_find(const MemoryRegion *mr)
{
	unsigned int i;

	if (!md_cidx_used)
		return NULL;
	for (i = cidx_hash(mr); md_cidx_tab[i];
	     i = (i + 1) & (md_cidx_size - 1))
		if (md_cidx_tab[i]->owner == mr)
			return md_cidx_tab[i];
	return NULL;
}

static void cidx_insert_slot(struct cidx *x)
{
	unsigned int i;

	for (i = cidx_hash(x->owner); md_cidx_tab[i];
	     i = (i + 1) & (md_cidx_size - 1))
		;
	md_cidx_tab[i] = x;
}

static void cidx_table_add(struct cidx *x)
{
	if ((md_cidx_used + 1) * 2 > md_cidx_size) {
		struct cidx **old = md_cidx_tab;
		unsigned int i, osize = md_cidx_size;

		md_cidx_size = osize ? osize * 2 : 16;
		md_cidx_tab = md_zalloc(md_cidx_size * sizeof(*md_cidx_tab));
		for (i = 0; i < osize; i++)
			if (old[i])
				cidx_insert_slot(old[i]);
		free(old);
	}
	cidx_insert_slot(x);
	md_cidx_used++;
}

static void cidx_table_del(const MemoryRegion *mr)
{
	unsigned int i, j, k;

	for (i = cidx_hash(mr); md_cidx_tab[i]; i = (i + 1) & (md_cidx_size - 1))
		if (md_cidx_tab[i]->owner == mr)
			break;
	if (!md_cidx_tab[i])
		return;
	md_cidx_tab[i] = NULL;
	md_cidx_used--;
	/* backward-shift deletion */
	for (j = (i + 1) & (md_cidx_size - 1); md_cidx_tab[j];
	     j = (j + 1) & (md_cidx_size - 1)) {
		k = cidx_hash(md_cidx_tab[j]->owner);
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && (k <= i && k > j))) {
			md_cidx_tab[i] = md_cidx_tab[j];
			md_cidx_tab[j] = NULL;
			i = j;
		}
	}
}

static void cidx_fix_blocks_only(struct cidx *x, unsigned int from);

static struct centry centry_of(MemoryRegion *sub)
{
	Int128 end = (Int128)sub->addr + sub->size;
	struct centry e = { .start = sub->addr, .mr = sub };

	if (!sub->size)
		e.last = sub->addr;
	else if (end > int128_2_64())
		e.last = UINT64_MAX;
	else
		e.last = (uint64_t)(end - 1);
	return e;
}

static void cidx_fix_blocks(struct cidx *x, unsigned int from)
{
	unsigned int k;

	/* every store of an entry goes through here or cidx_fix_range */
	for (k = from; k < x->n; k++)
		if (x->e[k].mr && x->e[k].last - x->e[k].start > x->maxlen)
			x->maxlen = x->e[k].last - x->e[k].start;
	cidx_fix_blocks_only(x, from);
}

static void cidx_fix_blocks_only(struct cidx *x, unsigned int from)
{
	unsigned int b, i, nb = (x->n + MD_CIDX_BLK - 1) / MD_CIDX_BLK;

	if (nb > x->nblocks) {
		x->nblocks = nb * 2;
		x->blockmax = md_realloc(x->blockmax, x->nblocks *
						       sizeof(*x->blockmax));
	}
	for (b = from / MD_CIDX_BLK; b < nb; b++) {
		uint64_t m = 0;
		unsigned int end = (b + 1) * MD_CIDX_BLK;

		if (end > x->n)
			end = x->n;
		for (i = b * MD_CIDX_BLK; i < end; i++)
			if (x->e[i].last > m)
				m = x->e[i].last;
		x->blockmax[b] = m;
	}
}

/* Recompute the block maxima of the blocks holding entries @i..@j. */
static void cidx_fix_range(struct cidx *x, unsigned int i, unsigned int j)
{
	unsigned int b, k;

	for (k = i; k <= j; k++)
		if (x->e[k].mr && x->e[k].last - x->e[k].start > x->maxlen)
			x->maxlen = x->e[k].last - x->e[k].start;

	for (b = i / MD_CIDX_BLK; b <= j / MD_CIDX_BLK; b++) {
		unsigned int end = (b + 1) * MD_CIDX_BLK;
		uint64_t m = 0;

		if (end > x->n)
			end = x->n;
		for (k = b * MD_CIDX_BLK; k < end; k++)
			if (x->e[k].last > m)
				m = x->e[k].last;
		x->blockmax[b] = m;
	}
}

static int centry_cmp(const void *pa, const void *pb)
{
	const struct centry *a = pa, *b = pb;

	return a->start < b->start ? -1 : a->start > b->start;
}

static struct cidx *cidx_build(MemoryRegion *mr)
{
	struct cidx *x = md_zalloc(sizeof(*x));
	MemoryRegion *sub;

	x->owner = mr;
	x->cap = (unsigned int)mr->nr_subregions + 16;
	x->e = md_realloc(NULL, x->cap * sizeof(*x->e));
	for (sub = mr->sub_first; sub; sub = sub->sub_next)
		x->e[x->n++] = centry_of(sub);
	qsort(x->e, x->n, sizeof(*x->e), centry_cmp);
	cidx_fix_blocks(x, 0);
	cidx_table_add(x);
	return x;
}

/* First entry with start >= @a. */
static unsigned int cidx_lower(const struct cidx *x, uint64_t a)
{
	unsigned int lo = 0, hi = x->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (x->e[mid].start < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Drop the tombstones (entries whose region left). */
static void cidx_compact(struct cidx *x)
{
	unsigned int i, out = 0;

	for (i = 0; i < x->n; i++)
		if (x->e[i].mr)
			x->e[out++] = x->e[i];
	x->n = out;
	x->dead = 0;
	x->maxlen = 0;
	cidx_fix_blocks(x, 0);
}

static void cidx_block_raise(struct cidx *x, unsigned int i)
{
	unsigned int b = i / MD_CIDX_BLK;

	if (x->e[i].last - x->e[i].start > x->maxlen)
		x->maxlen = x->e[i].last - x->e[i].start;
	if (x->e[i].last > x->blockmax[b])
		x->blockmax[b] = x->e[i].last;
}

/**
 * md_child_index_link() - @sub was linked into @mr's subregion list
 */
void md_child_index_link(MemoryRegion *mr, MemoryRegion *sub)
{
	struct cidx *x = cidx_find(mr);
	struct centry ne;
	unsigned int i, j, lim;

	if (!x)
		return;
	ne = centry_of(sub);
	/* after the entries with a lower or equal start */
	i = sub->addr == UINT64_MAX ? x->n : cidx_lower(x, sub->addr + 1);
	/* a tombstone right there or just before: reuse it, order holds */
	if (i < x->n && !x->e[i].mr) {
		x->e[i] = ne;
		x->dead--;
		cidx_block_raise(x, i);
		return;
	}
	if (i > 0 && !x->e[i - 1].mr) {
		x->e[i - 1] = ne;
		x->dead--;
		cidx_block_raise(x, i - 1);
		return;
	}
	if (i == x->n) {
		if (x->n == x->cap) {
			x->cap = x->cap * 2 + 16;
			x->e = md_realloc(x->e, x->cap * sizeof(*x->e));
		}
		x->e[x->n++] = ne;
		cidx_fix_blocks(x, i);
		return;
	}
	/* shift up to a nearby tombstone only */
	lim = i + 2 * MD_CIDX_BLK < x->n ? i + 2 * MD_CIDX_BLK : x->n;
	for (j = i; j < lim && x->e[j].mr; j++)
		;
	if (j < lim) {
		memmove(&x->e[i + 1], &x->e[i], (j - i) * sizeof(*x->e));
		x->e[i] = ne;
		x->dead--;
		/* blocks i..j only gained entries from below: recompute */
		cidx_fix_range(x, i, j);
		return;
	}
	if (x->n == x->cap) {
		x->cap = x->cap * 2 + 16;
		x->e = md_realloc(x->e, x->cap * sizeof(*x->e));
	}
	memmove(&x->e[i + 1], &x->e[i], (x->n - i) * sizeof(*x->e));
	x->e[i] = ne;
	x->n++;
	cidx_fix_blocks(x, i);
}

static unsigned int cidx_pos(struct cidx *x, MemoryRegion *sub)
{
	unsigned int i = cidx_lower(x, sub->addr);

	for (; i < x->n && x->e[i].mr != sub; i++)
		;
	if (i == x->n)
		md_die(sub, "internal error: child index out of step");
	return i;
}

/**
 * md_child_index_unlink() - @sub is about to leave @mr's subregion list
 */
void md_child_index_unlink(MemoryRegion *mr, MemoryRegion *sub)
{
	struct cidx *x = cidx_find(mr);
	unsigned int i;

	if (!x)
		return;
	i = cidx_pos(x, sub);
	if (i == x->n - 1) {
		x->n--;
		cidx_fix_blocks(x, i);
		return;
	}
	/* leave a tombstone: blockmax stays an upper bound */
	x->e[i].mr = NULL;
	if (++x->dead > x->n / 2)
		cidx_compact(x);
}

/**
 * md_child_index_resize() - @sub (a subregion) changed size
 */
void md_child_index_resize(MemoryRegion *sub)
{
	struct cidx *x = sub->container ? cidx_find(sub->container) : NULL;
	unsigned int i;

	if (!x)
		return;
	i = cidx_pos(x, sub);
	x->e[i] = centry_of(sub);
	cidx_fix_range(x, i, i);
}

/**
 * md_child_index_forget() - drop @mr's index (it is being finalized)
 */
void md_child_index_forget(MemoryRegion *mr)
{
	struct cidx *x = cidx_find(mr);

	if (!x)
		return;
	cidx_table_del(mr);
	free(x->e);
	free(x->blockmax);
	free(x);
}

/* Render order: higher priority first, newest first among equals. */
static int cand_cmp(const void *pa, const void *pb)
{
	const MemoryRegion *a = *(MemoryRegion *const *)pa;
	const MemoryRegion *b = *(MemoryRegion *const *)pb;

	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	return a->md_seq > b->md_seq ? -1 : a->md_seq < b->md_seq;
}

/*
 * Push onto c->cand the children of @mr that intersect [@lo, @last]
 * (container-relative), in render order.
 */
static void cidx_query(struct rctx *c, MemoryRegion *mr, uint64_t lo,
		       uint64_t last)
{
	struct cidx *x = cidx_find(mr);
	unsigned int u, b, i, start = c->ncand;

	if (!x)
		x = cidx_build(mr);
	u = last == UINT64_MAX ? x->n : cidx_lower(x, last + 1);
	/* nothing starting more than maxlen below @lo reaches it */
	b = lo > x->maxlen ? cidx_lower(x, lo - x->maxlen) / MD_CIDX_BLK : 0;
	for (; b * MD_CIDX_BLK < u; b++) {
		unsigned int end = (b + 1) * MD_CIDX_BLK;

		if (x->blockmax[b] < lo)
			continue;
		if (end > u)
			end = u;
		for (i = b * MD_CIDX_BLK; i < end; i++) {
			if (x->e[i].last < lo || !x->e[i].mr)
				continue;
			if (c->ncand == c->capcand) {
				c->capcand = c->capcand * 2 + 64;
				c->cand = md_realloc(c->cand, c->capcand *
							      sizeof(*c->cand));
			}
			c->cand[c->ncand++] = x->e[i].mr;
		}
	}
	if (c->ncand - start > 1)
		qsort(c->cand + start, c->ncand - start, sizeof(*c->cand),
		      cand_cmp);
}

/*
 * Containers of at least MD_ORDER_MIN subregions keep an array of them in
 * render order (md_order), built by the first full walk after a link or
 * unlink (md_render_order_drop()), so that rendering them can fetch
 * children ahead.  Nothing else changes the list's order: moving or
 * resizing a region relinks it.
 */
#define MD_ORDER_MIN	16
#define MD_ORDER_AHEAD	16

static unsigned long md_order_min = MD_ORDER_MIN;

/**
 * memdisp_test_order_min() - containers that render from a cached order
 * @min: subregions from which a container does (0: the default, 16)
 *
 * A test aid: 1 makes every container of a small random tree render
 * through its cached order, so that the tests comparing views with a
 * model also check that every edit drops a stale order.
 */
void memdisp_test_order_min(unsigned int min)
{
	md_order_min = min ? min : MD_ORDER_MIN;
}

/*
 * Fetch the lines of @mr that every render reads (romd_mode to owner, see
 * struct MemoryRegion): at most three, wherever the region sits.
 */
static inline void md_prefetch_hot(const MemoryRegion *mr)
{
	const char *p = (const char *)mr;

	__builtin_prefetch(p + offsetof(MemoryRegion, romd_mode));
	__builtin_prefetch(p + offsetof(MemoryRegion, addr));
	__builtin_prefetch(p + offsetof(MemoryRegion, owner) +
			   sizeof(mr->owner) - 1);
}

/* The same, and the line of the subregion list render_mr() walks. */
static inline void md_prefetch_mr(const MemoryRegion *mr)
{
	md_prefetch_hot(mr);
	__builtin_prefetch((const char *)mr +
			   offsetof(MemoryRegion, nr_subregions));
}

void md_render_order_drop(MemoryRegion *mr)
{
	MemoryRegion *up;

	free(mr->md_order);
	mr->md_order = NULL;
	mr->md_norder = 0;
	/* the traces holding @mr's subregions: its own and those above */
	for (up = mr; up; up = up->container) {
		free(up->md_trace);
		up->md_trace = NULL;
	}
}

static MemoryRegion *const *md_render_order(MemoryRegion *mr)
{
	MemoryRegion *sub;
	unsigned long n = 0;

	if (mr->md_order)
		return mr->md_order;
	mr->md_order = md_realloc(NULL, mr->nr_subregions *
					sizeof(*mr->md_order));
	for (sub = mr->sub_first; sub; sub = sub->sub_next)
		mr->md_order[n++] = sub;
	mr->md_norder = n;
	return mr->md_order;
}

static void render_mr(struct rctx *c, MemoryRegion *mr, Int128 base,
		      Int128 cs, Int128 ce, bool readonly, bool nonvolatile);

/*
 * The alias @mr, entered at @base (its own address included) with the
 * clip [@s, @e): render its target there.
 */
static inline __attribute__((always_inline)) void
render_alias_to(struct rctx *c, MemoryRegion *mr, MemoryRegion *alias,
		hwaddr alias_offset, Int128 base, Int128 s, Int128 e,
		bool readonly, bool nonvolatile)
{
	unsigned int i;

	base -= alias->addr;
	base -= alias_offset;
	/*
	 * An alias may point into its own container (QEMU allows it): each
	 * pass through it moves the window and clips it, so the recursion
	 * ends.  Entering the same target at the same base again, with a
	 * non-empty clip, would repeat forever.
	 */
	for (i = 0; i < c->npath; i++)
		if (c->path[i].mr == alias && c->path[i].base == base)
			md_die(mr, "alias of %s maps its window onto itself (endless cycle)",
			       memory_region_name(alias));
	c->path[c->npath].mr = alias;
	c->path[c->npath].base = base;
	c->npath++;
	render_mr(c, alias, base, s, e, readonly, nonvolatile);
	c->npath--;
}

static inline __attribute__((always_inline)) void
render_alias(struct rctx *c, MemoryRegion *mr, Int128 base, Int128 s,
	     Int128 e, bool readonly, bool nonvolatile)
{
	render_alias_to(c, mr, mr->alias, mr->alias_offset, base, s, e,
			readonly, nonvolatile);
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
	if (++c->depth > MEMDISP_RENDER_MAX_DEPTH)
		md_die(mr, "rendering nests deeper than %u regions (alias loop?)",
		       MEMDISP_RENDER_MAX_DEPTH);
	if (mr->alias) {
		render_alias(c, mr, base, s, e, readonly, nonvolatile);
		c->depth--;
		return;
	}
	if (mr->nr_subregions >= MD_CIDX_MIN && (e - s) * 8 < mr->size &&
	    s >= base) {
		/* a narrow window into a big container: use its index */
		unsigned int start = c->ncand, i;

		cidx_query(c, mr, (uint64_t)(s - base), (uint64_t)(e - 1 - base));
		for (i = start; i < c->ncand; i++)
			render_mr(c, c->cand[i], base, s, e, readonly,
				  nonvolatile);
		c->ncand = start;
	} else if (mr->nr_subregions >= md_order_min) {
		MemoryRegion *const *ord = md_render_order(mr);
		unsigned long i, n = mr->md_norder;

		/*
		 * Big trees do not fit in the cache, and a list walk can fetch
		 * only one sibling ahead: walk the cached array and fetch the
		 * lines a render reads MD_ORDER_AHEAD children ahead.
		 */
		for (i = 0; i < n && i < MD_ORDER_AHEAD; i++)
			md_prefetch_mr(ord[i]);
		for (i = 0; i < n; i++) {
			if (i + MD_ORDER_AHEAD < n)
				md_prefetch_mr(ord[i + MD_ORDER_AHEAD]);
			render_mr(c, ord[i], base, s, e, readonly, nonvolatile);
		}
	} else {
		MemoryRegion *next;

		for (sub = mr->sub_first; sub; sub = next) {
			/* fetch the next sibling while this one is rendered */
			next = sub->sub_next;
			if (next)
				md_prefetch_mr(next);
			render_mr(c, sub, base, s, e, readonly, nonvolatile);
		}
	}
	c->depth--;
	if (!mr->terminates)
		return;
	rctx_fill(c, mr, s, e, (hwaddr)(s - base), readonly, nonvolatile);
}

/*
 * Render traces.  A full render of a big tree is a depth-first pointer
 * chase: a container's first child is known only once the container has
 * arrived from memory, so once the tree leaves the cache every level
 * waits on memory in turn.  A region that is rendered whole a second time
 * with no link or unlink under it since (md_render_order_drop() forgets
 * the traces of a container and of everything above it) keeps its
 * subtree in render order in an array, each entry with the index just
 * past its own subtree and a copy of what a render reads of the region;
 * a render then walks the array alone, without reading the regions
 * (several cache lines each, scattered over the caller's memory), and
 * skips a disabled or clipped subtree in one step.  Aliases are leaves of
 * a trace: their targets render as usual.  Every edit of a copied field
 * updates the copies (md_trace_sync()).
 */
enum {
	MDT_ENABLED = 1 << 0,
	MDT_READONLY = 1 << 1,
	MDT_NONVOLATILE = 1 << 2,
	MDT_TERMINATES = 1 << 3,
	MDT_ROMD = 1 << 4,
	MDT_SIZE_2_64 = 1 << 5,		/* size is 2^64, @size holds 0 */
	MDT_DIRTYABLE = 1 << 6,		/* RAM or IOMMU: global dirty log */
	MDT_ALIAS = 1 << 7,
};

struct md_trace_ent {
	MemoryRegion *mr;
	hwaddr addr;
	uint64_t size;
	union {
		Object *owner;		/* not an alias */
		MemoryRegion *alias;	/* an alias: its target */
	};
	hwaddr alias_offset;
	unsigned int end;	/* the entry after @mr's subtree */
	uint16_t level;		/* 1 for the root, 2 for its subregions... */
	uint8_t flags;		/* MDT_* */
	uint8_t dirty_log_mask;	/* @mr's own */
};

struct md_trace {
	unsigned long n;
	bool ready;		/* built; else only asked for once */
	struct md_trace_ent e[];
};

/* What render_trace() keeps of each container whose subtree is open. */
struct tframe {
	Int128 base, s, e;
	const struct md_trace_ent *te;
	bool readonly, nonvolatile;
};

/* Copy into @te the fields of @te->mr that a render reads. */
static void trace_copy(struct md_trace_ent *te)
{
	MemoryRegion *mr = te->mr;

	te->addr = mr->addr;
	te->size = int128_get64(mr->size == int128_2_64() ? 0 : mr->size);
	te->flags = (mr->enabled ? MDT_ENABLED : 0) |
		    (mr->readonly ? MDT_READONLY : 0) |
		    (mr->nonvolatile ? MDT_NONVOLATILE : 0) |
		    (mr->terminates ? MDT_TERMINATES : 0) |
		    (mr->romd_mode ? MDT_ROMD : 0) |
		    (mr->size == int128_2_64() ? MDT_SIZE_2_64 : 0) |
		    (mr->ram_block || mr->is_iommu ? MDT_DIRTYABLE : 0) |
		    (mr->alias ? MDT_ALIAS : 0);
	te->dirty_log_mask = mr->dirty_log_mask;
	if (mr->alias) {
		te->alias = mr->alias;
		te->alias_offset = mr->alias_offset;
	} else {
		te->owner = mr->owner;
		te->alias_offset = 0;
	}
}

/**
 * md_trace_sync() - update the render traces' copy of @mr's fields
 * @mr: a region whose enabled, size, address, alias offset, readonly,
 *	nonvolatile, romd or dirty-log state just changed
 *
 * Each trace of a container above @mr (or of @mr itself) holds a copy;
 * @mr->md_trace_idx is its position in the last trace built over it.  A
 * trace where it is elsewhere (built before a trace of a region further
 * down) is dropped instead: the next renders build it again.
 */
void md_trace_sync(MemoryRegion *mr)
{
	MemoryRegion *up;

	for (up = mr; up; up = up->container) {
		struct md_trace *t = up->md_trace;
		unsigned int i = mr->md_trace_idx;

		if (!t || !t->ready)
			continue;
		if (i < t->n && t->e[i].mr == mr) {
			trace_copy(&t->e[i]);
		} else {
			free(t);
			up->md_trace = NULL;
		}
	}
}

static struct md_trace_ent *md_tb;	/* trace being built */
static unsigned long md_tb_n, md_tb_cap;

/* Append @mr's subtree to md_tb; false if it nests too deep or is huge. */
static bool trace_add(MemoryRegion *mr, unsigned int level)
{
	MemoryRegion *sub;
	unsigned long i;

	if (level > MEMDISP_RENDER_MAX_DEPTH || md_tb_n >= UINT32_MAX)
		return false;
	if (md_tb_n == md_tb_cap) {
		md_tb_cap = md_tb_cap ? md_tb_cap * 2 : 256;
		md_tb = md_realloc(md_tb, md_tb_cap * sizeof(*md_tb));
	}
	i = md_tb_n++;
	md_tb[i].mr = mr;
	md_tb[i].level = (uint16_t)level;
	trace_copy(&md_tb[i]);
	mr->md_trace_idx = (unsigned int)i;
	if (!mr->alias)
		for (sub = mr->sub_first; sub; sub = sub->sub_next)
			if (!trace_add(sub, level + 1))
				return false;
	md_tb[i].end = (unsigned int)md_tb_n;
	return true;
}

/*
 * @root's trace, or NULL: built on the second full render since the last
 * link or unlink under @root, so that a tree rendered once after each
 * edit does not pay for a walk it will not reuse.
 */
static const struct md_trace *md_trace_of(MemoryRegion *root)
{
	struct md_trace *t = root->md_trace;

	if (t && t->ready)
		return t;
	if (!t) {
		root->md_trace = md_zalloc(sizeof(*t));
		return NULL;
	}
	md_tb_n = 0;
	if (trace_add(root, 1)) {
		t = md_realloc(t, sizeof(*t) + md_tb_n * sizeof(t->e[0]));
		memcpy(t->e, md_tb, md_tb_n * sizeof(t->e[0]));
		t->n = md_tb_n;
		t->ready = true;
		root->md_trace = t;
	} else {
		t = NULL;	/* too deep: the usual render says so */
	}
	/* built once per edit of a tree rendered whole twice: not kept */
	free(md_tb);
	md_tb = NULL;
	md_tb_cap = 0;
	return t;
}

/* The output template of a trace entry's region, as rctx_fill() makes. */
static inline void trace_tmpl(struct orange *o, const struct md_trace_ent *te,
			      bool ro, bool nv)
{
	o->mr = te->mr;
	o->owner = te->owner;
	o->dirty_log_mask = te->dirty_log_mask;
	if (global_dirty_tracking && (te->flags & MDT_DIRTYABLE))
		o->dirty_log_mask |= 1 << DIRTY_MEMORY_MIGRATION;
	o->romd_mode = !!(te->flags & MDT_ROMD);
	o->readonly = ro;
	o->nonvolatile = nv;
}

/*
 * Close the open containers of level @lvl and deeper (frames *@top down
 * to @lvl), filling the gaps of those that terminate, innermost first;
 * *@nfill counts the open ones that do, so that the others cost nothing.
 */
static inline void trace_close(struct rctx *c, const struct tframe *f,
			       unsigned int *top, unsigned int *nfill,
			       unsigned int lvl, unsigned int d0)
{
	for (; *nfill && *top >= lvl; (*top)--) {
		const struct tframe *x = &f[*top];
		struct orange t;

		if (!(x->te->flags & MDT_TERMINATES))
			continue;
		(*nfill)--;
		c->depth = d0 + *top - 1;
		trace_tmpl(&t, x->te, x->readonly, x->nonvolatile);
		rctx_fill_as(c, &t, x->s, x->e, (hwaddr)(x->s - x->base));
	}
	*top = lvl - 1;
}

/*
 * What render_mr(c, root, 0, @cs, @ce, false, false) does, in the same
 * order, walking @t instead of the subregion lists and the regions.
 * Frame L holds the open container of level L (frame 0: the clip given);
 * a container that fills its own gaps (@terminates, as x86's "io") does
 * so when its subtree closes, others just leave.  Leaves render on the
 * spot.
 */
static void render_trace(struct rctx *c, const struct md_trace *t,
			 Int128 cs, Int128 ce)
{
	struct tframe *f = c->frames;
	unsigned int top = 0, nfill = 0, d0 = c->depth;
	unsigned long i = 0, n = t->n;

	f[0].base = 0;
	f[0].s = cs;
	f[0].e = ce;
	f[0].te = NULL;
	f[0].readonly = false;
	f[0].nonvolatile = false;
	while (i < n) {
		const struct md_trace_ent *te = &t->e[i];
		unsigned int lvl = te->level, fl = te->flags;
		const struct tframe *p;
		Int128 base, s, e;
		bool ro, nv;

		/* close the containers whose subtrees ended */
		if (top >= lvl)
			trace_close(c, f, &top, &nfill, lvl, d0);
		if (!(fl & MDT_ENABLED)) {
			i = te->end;
			continue;
		}
		p = &f[top];
		base = p->base + te->addr;
		ro = p->readonly | !!(fl & MDT_READONLY);
		nv = p->nonvolatile | !!(fl & MDT_NONVOLATILE);
		s = base > p->s ? base : p->s;
		e = base + (fl & MDT_SIZE_2_64 ? int128_2_64() :
			    (Int128)te->size);
		if (e > p->e)
			e = p->e;
		if (s >= e) {
			i = te->end;
			continue;
		}
		c->depth = d0 + lvl;
		if (c->depth > MEMDISP_RENDER_MAX_DEPTH)
			md_die(te->mr, "rendering nests deeper than %u regions (alias loop?)",
			       MEMDISP_RENDER_MAX_DEPTH);
		if (fl & MDT_ALIAS) {
			render_alias_to(c, te->mr, te->alias, te->alias_offset,
					base, s, e, ro, nv);
		} else if (te->end == i + 1) {
			/* no subregions: fill now */
			if (fl & MDT_TERMINATES) {
				struct orange tm;

				c->depth = d0 + lvl - 1;
				trace_tmpl(&tm, te, ro, nv);
				rctx_fill_as(c, &tm, s, e, (hwaddr)(s - base));
			}
		} else {
			top = lvl;
			f[top].base = base;
			f[top].s = s;
			f[top].e = e;
			f[top].te = te;
			f[top].readonly = ro;
			f[top].nonvolatile = nv;
			nfill += !!(fl & MDT_TERMINATES);
		}
		/* a leaf or an alias (a leaf of the trace) ends at i + 1 */
		i++;
	}
	trace_close(c, f, &top, &nfill, 1, d0);
	c->depth = d0;
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

/* QEMU's flatview_simplify() over @r[0..n): returns the new count. */
static size_t ranges_simplify(FlatRange *r, size_t n)
{
	size_t i, j, out = 0;

	for (i = 0; i < n; i = j) {
		FlatRange m = r[i];

		for (j = i + 1; j < n && can_merge(&r[j - 1], &r[j]); j++)
			m.addr.size += r[j].addr.size;
		r[out++] = m;
	}
	return out;
}

static unsigned long md_fv_seq;

FlatView *md_flatview_new(MemoryRegion *root)
{
	FlatView *v = md_zalloc(sizeof(*v));

	v->ref = 1;
	v->root = root;
	v->seq = ++md_fv_seq;
	if (root && root->owner)
		v->root_owner = object_ref(root->owner);
	return v;
}

/* Bytes of a chunk of @n ranges: the index follows the ranges. */
static size_t chunk_bytes(unsigned int n)
{
	return sizeof(struct md_chunk) + n * sizeof(FlatRange) + mdx_bytes(n);
}

/* A chunk with room for @cap ranges, holding none yet. */
static struct md_chunk *chunk_alloc(unsigned int cap)
{
	struct md_chunk *ch = md_realloc(NULL, chunk_bytes(cap));

	ch->ref = 1;
	ch->nr = 0;
	ch->owners = NULL;
	ch->nr_owners = 0;
	return ch;
}

/*
 * A chunk references the owners of its ranges' regions (QEMU's
 * memory_region_ref() per FlatRange).  It keeps the owner pointers itself,
 * so that freeing it never reads a region that may have been finalized
 * and freed meanwhile.  Take those references and build the index of
 * @ch's ranges, placed right after them: @ch was allocated for at least
 * @ch->nr ranges.
 */
static void chunk_finish(struct md_chunk *ch)
{
	mdx_u64 st[MD_CHUNK_MAX], la[MD_CHUNK_MAX];
	const FlatRange *r = ch->ranges;
	unsigned int i, n = ch->nr, cap = 0;
	Object *last = NULL;

	for (i = 0; i < n; i++) {
		/* the range carries it: big views left the regions' lines */
		Object *o = r[i].owner;

		st[i] = int128_get64(r[i].addr.start);
		la[i] = int128_get64(r[i].addr.start + r[i].addr.size - 1);
		if (!o || o == last)
			continue;
		if (ch->nr_owners == cap) {
			cap = cap ? cap * 2 : 4;
			ch->owners = md_realloc(ch->owners,
						cap * sizeof(*ch->owners));
		}
		ch->owners[ch->nr_owners++] = object_ref(o);
		last = o;
	}
	ch->index_buf = &ch->ranges[n];
	ch->index = mdx_build(ch->index_buf, st, la, n);
	if (!ch->index)
		md_die(r[0].mr, "internal error: rendered ranges overlap");
}

static struct md_chunk *chunk_new(const FlatRange *r, unsigned int n)
{
	struct md_chunk *ch = chunk_alloc(n);

	memcpy(ch->ranges, r, n * sizeof(*r));
	ch->nr = n;
	chunk_finish(ch);
	return ch;
}

static void chunk_put(struct md_chunk *ch)
{
	unsigned int i;

	if (--ch->ref)
		return;
	for (i = 0; i < ch->nr_owners; i++)
		object_unref(ch->owners[i]);
	free(ch->owners);
	free(ch);
}

static void group_put(struct md_group *g)
{
	unsigned int i;

	if (--g->ref)
		return;
	for (i = 0; i < g->nr_chunks; i++)
		chunk_put(g->chunks[i]);
	free(g);
}

/*
 * Chunk and group sizes of views rendered from now on (at most the
 * compile-time maxima); smaller only in tests, so that trees of a few
 * thousand regions span many groups.
 */
static unsigned int md_chunk_max = MD_CHUNK_MAX, md_chunk_min = MD_CHUNK_MIN;
static unsigned int md_group_max = MD_GROUP_MAX, md_group_min = MD_GROUP_MIN;

/**
 * memdisp_test_view_shape() - chunk and group sizes of new views
 * @chunk_max: ranges per chunk (2 .. %MD_CHUNK_MAX; 0: the default)
 * @group_max: chunks per group (2 .. %MD_GROUP_MAX; 0: the default)
 *
 * A test aid: small sizes make small trees exercise the splice across
 * many chunks and groups.  Views built before keep their shape.
 */
void memdisp_test_view_shape(unsigned int chunk_max, unsigned int group_max)
{
	if (chunk_max < 2 || chunk_max > MD_CHUNK_MAX)
		chunk_max = MD_CHUNK_MAX;
	if (group_max < 2 || group_max > MD_GROUP_MAX)
		group_max = MD_GROUP_MAX;
	md_chunk_max = chunk_max;
	md_chunk_min = chunk_max * MD_CHUNK_MIN / MD_CHUNK_MAX;
	md_group_max = group_max;
	md_group_min = group_max * MD_GROUP_MIN / MD_GROUP_MAX;
}

/* Scratch lists of chunks and groups being assembled into a view. */
static struct md_chunk **md_chl;
static unsigned int md_nchl, md_capchl;
static struct md_group **md_gl;
static unsigned int md_ngl, md_capgl;

static void chl_push(struct md_chunk *ch)
{
	if (md_nchl == md_capchl) {
		md_capchl = md_capchl ? md_capchl * 2 : 64;
		md_chl = md_realloc(md_chl, md_capchl * sizeof(*md_chl));
	}
	md_chl[md_nchl++] = ch;
}

static void gl_push(struct md_group *g)
{
	if (md_ngl == md_capgl) {
		md_capgl = md_capgl ? md_capgl * 2 : 16;
		md_gl = md_realloc(md_gl, md_capgl * sizeof(*md_gl));
	}
	md_gl[md_ngl++] = g;
}

/* Cut @r[0..n) into about equal chunks of at most MD_CHUNK_MAX ranges. */
static void chl_append_ranges(const FlatRange *r, size_t n)
{
	size_t k = (n + md_chunk_max - 1) / md_chunk_max, i, pos = 0;

	for (i = 0; i < k; i++) {
		size_t len = n * (i + 1) / k - pos;

		chl_push(chunk_new(r + pos, (unsigned int)len));
		pos += len;
	}
}

/* A group of @ch[0..n) (1 <= n <= MD_GROUP_MAX); takes their references. */
static struct md_group *group_new(struct md_chunk *const *ch, unsigned int n)
{
	struct md_group *g = md_realloc(NULL, sizeof(*g));
	unsigned int i, pos = 0;

	g->ref = 1;
	g->nr_chunks = n;
	for (i = 0; i < n; i++) {
		const FlatRange *l = &ch[i]->ranges[ch[i]->nr - 1];

		g->chunks[i] = ch[i];
		g->chunk_pos[i] = pos;
		g->chunk_last[i] = int128_get64(l->addr.start + l->addr.size - 1);
		pos += ch[i]->nr;
	}
	g->chunk_pos[n] = pos;
	return g;
}

/* Cut md_chl[0..md_nchl) into about equal groups, appended to md_gl. */
static void gl_append_chunks(void)
{
	unsigned int k = (md_nchl + md_group_max - 1) / md_group_max, i,
		     pos = 0;

	for (i = 0; i < k; i++) {
		unsigned int len = (unsigned int)((size_t)md_nchl * (i + 1) / k) -
				   pos;

		gl_push(group_new(md_chl + pos, len));
		pos += len;
	}
	md_nchl = 0;
}

/* Give @v the groups md_gl[0..md_ngl) (their references) and fill the top. */
static void fv_set_groups(FlatView *v)
{
	unsigned int n = md_ngl, g, pos = 0, cpos = 0;
	size_t sz = n * (sizeof(*v->groups) + sizeof(*v->group_last)) +
		    2 * (n + 1) * sizeof(*v->group_pos);
	char *p = md_realloc(NULL, sz);

	/* one allocation: groups, group_last, group_pos, group_cpos */
	v->groups = (struct md_group **)p;
	v->group_last = (uint64_t *)(p + n * sizeof(*v->groups));
	v->group_pos = (unsigned int *)(v->group_last + n);
	v->group_cpos = v->group_pos + n + 1;
	for (g = 0; g < n; g++) {
		struct md_group *gr = md_gl[g];

		v->groups[g] = gr;
		v->group_last[g] = gr->chunk_last[gr->nr_chunks - 1];
		v->group_pos[g] = pos;
		v->group_cpos[g] = cpos;
		pos += gr->chunk_pos[gr->nr_chunks];
		cpos += gr->nr_chunks;
	}
	v->group_pos[n] = pos;
	v->group_cpos[n] = cpos;
	v->nr_groups = n;
	v->nr = pos;
	v->nr_chunks = cpos;
	md_ngl = 0;
}

/* Group holding chunk @k (< nr_chunks) of the view. */
static unsigned int fv_group_of_chunk(const FlatView *v, unsigned int k)
{
	unsigned int lo = 0, hi = v->nr_groups - 1;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo + 1) / 2;

		if (v->group_cpos[mid] <= k)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

struct md_chunk *md_fv_chunk(const FlatView *v, unsigned int k)
{
	unsigned int g = fv_group_of_chunk(v, k);

	return v->groups[g]->chunks[k - v->group_cpos[g]];
}

void md_fv_iter_seek(struct md_fv_iter *it, const FlatView *fv,
		     unsigned int k)
{
	it->fv = fv;
	it->i = 0;
	it->k = k;
	if (!fv || k >= fv->nr_chunks) {
		it->g = fv ? fv->nr_groups : 0;
		it->c = 0;
		return;
	}
	it->g = fv_group_of_chunk(fv, k);
	it->c = k - fv->group_cpos[it->g];
}

/* Position of the first range of chunk @k (nr for k = nr_chunks). */
static unsigned int fv_cpos(const FlatView *v, unsigned int k)
{
	unsigned int g;

	if (k >= v->nr_chunks)
		return v->nr;
	g = fv_group_of_chunk(v, k);
	return v->group_pos[g] +
	       v->groups[g]->chunk_pos[k - v->group_cpos[g]];
}

/* First group whose last address is >= @addr (nr_groups if none). */
static inline unsigned int fv_group_ge(const FlatView *v, uint64_t addr)
{
	unsigned int lo = 0, hi = v->nr_groups;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (v->group_last[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First chunk of @g whose last address is >= @addr (@addr <= group's). */
static inline unsigned int group_chunk_ge(const struct md_group *g,
					  uint64_t addr)
{
	unsigned int lo = 0, hi = g->nr_chunks;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (g->chunk_last[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Position of the first range ending at or after @addr (nr if none). */
static unsigned int fv_pos_ge(const FlatView *v, Int128 addr)
{
	const struct md_group *gr;
	unsigned int g, c;
	mdx_u32 i;

	if (addr >= int128_2_64())
		return v->nr;
	g = fv_group_ge(v, (uint64_t)addr);
	if (g == v->nr_groups)
		return v->nr;
	gr = v->groups[g];
	c = group_chunk_ge(gr, (uint64_t)addr);
	if (c == gr->nr_chunks)
		md_die(v->root, "internal error: group index out of step");
	i = mdx_lookup_ge(gr->chunks[c]->index, (uint64_t)addr);
	if (i == MDX_NONE)
		md_die(v->root, "internal error: chunk index out of step");
	return v->group_pos[g] + gr->chunk_pos[c] + i;
}

/* The chunk (of the whole view) holding position @pos (< nr). */
static unsigned int fv_chunk_of(const FlatView *v, unsigned int pos)
{
	const struct md_group *gr;
	unsigned int lo = 0, hi = v->nr_groups - 1, g;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo + 1) / 2;

		if (v->group_pos[mid] <= pos)
			lo = mid;
		else
			hi = mid - 1;
	}
	g = lo;
	gr = v->groups[g];
	pos -= v->group_pos[g];
	lo = 0;
	hi = gr->nr_chunks - 1;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo + 1) / 2;

		if (gr->chunk_pos[mid] <= pos)
			lo = mid;
		else
			hi = mid - 1;
	}
	return v->group_cpos[g] + lo;
}

static const FlatRange *fv_at(const FlatView *v, unsigned int pos)
{
	unsigned int c = fv_chunk_of(v, pos);

	return &md_fv_chunk(v, c)->ranges[pos - fv_cpos(v, c)];
}

static void out_reserve(size_t n);
static FlatRange *md_out;

/* Append positions [@from, @to) of @v to md_out[@at..]; returns the end. */
static size_t fv_copy_out(const FlatView *v, unsigned int from,
			  unsigned int to, size_t at)
{
	struct md_fv_iter it;

	if (from >= to)
		return at;
	out_reserve(at + (to - from));
	md_fv_iter_seek(&it, v, fv_chunk_of(v, from));
	it.i = from - fv_cpos(v, it.k);
	while (from < to) {
		const struct md_chunk *ch;
		unsigned int k;

		md_fv_iter_cur(&it);	/* steps to the next chunk */
		ch = v->groups[it.g]->chunks[it.c];
		k = ch->nr - it.i;
		if (k > to - from)
			k = to - from;
		memcpy(&md_out[at], &ch->ranges[it.i], k * sizeof(*md_out));
		at += k;
		from += k;
		it.i += k;
	}
	return at;
}

/*
 * Scratch space of the renderer, kept between renders: page faults on
 * fresh buffers cost more than the rendering itself.  Rendering is done by
 * the one thread that commits (the caller's big lock).
 */
static struct rctx md_scratch = { .root = -1, .freelist = -1,
				  .rng = 0x9e3779b9u };
static size_t md_cap_out;

static void out_reserve(size_t n)
{
	if (n <= md_cap_out)
		return;
	md_cap_out = n + n / 2 + 16;
	md_out = md_realloc(md_out, md_cap_out * sizeof(*md_out));
}

/*
 * Large scratch buffers are freed only after MD_SCRATCH_IDLE renders in a
 * row used less than an eighth of them: a one-off huge render does not
 * keep its memory for long, and a tree rendered whole again and again
 * (with small commits in between) does not pay fresh pages each time.
 */
#define MD_SCRATCH_IDLE 64
static unsigned int md_scratch_idle;
static bool md_scratch_small;	/* the last render_ranges() needed little */

static void md_scratch_free(void)
{
	struct rctx *c = &md_scratch;

	free(c->u);
	c->u = NULL;
	c->capu = 0;
	free(c->o);
	c->o = NULL;
	c->capo = 0;
	free(md_out);
	md_out = NULL;
	md_cap_out = 0;
	md_scratch_idle = 0;
}

/* Called after each render, once md_out is consumed. */
static void md_scratch_note(void)
{
	if (!md_scratch_small) {
		md_scratch_idle = 0;
		return;
	}
	if (++md_scratch_idle >= MD_SCRATCH_IDLE)
		md_scratch_free();
}

static int orange_cmp(const void *pa, const void *pb)
{
	const struct orange *a = pa, *b = pb;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* @o as a FlatRange. */
static inline void out_set(FlatRange *fr, const struct orange *o)
{
	fr->mr = o->mr;
	fr->offset_in_region = o->offset_in_region;
	fr->addr.start = o->start;
	fr->addr.size = (Int128)o->last - o->start + 1;
	fr->owner = o->owner;
	fr->dirty_log_mask = o->dirty_log_mask;
	fr->romd_mode = o->romd_mode;
	fr->readonly = o->readonly;
	fr->nonvolatile = o->nonvolatile;
}

/*
 * Where rctx_output() writes: md_out[at..] (window renders, which splice
 * the result between kept ranges), or chunks built on the fly (whole
 * renders: the ranges are written once, into the view itself).  A chunk
 * is filled to md_chunk_max and kept back (@prev, not finished) until the
 * next one is full, so that a short last chunk can take half of it.
 */
struct out_sink {
	bool chunks;
	size_t at, n;			/* md_out[at, n) */
	struct md_chunk *cur, *prev;
	unsigned long nr;		/* ranges in chunks */
};

/*
 * Append @o to @k, merged into the last range when QEMU's
 * flatview_simplify() would merge them (can_merge()).
 */
static inline void sink_put(struct out_sink *k, const struct orange *o)
{
	struct md_chunk *ch = k->cur;
	FlatRange fr, *last = NULL;

	out_set(&fr, o);
	if (!k->chunks) {
		if (k->n > k->at)
			last = &md_out[k->n - 1];
	} else if (ch->nr) {
		last = &ch->ranges[ch->nr - 1];
	}
	if (last && can_merge(last, &fr)) {
		last->addr.size += fr.addr.size;
		return;
	}
	if (!k->chunks) {
		md_out[k->n++] = fr;
		return;
	}
	if (ch->nr == md_chunk_max) {
		if (k->prev) {
			chunk_finish(k->prev);
			chl_push(k->prev);
		}
		k->prev = ch;
		k->cur = ch = chunk_alloc(md_chunk_max);
	}
	ch->ranges[ch->nr++] = fr;
	k->nr++;
}

/* Finish the last chunks: even out a short last one with the one before. */
static void sink_close(struct out_sink *k)
{
	struct md_chunk *p = k->prev, *ch = k->cur;

	if (p && ch->nr < md_chunk_min) {
		unsigned int mv = p->nr - (p->nr + ch->nr) / 2;

		memmove(&ch->ranges[mv], ch->ranges,
			ch->nr * sizeof(FlatRange));
		memcpy(ch->ranges, &p->ranges[p->nr - mv],
		       mv * sizeof(FlatRange));
		p->nr -= mv;
		ch->nr += mv;
	}
	if (p) {
		chunk_finish(p);
		chl_push(p);
	}
	if (ch->nr) {
		chunk_finish(ch);
		chl_push(ch);
	} else {
		free(ch);
	}
	k->cur = k->prev = NULL;
}

/*
 * Write the rendered ranges to @k sorted by address and simplified, in
 * one pass.  Siblings render newest first, so a tree built in address
 * order comes out as a few monotonic runs (descending, with a higher- or
 * lower-priority region elsewhere): merge the runs, each read in its own
 * direction, straight into the sink.  Many runs are sorted with qsort()
 * first.  At 100k regions the ranges no longer fit in the cache, and each
 * pass over them costs.
 */
#define RCTX_MAX_RUNS 16

static inline __attribute__((always_inline)) void
rctx_output(struct rctx *c, struct out_sink *k)
{
	size_t lo[RCTX_MAX_RUNS], hi[RCTX_MAX_RUNS], i, n = c->no;
	bool down[RCTX_MAX_RUNS];
	unsigned int nrun = 0, r;

	if (!k->chunks)
		out_reserve(k->at + n);
	/* split into maximal monotonic runs */
	for (i = 0; i < n && nrun < RCTX_MAX_RUNS;) {
		size_t j = i + 1;

		down[nrun] = j < n && c->o[j].start < c->o[i].start;
		if (down[nrun])
			while (j < n && c->o[j].start < c->o[j - 1].start)
				j++;
		else
			while (j < n && c->o[j].start > c->o[j - 1].start)
				j++;
		/* the run is o[lo, hi), read from lo up or from hi - 1 down */
		lo[nrun] = i;
		hi[nrun] = j;
		nrun++;
		i = j;
	}
	if (i < n) {
		qsort(c->o, n, sizeof(*c->o), orange_cmp);
		nrun = 1;
		lo[0] = 0;
		hi[0] = n;
		down[0] = false;
	}
	if (nrun == 1) {
		if (down[0])
			for (i = n; i-- > 0;)
				sink_put(k, &c->o[i]);
		else
			for (i = 0; i < n; i++)
				sink_put(k, &c->o[i]);
		return;
	}
	/* k-way merge by repeated minimum: nrun is small */
	for (i = 0; i < n; i++) {
		unsigned int best = nrun;
		uint64_t bs = 0;

		for (r = 0; r < nrun; r++) {
			uint64_t st;

			if (lo[r] == hi[r])
				continue;
			st = c->o[down[r] ? hi[r] - 1 : lo[r]].start;
			if (best == nrun || st < bs) {
				best = r;
				bs = st;
			}
		}
		if (down[best])
			sink_put(k, &c->o[--hi[best]]);
		else
			sink_put(k, &c->o[lo[best]++]);
	}
}

/* Render @root clipped to [@lo, @hi) into md_scratch's unsorted ranges. */
static struct rctx *render_walk(MemoryRegion *root, Int128 lo, Int128 hi)
{
	struct rctx *c = &md_scratch;

	c->nu = 0;
	c->no = 0;
	c->any = false;
	c->below.n = 0;
	c->above.n = 0;
	c->root = -1;
	c->freelist = -1;
	c->depth = 0;
	c->npath = 0;
	c->ncand = 0;
	if (!c->path)
		c->path = md_realloc(NULL, (MEMDISP_RENDER_MAX_DEPTH + 1) *
					   sizeof(*c->path));
	if (!c->frames)
		c->frames = md_realloc(NULL, (MEMDISP_RENDER_MAX_DEPTH + 2) *
					     sizeof(*c->frames));
	if (root && lo < hi) {
		const struct md_trace *t = NULL;

		/* a whole render: see render_trace() */
		if (lo == 0 && hi == int128_2_64())
			t = md_trace_of(root);
		if (t)
			render_trace(c, t, lo, hi);
		else
			render_mr(c, root, 0, lo, hi, false, false);
	}
	md_scratch_small = c->capo > 4096 && c->no < c->capo / 8;
	return c;
}

/*
 * Render @root clipped to [@lo, @hi) into md_out[@at..], sorted and
 * simplified; returns the number of ranges written.
 */
static size_t render_ranges(MemoryRegion *root, Int128 lo, Int128 hi,
			    size_t at)
{
	struct out_sink k = { .chunks = false, .at = at, .n = at };

	rctx_output(render_walk(root, lo, hi), &k);
	return k.n - at;
}

FlatView *md_render(MemoryRegion *root)
{
	FlatView *v = md_flatview_new(root);
	struct out_sink k = { .chunks = true };

	md_nchl = 0;
	md_ngl = 0;
	k.cur = chunk_alloc(md_chunk_max);
	rctx_output(render_walk(root, 0, int128_2_64()), &k);
	sink_close(&k);
	gl_append_chunks();
	fv_set_groups(v);
	v->built = k.nr;
	md_scratch_note();
	return v;
}

/**
 * md_render_window() - @old with [@lo, @hi) rendered again from @root
 * @old: the view of @root before the edits (same root, same base)
 * @root: the region to render
 * @lo: first address of the window
 * @hi: end of the window (exclusive, at most 2^64)
 *
 * Valid when every address whose rendering changed since @old lies in
 * the window.  Ranges that cross the window's edges are cut there, the
 * window is rendered clipped, and the pieces are merged again, so the
 * result equals a full render.  Only the chunks of @old holding the
 * window (and its two neighbouring ranges) are rebuilt; the others are
 * shared with @old.
 *
 * Return: a new view (reference count 1).
 */
FlatView *md_render_window(FlatView *old, MemoryRegion *root, Int128 lo,
			   Int128 hi)
{
	FlatView *v;
	unsigned int p0, p1, q0, q1, ca, cb, ga, gb, g, c, k, pos;
	size_t n = 0, nw, mid;
	bool placed = false;
	const FlatRange *fr;
	FlatRange piece;

	/* nothing of @old is kept: build the chunks as the ranges come */
	if (lo == 0 && hi == int128_2_64())
		return md_render(root);
	v = md_flatview_new(root);
	p0 = fv_pos_ge(old, lo);
	p1 = fv_pos_ge(old, hi);
	if (p1 < old->nr && fv_at(old, p1)->addr.start < hi)
		p1++;
	q0 = p0 ? p0 - 1 : 0;
	q1 = p1 < old->nr ? p1 + 1 : p1;
	if (!old->nr) {
		ca = 0;
		cb = 0;		/* no chunk is replaced */
	} else {
		/* chunks [ca, cb) are replaced */
		ca = fv_chunk_of(old, q0 < old->nr ? q0 : old->nr - 1);
		cb = q1 > q0 ? fv_chunk_of(old, q1 - 1) + 1 : ca + 1;
		/* keep chunks from getting tiny: absorb neighbours */
		while (fv_cpos(old, cb) - fv_cpos(old, ca) < md_chunk_min &&
		       (ca > 0 || cb < old->nr_chunks)) {
			if (ca > 0)
				ca--;
			if (cb < old->nr_chunks)
				cb++;
		}
		/* positions to rebuild: [chunk_pos[ca], chunk_pos[cb]) */
	}
	out_reserve(64);
	/*
	 * Kept ranges of the replaced chunks left of the window, then the
	 * window's edge pieces and render, then kept ranges to the right.
	 * Kept ranges are merged already: only [q0, q1) needs simplifying.
	 */
	pos = old->nr ? fv_cpos(old, ca) : 0;
	n = fv_copy_out(old, pos, q0, 0);
	mid = n;
	n = fv_copy_out(old, q0, p0, n);
	if (p0 < p1) {
		fr = fv_at(old, p0);
		if (fr->addr.start < lo) {
			piece = *fr;
			piece.addr.size = lo - fr->addr.start;
			out_reserve(n + 1);
			md_out[n++] = piece;
		}
	}
	nw = render_ranges(root, lo, hi, n);
	n += nw;
	if (p0 < p1) {
		fr = fv_at(old, p1 - 1);
		if (fr->addr.start + fr->addr.size > hi) {
			piece = *fr;
			piece.offset_in_region += (hwaddr)(hi - fr->addr.start);
			piece.addr.start = hi;
			piece.addr.size = fr->addr.start + fr->addr.size - hi;
			out_reserve(n + 1);
			md_out[n++] = piece;
		}
	}
	n = fv_copy_out(old, p1, q1, n);
	n = mid + ranges_simplify(md_out + mid, n - mid);
	if (old->nr)
		n = fv_copy_out(old, q1, fv_cpos(old, cb), n);
	/*
	 * The new view: @old's groups [0, ga) shared, groups rebuilt from
	 * the chunks of groups [ga, gb) that are kept (shared) and the new
	 * chunks, then @old's groups [gb, end) shared.
	 */
	if (!old->nr_groups) {
		ga = 0;
		gb = 0;
	} else {
		ga = fv_group_of_chunk(old, ca);
		gb = fv_group_of_chunk(old, cb - 1) + 1;
		/* keep groups from getting small: absorb neighbours */
		while (old->group_cpos[gb] - old->group_cpos[ga] <
		       md_group_min && (ga > 0 || gb < old->nr_groups)) {
			if (ga > 0)
				ga--;
			if (gb < old->nr_groups)
				gb++;
		}
	}
	md_ngl = 0;
	md_nchl = 0;
	for (g = 0; g < ga; g++) {
		old->groups[g]->ref++;
		gl_push(old->groups[g]);
	}
	for (g = ga; g < gb; g++) {
		const struct md_group *gr = old->groups[g];

		for (c = 0; c < gr->nr_chunks; c++) {
			k = old->group_cpos[g] + c;
			if (k == ca) {
				chl_append_ranges(md_out, n);
				placed = true;
			}
			if (k < ca || k >= cb) {
				gr->chunks[c]->ref++;
				chl_push(gr->chunks[c]);
			}
		}
	}
	if (!placed)
		chl_append_ranges(md_out, n);
	gl_append_chunks();
	for (g = gb; g < old->nr_groups; g++) {
		old->groups[g]->ref++;
		gl_push(old->groups[g]);
	}
	fv_set_groups(v);
	v->built = n;
	md_scratch_note();
	return v;
}

/* Do @a and @b hold the same ranges?  (A debugging check.) */
bool md_flatview_same(const FlatView *a, const FlatView *b)
{
	struct md_fv_iter ia = { .fv = a }, ib = { .fv = b };
	const FlatRange *x, *y;

	if ((a ? a->nr : 0) != (b ? b->nr : 0))
		return false;
	for (;; ia.i++, ib.i++) {
		x = md_fv_iter_cur(&ia);
		y = md_fv_iter_cur(&ib);
		if (!x || !y)
			return !x && !y;
		if (!md_flatrange_equal(x, y) ||
		    x->dirty_log_mask != y->dirty_log_mask)
			return false;
	}
}

MemoryRegion *md_flatview_root(MemoryRegion *mr)
{
	unsigned long stamp = md_new_stamp();
	MemoryRegion *via = NULL;

	while (mr->enabled) {
		/*
		 * No step moves the address, so a region seen twice is an
		 * alias cycle that maps its window onto itself.
		 */
		if (mr->md_walk == stamp && via)
			md_die(via, "alias of %s maps its window onto itself (endless cycle)",
			       memory_region_name(via->alias));
		mr->md_walk = stamp;
		if (mr->alias) {
			if (!mr->alias_offset && mr->size >= mr->alias->size) {
				via = mr;
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
/* ranges of the chunks built with the retired views (memory to give back) */
static unsigned long md_graveyard_ranges;

void md_flatview_ref(FlatView *view)
{
	if (view)
		view->ref++;
}

static void md_flatview_retire(FlatView *view);

static void md_flatview_free(FlatView *v)
{
	unsigned int g;

	for (g = 0; g < v->nr_groups; g++)
		group_put(v->groups[g]);
	if (v->root_owner)
		object_unref(v->root_owner);
	free(v->groups);
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
	md_graveyard_views++;
	md_graveyard_ranges += view->built + 1;
	md_flatview_retire(view);
}

/* Queue @view for freeing after a grace period. */
static void md_flatview_retire(FlatView *view)
{
	view->gc_next = md_graveyard;
	md_graveyard = view;
}

void md_flatview_gc(bool force)
{
	FlatView *v, *next;

	if (!md_graveyard)
		return;
	/* small batches: freed memory is reused while still in cache */
	if (!force && md_graveyard_views < 64 &&
	    md_graveyard_ranges < (1UL << 14))
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
	const struct md_group *gr;
	const struct md_chunk *ch;
	unsigned int g;
	mdx_u32 i;

	if (!fv)
		return NULL;
	g = fv_group_ge(fv, addr);
	if (g == fv->nr_groups)
		return NULL;
	gr = fv->groups[g];
	ch = gr->chunks[group_chunk_ge(gr, addr)];
	i = mdx_lookup(ch->index, addr);
	return i == MDX_NONE ? NULL : &ch->ranges[i];
}

const FlatRange *memdisp_flatview_lookup_ge(const FlatView *fv, hwaddr addr)
{
	const struct md_group *gr;
	const struct md_chunk *ch;
	unsigned int g;
	mdx_u32 i;

	if (!fv)
		return NULL;
	g = fv_group_ge(fv, addr);
	if (g == fv->nr_groups)
		return NULL;
	gr = fv->groups[g];
	ch = gr->chunks[group_chunk_ge(gr, addr)];
	i = mdx_lookup_ge(ch->index, addr);
	return i == MDX_NONE ? NULL : &ch->ranges[i];
}

void memdisp_flatview_walk(AddressSpace *as,
			   bool (*cb)(const struct memdisp_flat_range *r,
				      void *opaque),
			   void *opaque)
{
	FlatView *v = rcu_dereference(as->current_map);
	const FlatRange *fr;

	MD_FLATVIEW_FOR_EACH(v, fr) {
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
	const FlatRange *fr;

	MD_FLATVIEW_FOR_EACH(fv, fr)
		if (cb(fr->addr.start, fr->addr.size, fr->mr,
		       fr->offset_in_region, opaque))
			break;
}
