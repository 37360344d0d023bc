// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Random region trees and edits.  Values are drawn from distributions that
 * favour the corners: sizes and addresses touching 0 and 2^64, equal
 * priorities, children sticking out of their parents, alias chains.
 */
#include <limits.h>
#include <string.h>

#include "gen.h"

#define ALLOC_MAX 0x2000	/* largest region instantiated by allocation */

void rnd_seed(struct rnd *r, uint64_t seed)
{
	memset(r, 0, sizeof(*r));
	r->s = seed;
}

void rnd_bytes(struct rnd *r, const uint8_t *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t take(struct rnd *r, int nbytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < nbytes; i++) {
		v <<= 8;
		if (r->pos < r->len)
			v |= r->buf[r->pos++];
	}
	return v;
}

uint64_t rnd_u64(struct rnd *r)
{
	if (r->buf)
		return take(r, 8);
	return splitmix64(&r->s);
}

uint32_t rnd_below(struct rnd *r, uint32_t n)
{
	if (n <= 1)
		return 0;
	if (r->buf)
		return (uint32_t)(take(r, n <= 256 ? 1 : 4) % n);
	return (uint32_t)(splitmix64(&r->s) % n);
}

bool rnd_pct(struct rnd *r, unsigned pct)
{
	return rnd_below(r, 100) < pct;
}

void gen_default_params(struct gen_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_nodes = 24;
	p->max_as = 3;
	p->kind_w[DT_CONTAINER] = 5;
	p->kind_w[DT_IO] = 3;
	p->kind_w[DT_RAM] = 4;
	p->kind_w[DT_ROM] = 1;
	p->kind_w[DT_ROMD] = 1;
	p->kind_w[DT_ALIAS] = 4;
	p->kind_w[DT_IOMMU] = 1;
}

/*
 * C leaves the evaluation order of arguments and operands unspecified
 * (gcc and clang differ), so every value drawn from the stream is drawn in
 * a statement of its own: a seed must give the same tree with any compiler.
 */

/* Per-tree scale: small windows give many overlaps, huge ones the corners. */
enum scale { SC_TINY, SC_PAGE, SC_HUGE, SC_NR };

struct gctx {
	struct rnd *r;
	const struct gen_params *p;
	enum scale sc;
};

static u128 fix_size(u128 s)
{
	if (s == 0)
		return 1;
	if (s == DT_2_64 - 1 || s > DT_2_64)
		return DT_2_64;	/* 2^64-1 cannot be expressed in the API */
	return s;
}

static u128 gen_size(struct gctx *g)
{
	struct rnd *r = g->r;
	unsigned k, d;
	uint64_t v;

	switch (rnd_below(r, 8)) {
	case 0:
		return DT_2_64;
	case 1:
		k = rnd_below(r, 65);
		return fix_size((u128)1 << k);
	case 2:
		k = rnd_below(r, 65);
		d = rnd_below(r, 3);
		return fix_size(((u128)1 << k) - d + rnd_below(r, 3));
	case 3:
		return fix_size(rnd_u64(r));
	default:
		break;
	}
	switch (g->sc) {
	case SC_TINY:
		return 1 + rnd_below(r, 64);
	case SC_PAGE:
		return (u128)0x1000 * (1 + rnd_below(r, 16));
	default:
		v = rnd_u64(r);
		return fix_size(v >> rnd_below(r, 64));
	}
}

/* Clamp so that a + size <= 2^64 unless local overflow is allowed. */
static uint64_t fit(struct gctx *g, uint64_t a, u128 size)
{
	if (g->p->local_overflow)
		return a;
	if ((u128)a + size > DT_2_64)
		return (uint64_t)(DT_2_64 - size);
	return a;
}

