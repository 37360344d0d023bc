// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Brute-force reference model of QEMU 7.2 FlatView rendering.
 *
 * Deliberately naive: collect every boundary point that any visible
 * region span can create, then for each elementary interval between two
 * neighbouring points ask top-down which terminal region serves its first
 * address.  Priority order, "most recently added wins at equal priority",
 * clipping by every enclosing span (alias spans too), gap filling by
 * terminating regions and readonly/nonvolatile OR-ing along the path all
 * fall out of the point query.  Ranges are merged afterwards like QEMU's
 * flatview_simplify().  All arithmetic is done on signed 128-bit integers,
 * because alias bases can go below zero and ends reach 2^64.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define DT_MAX_POINTS (1 << 20)

static const char *const kind_names[DT_KIND_NR] = {
	[DT_CONTAINER] = "container",
	[DT_IO] = "io",
	[DT_RAM] = "ram",
	[DT_ROM] = "rom",
	[DT_ROMD] = "romdev",
	[DT_ALIAS] = "alias",
	[DT_IOMMU] = "iommu",
};

const char *dt_kind_name(enum dt_kind k)
{
	return k < DT_KIND_NR ? kind_names[k] : "?";
}

const char *dt_hex(char *buf, u128 v)
{
	uint64_t hi = (uint64_t)(v >> 64), lo = (uint64_t)v;

	if (hi)
		snprintf(buf, 40, "%llx%016llx", (unsigned long long)hi,
			 (unsigned long long)lo);
	else
		snprintf(buf, 40, "%016llx", (unsigned long long)lo);
	return buf;
}

void dt_init(struct dt_tree *t)
{
	memset(t, 0, sizeof(*t));
}

int dt_add_node(struct dt_tree *t, enum dt_kind kind, u128 size)
{
	struct dt_node *n;
	int i = t->nr_nodes;

	if (i >= DT_MAX_NODES)
		return -1;
	n = &t->n[i];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->size = size;
	n->parent = -1;
	n->target = -1;
	n->enabled = true;
	n->romd_mode = true;
	n->readonly = kind == DT_ROM;
	snprintf(n->name, sizeof(n->name), "%s%d", dt_kind_name(kind), i);
	t->nr_nodes++;
	return i;
}

void dt_add_subregion(struct dt_tree *t, int parent, int child,
		      uint64_t addr, int32_t prio)
{
	struct dt_node *c = &t->n[child];

	c->parent = parent;
	c->addr = addr;
	c->prio = prio;
	c->seq = ++t->seq;
}

void dt_del_subregion(struct dt_tree *t, int child)
{
	t->n[child].parent = -1;
}

void dt_set_address(struct dt_tree *t, int i, uint64_t addr)
{
	struct dt_node *n = &t->n[i];

	/* QEMU: same address is a no-op; a new one re-adds the subregion. */
	if (addr == n->addr)
		return;
	n->addr = addr;
	if (n->parent >= 0)
		n->seq = ++t->seq;
}

static bool reaches(const struct dt_tree *t, int from, int to, int depth)
{
	int i;

	if (from == to)
		return true;
	if (depth > DT_MAX_NODES)
		return true;	/* treat as a cycle: never happens if acyclic */
	if (t->n[from].target >= 0 &&
	    reaches(t, t->n[from].target, to, depth + 1))
		return true;
	for (i = 0; i < t->nr_nodes; i++)
		if (t->n[i].parent == from && reaches(t, i, to, depth + 1))
			return true;
	return false;
}

bool dt_would_cycle(const struct dt_tree *t, int parent, int child)
{
	return reaches(t, child, parent, 0);
}

/* Children of every node in render order: priority descending, then the
 * most recently added first (QEMU inserts before the first sibling whose
 * priority is lower or equal). */
struct order {
	int nr[DT_MAX_NODES];
	int kid[DT_MAX_NODES][DT_MAX_NODES];
};

static void build_order(const struct dt_tree *t, struct order *o)
{
	int i, j, k;

	memset(o->nr, 0, sizeof(o->nr));
	for (i = 0; i < t->nr_nodes; i++) {
		int p = t->n[i].parent;
		const struct dt_node *c = &t->n[i];

		if (p < 0)
			continue;
		/* insertion sort into p's list */
		for (j = 0; j < o->nr[p]; j++) {
			const struct dt_node *x = &t->n[o->kid[p][j]];

			if (c->prio > x->prio ||
			    (c->prio == x->prio && c->seq > x->seq))
				break;
		}
		for (k = o->nr[p]; k > j; k--)
			o->kid[p][k] = o->kid[p][k - 1];
		o->kid[p][j] = i;
		o->nr[p]++;
	}
}