/* An address for something of @size inside a span of @span. */
static uint64_t gen_pos(struct gctx *g, u128 span, u128 size)
{
	struct rnd *r = g->r;
	uint64_t a, lim = span >= DT_2_64 ? UINT64_MAX : (uint64_t)span;

	switch (rnd_below(r, 16)) {
	case 0:
	case 1:
		a = 0;
		break;
	case 2:
	case 3:		/* touching the end of the span */
		a = span >= size ? (uint64_t)(span - size) : 0;
		break;
	case 4:		/* touching 2^64 */
		a = (uint64_t)(DT_2_64 - size);
		break;
	case 5:		/* anywhere at all */
		a = rnd_u64(r);
		break;
	case 6:
	case 7:
	case 8:		/* aligned to the size */
		if (size >= DT_2_64 || span <= size) {
			a = 0;
		} else {
			u128 slots = span / size;
			uint64_t ns = slots > UINT64_MAX ? UINT64_MAX :
				      (uint64_t)slots;

			a = (uint64_t)((rnd_u64(r) % ns) * size);
		}
		break;
	case 9:
	case 10:	/* small, near the start */
		switch (g->sc) {
		case SC_TINY:
			a = rnd_below(r, 96);
			break;
		case SC_PAGE:
			a = 0x1000ULL * rnd_below(r, 24);
			break;
		default:
			a = rnd_u64(r);
			a >>= rnd_below(r, 64);
			break;
		}
		if (a >= lim)
			a %= lim;
		break;
	default:	/* anywhere below the end of the span: may stick out */
		a = lim > 1 ? rnd_u64(r) % lim : 0;
		break;
	}
	return fit(g, a, size);
}

/* A size for something that will live in a span of @span. */
static u128 gen_size_in(struct gctx *g, u128 span)
{
	struct rnd *r = g->r;
	u128 s;

	switch (rnd_below(r, 6)) {
	case 0:
		s = span >> rnd_below(r, 8);
		break;
	case 1:
		s = span >= DT_2_64 ? rnd_u64(r) :
		    1 + rnd_u64(r) % (uint64_t)span;
		break;
	case 2:
		s = span >> rnd_below(r, 4);
		s -= rnd_below(r, 4);
		break;
	default:
		return gen_size(g);
	}
	return fix_size(s);
}

static int32_t gen_prio(struct rnd *r)
{
	static const int32_t prios[] = { 0, 0, 0, 1, 1, 2, 3, -1, -2,
					 INT32_MAX, INT32_MIN, 1000 };

	return prios[rnd_below(r, sizeof(prios) / sizeof(prios[0]))];
}

static enum dt_kind gen_kind(struct gctx *g)
{
	unsigned tot = 0, x, k;

	for (k = 0; k < DT_KIND_NR; k++)
		tot += g->p->kind_w[k];
	x = rnd_below(g->r, tot ? tot : 1);
	for (k = 0; k < DT_KIND_NR; k++) {
		if (x < g->p->kind_w[k])
			return k;
		x -= g->p->kind_w[k];
	}
	return DT_CONTAINER;
}

static bool is_root(const struct dt_tree *t, int i)
{
	int a;

	for (a = 0; a < t->nr_as; a++)
		if (t->as_root[a] == i)
			return true;
	return false;
}

/* Is region i under an AS root through its chain of containers? */
static bool connected(const struct dt_tree *t, int i)
{
	int hops;

	for (hops = 0; hops <= DT_MAX_NODES && i >= 0; hops++) {
		if (is_root(t, i))
			return true;
		i = t->n[i].parent;
	}
	return false;
}

/* Choose a container for child among regions [0, lim). */
static int pick_parent(struct gctx *g, const struct dt_tree *t, int child,
		       int lim)
{
	int tries, i;

	if (lim <= 0)
		return -1;
	for (tries = 0; tries < 12; tries++) {
		/* bias towards recent regions (deeper nesting), and roots */
		if (rnd_pct(g->r, 20) && t->nr_as)
			i = t->as_root[rnd_below(g->r, t->nr_as)];
		else if (rnd_pct(g->r, 60))
			i = lim - 1 - rnd_below(g->r, lim < 4 ? lim : 4);
		else
			i = rnd_below(g->r, lim);
		if (i >= lim || i == child || t->n[i].kind == DT_ALIAS)
			continue;
		if (!connected(t, i) && rnd_pct(g->r, 75))
			continue;
		/* a region not created yet has no edges: no cycle */
		if (child < t->nr_nodes && dt_would_cycle(t, i, child))
			continue;
		return i;
	}
	return -1;
}