static int flatview_root(const struct dt_tree *t, const struct order *o,
			 int mr)
{
	while (mr >= 0 && t->n[mr].enabled) {
		const struct dt_node *n = &t->n[mr];

		if (n->kind == DT_ALIAS) {
			if (n->alias_offset == 0 &&
			    n->size >= t->n[n->target].size) {
				mr = n->target;
				continue;
			}
		} else if (!dt_terminates(n->kind)) {
			int found = 0, next = -1, j;

			for (j = 0; j < o->nr[mr]; j++) {
				const struct dt_node *c = &t->n[o->kid[mr][j]];

				if (!c->enabled)
					continue;
				if (++found > 1) {
					next = -1;
					break;
				}
				if (c->addr == 0 && n->size >= c->size)
					next = o->kid[mr][j];
			}
			if (!found)
				return -1;
			if (next >= 0) {
				mr = next;
				continue;
			}
		}
		return mr;
	}
	return -1;
}

int dt_flatview_root(const struct dt_tree *t, int root)
{
	struct order *o = malloc(sizeof(*o));
	int r;

	if (!o)
		abort();
	build_order(t, o);
	r = flatview_root(t, o, root);
	free(o);
	return r;
}

struct pts {
	int nr, cap;
	s128 *p;
};

static int pts_add(struct pts *s, s128 v)
{
	if (s->nr == s->cap) {
		if (s->cap >= DT_MAX_POINTS)
			return -1;
		s->cap = s->cap ? 2 * s->cap : 64;
		s->p = realloc(s->p, s->cap * sizeof(*s->p));
		if (!s->p)
			abort();
	}
	s->p[s->nr++] = v;
	return 0;
}

static s128 smax(s128 a, s128 b)
{
	return a > b ? a : b;
}

static s128 smin(s128 a, s128 b)
{
	return a < b ? a : b;
}

/* Every span start/end that survives clipping, on every path. */
static int collect(const struct dt_tree *t, const struct order *o, int i,
		   s128 base, s128 clo, s128 chi, struct pts *s)
{
	const struct dt_node *n = &t->n[i];
	s128 lo, hi;
	int j;

	if (!n->enabled)
		return 0;
	base += n->addr;
	lo = smax(base, clo);
	hi = smin(base + (s128)n->size, chi);
	if (lo >= hi)
		return 0;
	if (pts_add(s, lo) || pts_add(s, hi))
		return -1;
	if (n->kind == DT_ALIAS)
		return collect(t, o, n->target,
			       base - t->n[n->target].addr - n->alias_offset,
			       lo, hi, s);
	for (j = 0; j < o->nr[i]; j++)
		if (collect(t, o, o->kid[i][j], base, lo, hi, s))
			return -1;
	return 0;
}

/* Who serves absolute address x below region i (first rendered wins)? */
static bool serve(const struct dt_tree *t, const struct order *o, int i,
		  s128 base, s128 clo, s128 chi, bool ro, bool nv, s128 x,
		  struct dt_range *hit)
{
	const struct dt_node *n = &t->n[i];
	s128 lo, hi;
	int j;

	if (!n->enabled)
		return false;
	base += n->addr;
	ro |= n->readonly;
	nv |= n->nonvolatile;
	lo = smax(base, clo);
	hi = smin(base + (s128)n->size, chi);
	if (lo >= hi || x < lo || x >= hi)
		return false;
	if (n->kind == DT_ALIAS)
		return serve(t, o, n->target,
			     base - t->n[n->target].addr - n->alias_offset,
			     lo, hi, ro, nv, x, hit);
	for (j = 0; j < o->nr[i]; j++)
		if (serve(t, o, o->kid[i][j], base, lo, hi, ro, nv, x, hit))
			return true;
	if (!dt_terminates(n->kind))
		return false;
	hit->node = i;
	hit->offset = (uint64_t)(x - base);
	hit->readonly = ro;
	hit->nonvolatile = nv;
	hit->romd_mode = n->romd_mode;
	return true;
}

static int cmp_s128(const void *a, const void *b)
{
	s128 x = *(const s128 *)a, y = *(const s128 *)b;

	return x < y ? -1 : x > y;
}

static bool can_merge(const struct dt_range *a, const struct dt_range *b)
{
	return a->end == b->start && a->node == b->node &&
	       (u128)a->offset + (a->end - a->start) == (u128)b->offset &&
	       a->readonly == b->readonly &&
	       a->nonvolatile == b->nonvolatile &&
	       a->romd_mode == b->romd_mode;
}

int dt_render(const struct dt_tree *t, int as, bool simplify,
	      struct dt_view *v)
{
	struct order *o = malloc(sizeof(*o));
	struct pts s = { 0 };
	int root, k, ret = 0;

	if (!o)
		abort();
	v->nr = 0;
	build_order(t, o);
	root = t->as_root[as];
	if (simplify)
		root = flatview_root(t, o, root);
	if (root < 0)
		goto out;
	if (pts_add(&s, 0) || pts_add(&s, (s128)DT_2_64) ||
	    collect(t, o, root, 0, 0, (s128)DT_2_64, &s)) {
		ret = -1;
		goto out;
	}
	qsort(s.p, s.nr, sizeof(*s.p), cmp_s128);
	for (k = 0; k + 1 < s.nr; k++) {
		struct dt_range hit;

		if (s.p[k] == s.p[k + 1])
			continue;
		if (!serve(t, o, root, 0, 0, (s128)DT_2_64, false, false,
			   s.p[k], &hit))
			continue;
		hit.start = (u128)s.p[k];
		hit.end = (u128)s.p[k + 1];
		if (v->nr && can_merge(&v->r[v->nr - 1], &hit))
			v->r[v->nr - 1].end = hit.end;
		else
			dt_view_push(v, &hit);
	}
out:
	free(s.p);
	free(o);
	return ret;
}

void dt_view_init(struct dt_view *v)
{
	memset(v, 0, sizeof(*v));
}

void dt_view_free(struct dt_view *v)
{
	free(v->r);
	memset(v, 0, sizeof(*v));
}

void dt_view_push(struct dt_view *v, const struct dt_range *r)
{
	if (v->nr == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->r = realloc(v->r, v->cap * sizeof(*v->r));
		if (!v->r)
			abort();
	}
	v->r[v->nr++] = *r;
}

bool dt_range_eq(const struct dt_range *a, const struct dt_range *b,
		 bool cmp_romd)
{
	return a->start == b->start && a->end == b->end &&
	       a->node == b->node && a->offset == b->offset &&
	       a->readonly == b->readonly &&
	       a->nonvolatile == b->nonvolatile &&
	       (!cmp_romd || a->romd_mode == b->romd_mode);
}

bool dt_view_eq(const struct dt_view *a, const struct dt_view *b,
		bool cmp_romd)
{
	int i;

	if (a->nr != b->nr)
		return false;
	for (i = 0; i < a->nr; i++)
		if (!dt_range_eq(&a->r[i], &b->r[i], cmp_romd))
			return false;
	return true;
}

static void dump_size(FILE *f, u128 size)
{
	char b[40];

	if (size == DT_2_64)
		fprintf(f, "2^64");
	else
		fprintf(f, "0x%s", dt_hex(b, size));
}

void dt_dump_tree(FILE *f, const struct dt_tree *t)
{
	char b1[40];
	int i;

	for (i = 0; i < t->nr_as; i++)
		fprintf(f, "#   as%d root %s\n", i, t->n[t->as_root[i]].name);
	for (i = 0; i < t->nr_nodes; i++) {
		const struct dt_node *n = &t->n[i];

		fprintf(f, "#   [%d] %s %s size ", i, n->name,
			dt_kind_name(n->kind));
		dump_size(f, n->size);
		if (n->parent >= 0)
			fprintf(f, " in %s @0x%s prio %d seq %llu",
				t->n[n->parent].name, dt_hex(b1, n->addr),
				n->prio, (unsigned long long)n->seq);
		else
			fprintf(f, " unmapped addr 0x%s",
				dt_hex(b1, n->addr));
		if (n->kind == DT_ALIAS)
			fprintf(f, " -> %s +0x%s", t->n[n->target].name,
				dt_hex(b1, n->alias_offset));
		fprintf(f, "%s%s%s%s\n", n->enabled ? "" : " DISABLED",
			n->readonly ? " ro" : "", n->nonvolatile ? " nv" : "",
			n->kind == DT_ROMD && !n->romd_mode ? " romd-off" : "");
	}
}

static void dump_range(FILE *f, const struct dt_tree *t,
		       const struct dt_range *r)
{
	char b1[40], b2[40], b3[40];

	fprintf(f, "%s-%s %s @%s%s%s%s", dt_hex(b1, r->start),
		dt_hex(b2, r->end - 1),
		r->node >= 0 && r->node < t->nr_nodes ? t->n[r->node].name :
		"(foreign)", dt_hex(b3, r->offset), r->readonly ? " ro" : "",
		r->nonvolatile ? " nv" : "", r->romd_mode ? "" : " romd-off");
}

void dt_dump_view(FILE *f, const struct dt_tree *t, const struct dt_view *v)
{
	int i;

	for (i = 0; i < v->nr; i++) {
		fprintf(f, "#   ");
		dump_range(f, t, &v->r[i]);
		fprintf(f, "\n");
	}
	if (!v->nr)
		fprintf(f, "#   (empty)\n");
}