static int new_region(struct gctx *g, struct dt_tree *t, enum dt_kind k,
		      u128 size)
{
	int i, tg = -1;

	if (k == DT_ALIAS) {
		tg = rnd_below(g->r, t->nr_nodes);
		if (rnd_pct(g->r, 70))
			size = gen_size_in(g, t->n[tg].size);
	}
	if ((k == DT_ROMD || k == DT_ROM || k == DT_RAM) && size > ALLOC_MAX &&
	    (k == DT_ROMD || rnd_pct(g->r, 30)))
		size = 1 + rnd_below(g->r, ALLOC_MAX);
	/* a RAM block must be page-alignable: 2^64 and 2^64-1 are not */
	if ((k == DT_ROM || k == DT_RAM) && size > DT_2_64 - 0x1000)
		size = DT_2_64 - 0x1000;
	i = dt_add_node(t, k, size);
	/* rom devices always allocate; ram/rom only when small */
	t->n[i].alloc = k == DT_ROMD || (size <= ALLOC_MAX && rnd_pct(g->r, 50));
	if (k == DT_ALIAS) {
		t->n[i].target = tg;
		if (rnd_pct(g->r, 30))
			t->n[i].alias_offset = fit(g, 0, size);
		else
			t->n[i].alias_offset = gen_pos(g, t->n[tg].size, size);
	}
	return i;
}

void gen_tree(struct rnd *r, const struct gen_params *p, struct dt_tree *t)
{
	struct gctx g = { .r = r, .p = p };
	int nroots, nnodes, i, a;

	dt_init(t);
	g.sc = rnd_below(r, SC_NR);
	t->nr_as = 1 + rnd_below(r, p->max_as);
	nroots = 1 + rnd_below(r, t->nr_as < 3 ? t->nr_as : 3);
	for (i = 0; i < nroots; i++) {
		enum dt_kind k = DT_CONTAINER;
		u128 size = DT_2_64;

		if (p->root_quirks && rnd_pct(r, 30))
			k = gen_kind(&g);
		if (k == DT_ALIAS && i == 0)
			k = DT_CONTAINER;
		if (rnd_pct(r, 25))
			size = gen_size(&g);
		new_region(&g, t, k, size);
	}
	for (a = 0; a < t->nr_as; a++)
		t->as_root[a] = a < nroots ? a : (int)rnd_below(r, nroots);

	nnodes = nroots + rnd_below(r, p->max_nodes - nroots + 1);
	for (i = nroots; i < nnodes; i++) {
		enum dt_kind k = gen_kind(&g);
		int par = -1;
		u128 span = DT_2_64;

		/* a few stay unmapped: alias targets, spares for edits */
		if (!rnd_pct(r, 12))
			par = pick_parent(&g, t, i, i);
		if (par >= 0)
			span = t->n[par].size;
		new_region(&g, t, k, rnd_pct(r, 65) ? gen_size_in(&g, span) :
			   gen_size(&g));
		if (par >= 0 && !dt_would_cycle(t, par, i)) {
			uint64_t addr = gen_pos(&g, span, t->n[i].size);

			dt_add_subregion(t, par, i, addr,
					 rnd_pct(r, 50) ? 0 : gen_prio(r));
		}
	}
	if (p->root_quirks) {
		/* roots mapped elsewhere (their addr then shifts the view) */
		for (i = 0; i < nroots; i++) {
			int par;

			if (!rnd_pct(r, 15))
				continue;
			par = pick_parent(&g, t, i, t->nr_nodes);
			if (par >= 0) {
				uint64_t addr = gen_pos(&g, t->n[par].size,
							t->n[i].size);

				dt_add_subregion(t, par, i, addr, gen_prio(r));
			}
		}
		/* any region as an AS root */
		for (a = 0; a < t->nr_as; a++)
			if (rnd_pct(r, 20))
				t->as_root[a] = rnd_below(r, t->nr_nodes);
	}
	for (i = 0; i < t->nr_nodes; i++) {
		struct dt_node *n = &t->n[i];

		if (!p->root_quirks && i < nroots)
			continue;
		if (rnd_pct(r, 8))
			n->enabled = false;
		if (rnd_pct(r, 8))
			n->readonly = true;
		if (rnd_pct(r, 8))
			n->nonvolatile = true;
		if (n->kind == DT_ROMD && rnd_pct(r, 50))
			n->romd_mode = false;
	}
}

static bool editable(const struct gen_params *p, const struct dt_tree *t,
		     int i)
{
	return p->root_quirks || !is_root(t, i);
}