void dt_dump_diff(FILE *f, const struct dt_tree *t, const char *la,
		  const struct dt_view *a, const char *lb,
		  const struct dt_view *b, bool cmp_romd)
{
	int i, n = a->nr > b->nr ? a->nr : b->nr;

	fprintf(f, "#   %-4s %-60s | %s\n", "", la, lb);
	for (i = 0; i < n; i++) {
		bool same = i < a->nr && i < b->nr &&
			    dt_range_eq(&a->r[i], &b->r[i], cmp_romd);

		fprintf(f, "#   %s%-3d ", same ? " " : "!", i);
		if (i < a->nr)
			dump_range(f, t, &a->r[i]);
		else
			fprintf(f, "-");
		fprintf(f, "  |  ");
		if (i < b->nr)
			dump_range(f, t, &b->r[i]);
		else
			fprintf(f, "-");
		fprintf(f, "\n");
	}
}

/*
 * A second, structurally different renderer used only to cross-check the
 * point-query model in model-test: it paints terminating regions into the
 * gaps of a growing sorted range list in render order, the way QEMU builds
 * a FlatView, then merges.  If both agree on many random trees, neither is
 * likely to carry the same mistake.
 */
static void gap_fill(struct dt_view *v, s128 lo, s128 hi, s128 base, int i,
		     bool ro, bool nv, bool romd)
{
	struct dt_view out;
	s128 cur = lo;
	int k;

	dt_view_init(&out);
	for (k = 0; k < v->nr; k++) {
		s128 rs = (s128)v->r[k].start, re = (s128)v->r[k].end;

		if (re > cur && rs < hi && rs > cur) {
			struct dt_range p = {
				.start = (u128)cur, .end = (u128)rs, .node = i,
				.offset = (uint64_t)(cur - base),
				.readonly = ro, .nonvolatile = nv,
				.romd_mode = romd,
			};

			dt_view_push(&out, &p);
		}
		if (re > cur && rs < hi)
			cur = re;
		dt_view_push(&out, &v->r[k]);
	}
	if (cur < hi) {
		struct dt_range p = {
			.start = (u128)cur, .end = (u128)hi, .node = i,
			.offset = (uint64_t)(cur - base), .readonly = ro,
			.nonvolatile = nv, .romd_mode = romd,
		};

		dt_view_push(&out, &p);
	}
	/* keep sorted: pieces were pushed in order except the tail one */
	for (k = out.nr - 1; k > 0 && out.r[k].start < out.r[k - 1].start;
	     k--) {
		struct dt_range tmp = out.r[k];

		out.r[k] = out.r[k - 1];
		out.r[k - 1] = tmp;
	}
	dt_view_free(v);
	*v = out;
}

static void paint(const struct dt_tree *t, const struct order *o, int i,
		  s128 base, s128 clo, s128 chi, bool ro, bool nv,
		  struct dt_view *v)
{
	const struct dt_node *n = &t->n[i];
	s128 lo, hi;
	int j;

	if (!n->enabled)
		return;
	base += n->addr;
	ro |= n->readonly;
	nv |= n->nonvolatile;
	lo = smax(base, clo);
	hi = smin(base + (s128)n->size, chi);
	if (lo >= hi)
		return;
	if (n->kind == DT_ALIAS) {
		paint(t, o, n->target,
		      base - t->n[n->target].addr - n->alias_offset, lo, hi,
		      ro, nv, v);
		return;
	}
	for (j = 0; j < o->nr[i]; j++)
		paint(t, o, o->kid[i][j], base, lo, hi, ro, nv, v);
	if (dt_terminates(n->kind))
		gap_fill(v, lo, hi, base, i, ro, nv, n->romd_mode);
}

int dt_render_gapfill(const struct dt_tree *t, int as, bool simplify,
		      struct dt_view *v)
{
	struct order *o = malloc(sizeof(*o));
	struct dt_view raw;
	int root, k;

	if (!o)
		abort();
	dt_view_init(&raw);
	build_order(t, o);
	root = t->as_root[as];
	if (simplify)
		root = flatview_root(t, o, root);
	if (root >= 0)
		paint(t, o, root, 0, 0, (s128)DT_2_64, false, false, &raw);
	v->nr = 0;
	for (k = 0; k < raw.nr; k++) {
		if (v->nr && can_merge(&v->r[v->nr - 1], &raw.r[k]))
			v->r[v->nr - 1].end = raw.r[k].end;
		else
			dt_view_push(v, &raw.r[k]);
	}
	dt_view_free(&raw);
	free(o);
	return 0;
}