void gen_edit(struct rnd *r, const struct gen_params *p,
	      const struct dt_tree *t, struct dt_edit *e)
{
	struct gctx g = { .r = r, .p = p, .sc = SC_TINY };
	int tries;

	g.sc = rnd_below(r, SC_NR);
	for (tries = 0; tries < 32; tries++) {
		const struct dt_node *n;

		memset(e, 0, sizeof(*e));
		e->op = rnd_below(r, E_OP_NR);
		e->node = rnd_below(r, t->nr_nodes);
		n = &t->n[e->node];
		if (!editable(p, t, e->node))
			continue;
		e->b = rnd_pct(r, 50);
		switch (e->op) {
		case E_ENABLE:
			e->b = !n->enabled || rnd_pct(r, 10);
			return;
		case E_ADDRESS:
			e->v = rnd_pct(r, 10) ? n->addr :
			       gen_pos(&g, n->parent >= 0 ?
				       t->n[n->parent].size : DT_2_64,
				       n->size);
			return;
		case E_SIZE:
			if (n->kind != DT_CONTAINER && n->kind != DT_IO &&
			    n->kind != DT_ALIAS && n->kind != DT_IOMMU)
				continue;
			e->v = dt_size_arg(rnd_pct(r, 50) ? gen_size(&g) :
				gen_size_in(&g, n->parent >= 0 ?
					    t->n[n->parent].size : DT_2_64));
			if (!p->local_overflow &&
			    ((u128)n->addr + dt_size_from_arg(e->v) > DT_2_64 ||
			     (n->kind == DT_ALIAS &&
			      (u128)n->alias_offset + dt_size_from_arg(e->v) >
			      DT_2_64)))
				continue;
			return;
		case E_ALIAS_OFF:
			if (n->kind != DT_ALIAS)
				continue;
			e->v = rnd_pct(r, 20) ? fit(&g, 0, n->size) :
			       gen_pos(&g, t->n[n->target].size, n->size);
			return;
		case E_DEL:
			if (n->parent < 0)
				continue;
			return;
		case E_ADD:
			if (n->parent >= 0)
				continue;
			e->parent = pick_parent(&g, t, e->node, t->nr_nodes);
			if (e->parent < 0)
				continue;
			e->v = gen_pos(&g, t->n[e->parent].size, n->size);
			e->overlap = rnd_pct(r, 60);
			e->prio = e->overlap ? gen_prio(r) : 0;
			return;
		case E_READONLY:
			e->b = !n->readonly;
			return;
		case E_NV:
			e->b = !n->nonvolatile;
			return;
		case E_ROMD:
			if (n->kind != DT_ROMD)
				continue;
			e->b = !n->romd_mode;
			return;
		default:
			continue;
		}
	}
	/* fall back to something always legal */
	memset(e, 0, sizeof(*e));
	e->op = E_ENABLE;
	e->node = t->nr_nodes - 1;
	e->b = true;
}

void dt_apply_edit(struct dt_tree *t, const struct dt_edit *e)
{
	struct dt_node *n = &t->n[e->node];

	switch (e->op) {
	case E_ENABLE:
		n->enabled = e->b;
		break;
	case E_ADDRESS:
		dt_set_address(t, e->node, e->v);
		break;
	case E_SIZE:
		n->size = dt_size_from_arg(e->v);
		break;
	case E_ALIAS_OFF:
		n->alias_offset = e->v;
		break;
	case E_DEL:
		dt_del_subregion(t, e->node);
		break;
	case E_ADD:
		dt_add_subregion(t, e->parent, e->node, e->v, e->prio);
		break;
	case E_READONLY:
		n->readonly = e->b;
		break;
	case E_NV:
		n->nonvolatile = e->b;
		break;
	case E_ROMD:
		n->romd_mode = e->b;
		break;
	default:
		break;
	}
}

void dt_print_edit(FILE *f, const struct dt_tree *t, const struct dt_edit *e)
{
	static const char *const names[E_OP_NR] = {
		"set_enabled", "set_address", "set_size", "set_alias_offset",
		"del_subregion", "add_subregion", "set_readonly",
		"set_nonvolatile", "rom_device_set_romd",
	};
	const char *nm = t->n[e->node].name;

	switch (e->op) {
	case E_ADDRESS:
	case E_SIZE:
	case E_ALIAS_OFF:
		fprintf(f, "%s(%s, 0x%llx)", names[e->op], nm,
			(unsigned long long)e->v);
		break;
	case E_DEL:
		fprintf(f, "%s(%s, %s)", names[e->op],
			t->n[e->node].parent >= 0 ?
			t->n[t->n[e->node].parent].name : "?", nm);
		break;
	case E_ADD:
		fprintf(f, "add_subregion%s(%s, 0x%llx, %s, prio %d)",
			e->overlap ? "_overlap" : "", t->n[e->parent].name,
			(unsigned long long)e->v, nm, e->prio);
		break;
	default:
		fprintf(f, "%s(%s, %s)", names[e->op], nm,
			e->b ? "true" : "false");
	}
}
