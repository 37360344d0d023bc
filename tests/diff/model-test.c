// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Self-test of the reference model against hand-worked cases of QEMU 7.2
 * semantics.  It needs no library: it checks that the oracle the
 * differential suite trusts is itself right on the rules that matter.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "model.h"

static int test_no;
static int failed;

struct exp {
	u128 start, end;
	int node;
	uint64_t off;
	bool ro, nv, romd;
};

#define E(s, e, n, o) { (s), (e), (n), (o), false, false, true }
#define ERO(s, e, n, o) { (s), (e), (n), (o), true, false, true }

static void check(const char *name, const struct dt_tree *t, int as,
		  bool simplify, const struct exp *x, int nx)
{
	struct dt_view got, want;
	int i;

	dt_view_init(&got);
	dt_view_init(&want);
	for (i = 0; i < nx; i++) {
		struct dt_range r = {
			.start = x[i].start, .end = x[i].end,
			.node = x[i].node, .offset = x[i].off,
			.readonly = x[i].ro, .nonvolatile = x[i].nv,
			.romd_mode = x[i].romd,
		};

		dt_view_push(&want, &r);
	}
	test_no++;
	if (dt_render(t, as, simplify, &got) == 0 &&
	    dt_view_eq(&got, &want, true)) {
		printf("ok %d - model: %s\n", test_no, name);
	} else {
		failed++;
		printf("not ok %d - model: %s\n", test_no, name);
		dt_dump_tree(stdout, t);
		dt_dump_diff(stdout, t, "model", &got, "expected", &want, true);
	}
	dt_view_free(&got);
	dt_view_free(&want);
}

static int root(struct dt_tree *t)
{
	dt_init(t);
	t->nr_as = 1;
	t->as_root[0] = dt_add_node(t, DT_CONTAINER, DT_2_64);
	return t->as_root[0];
}

static int add(struct dt_tree *t, int parent, enum dt_kind k, u128 size,
	       uint64_t addr, int32_t prio)
{
	int i = dt_add_node(t, k, size);

	if (parent >= 0)
		dt_add_subregion(t, parent, i, addr, prio);
	return i;
}

static int alias(struct dt_tree *t, int parent, u128 size, uint64_t addr,
		 int32_t prio, int target, uint64_t off)
{
	int i = add(t, parent, DT_ALIAS, size, addr, prio);

	t->n[i].target = target;
	t->n[i].alias_offset = off;
	return i;
}

#define CHECK(name, t, ...) do { \
	const struct exp x_[] = { __VA_ARGS__ }; \
	check(name, t, 0, true, x_, sizeof(x_) / sizeof(x_[0])); \
} while (0)

int main(void)
{
	struct dt_tree t;
	int r, a, b, c, l, tg, a1, a2;
	const u128 top = DT_2_64;

	r = root(&t);
	a = add(&t, r, DT_RAM, 0x1000, 0, 0);
	b = add(&t, r, DT_IO, 0x1000, 0x800, 0);
	CHECK("equal priority: most recently added wins", &t,
	      E(0, 0x800, a, 0), E(0x800, 0x1800, b, 0));

	r = root(&t);
	a = add(&t, r, DT_RAM, 0x1000, 0, 1);
	b = add(&t, r, DT_IO, 0x1000, 0x800, 0);
	CHECK("higher priority wins over later addition", &t,
	      E(0, 0x1000, a, 0), E(0x1000, 0x1800, b, 0x800));

	r = root(&t);
	l = add(&t, r, DT_RAM, 0x4000, 0, 0);
	c = add(&t, r, DT_CONTAINER, 0x2000, 0, 1);
	a = add(&t, c, DT_RAM, 0x100, 0x100, 0);
	CHECK("pure container lets lower siblings through", &t,
	      E(0, 0x100, l, 0), E(0x100, 0x200, a, 0),
	      E(0x200, 0x4000, l, 0x200));

	t.n[c].kind = DT_IO;
	CHECK("io region with children fills its gaps", &t,
	      E(0, 0x100, c, 0), E(0x100, 0x200, a, 0),
	      E(0x200, 0x2000, c, 0x200), E(0x2000, 0x4000, l, 0x2000));

	r = root(&t);
	tg = add(&t, -1, DT_RAM, 0x10000, 0, 0);
	alias(&t, r, 0x1000, 0x5000, 0, tg, 0x3000);
	CHECK("alias offset", &t, E(0x5000, 0x6000, tg, 0x3000));

	r = root(&t);
	tg = add(&t, -1, DT_RAM, 0x10000, 0, 0);
	t.n[tg].addr = 0x777000;	/* a target's own addr cancels out */
	alias(&t, r, 0x1000, 0, 0, tg, 0);
	alias(&t, r, 0x1000, 0x1000, 0, tg, 0x1000);
	CHECK("ranges merge across two aliases", &t, E(0, 0x2000, tg, 0));

	r = root(&t);
	tg = add(&t, -1, DT_RAM, 0x10000, 0, 0);
	a1 = alias(&t, r, 0x1000, 0, 0, tg, 0);
	alias(&t, r, 0x1000, 0x1000, 0, tg, 0x1000);
	t.n[a1].readonly = true;
	CHECK("readonly alias: rom, and stops merging", &t,
	      ERO(0, 0x1000, tg, 0), E(0x1000, 0x2000, tg, 0x1000));

	r = root(&t);
	a = add(&t, r, DT_RAM, top, 0, 0);
	CHECK("2^64 RAM", &t, E(0, top, a, 0));

	r = root(&t);
	c = add(&t, r, DT_CONTAINER, 0x1000, (uint64_t)(top - 0x1000), 0);
	a = add(&t, c, DT_RAM, 0x2000, 0x800, 0);
	CHECK("child sticking out of a parent at 2^64 is clipped", &t,
	      E(top - 0x800, top, a, 0));

	r = root(&t);
	tg = add(&t, -1, DT_RAM, 0x2000, 0, 0);
	a1 = alias(&t, r, 0x4000, 0, 0, tg, 0x1000);
	CHECK("alias below zero, clipped by target", &t,
	      E(0, 0x1000, tg, 0x1000));

	r = root(&t);
	a = add(&t, r, DT_RAM, 0x1000, 0, 0);
	b = add(&t, r, DT_RAM, 0x1000, 0, 0);
	dt_set_address(&t, a, 0x800);
	CHECK("set_address re-adds: moved region is now the latest", &t,
	      E(0, 0x800, b, 0), E(0x800, 0x1800, a, 0));

	r = root(&t);
	c = add(&t, r, DT_CONTAINER, 0x1000, 0, 0);
	a = add(&t, c, DT_RAM, 0x1000, 0, 0);
	b = add(&t, r, DT_RAM, 0x1000, 0x1000, 0);
	t.n[c].enabled = false;
	CHECK("disabled container hides its children", &t,
	      E(0x1000, 0x2000, b, 0));

	r = root(&t);
	tg = add(&t, -1, DT_ROMD, 0x1000, 0, 0);
	t.n[tg].romd_mode = false;
	a1 = alias(&t, r, 0x1000, 0x3000, 0, tg, 0);
	t.n[a1].nonvolatile = true;
	{
		const struct exp x[] = {
			{ 0x3000, 0x4000, tg, 0, false, true, false },
		};

		check("nonvolatile on the path, romd off", &t, 0, true, x, 1);
	}

	/* alias chain: a2 -> a1 -> tg */
	r = root(&t);
	tg = add(&t, -1, DT_RAM, 0x10000, 0, 0);
	a1 = alias(&t, -1, 0x8000, 0x123, 0, tg, 0x2000);
	a2 = alias(&t, r, 0x1000, 0x100000, 0, a1, 0x800);
	CHECK("alias of alias adds offsets", &t,
	      E(0x100000, 0x101000, tg, 0x2800));

	/*
	 * QEMU renders from memory_region_get_flatview_root(): a root
	 * container with one enabled child at 0 is replaced by the child,
	 * and an alias at offset 0 covering its target by the target.  The
	 * readonly flag of the skipped alias is lost there.
	 */
	r = root(&t);
	tg = add(&t, -1, DT_RAM, 0x1000, 0, 0);
	a1 = alias(&t, r, 0x1000, 0, 0, tg, 0);
	t.n[a1].readonly = true;
	CHECK("flatview root simplification drops a skipped alias's ro",
	      &t, E(0, 0x1000, tg, 0));
	{
		const struct exp x[] = { ERO(0, 0x1000, tg, 0) };

		check("plain render of the same root keeps ro", &t, 0, false,
		      x, 1);
	}
	t.n[r].readonly = false;
	a = add(&t, r, DT_RAM, 0x1000, 0x1000, 0);
	CHECK("two enabled children: no simplification", &t,
	      ERO(0, 0x1000, tg, 0), E(0x1000, 0x2000, a, 0));

	/* the root's own addr shifts the view */
	r = root(&t);
	c = add(&t, -1, DT_CONTAINER, 0x10000, 0, 0);
	a = add(&t, c, DT_RAM, 0x1000, 0x1000, 0);
	b = add(&t, c, DT_RAM, 0x1000, 0x3000, 0);
	dt_add_subregion(&t, r, c, 0x40000, 0);
	t.as_root[0] = c;
	CHECK("a root mapped elsewhere renders at its own addr", &t,
	      E(0x41000, 0x42000, a, 0), E(0x43000, 0x44000, b, 0));

	/* cycle detection */
	r = root(&t);
	c = add(&t, r, DT_CONTAINER, 0x1000, 0, 0);
	a1 = alias(&t, -1, 0x1000, 0, 0, r, 0);
	test_no++;
	if (dt_would_cycle(&t, c, a1) && !dt_would_cycle(&t, r, add(&t, -1,
			   DT_RAM, 1, 0, 0))) {
		printf("ok %d - model: alias cycle detection\n", test_no);
	} else {
		failed++;
		printf("not ok %d - model: alias cycle detection\n", test_no);
	}

	/* generator sanity: trees stay acyclic and render */
	{
		struct gen_params p;
		struct rnd rn;
		struct dt_view v;
		int s, bad = 0, nonempty = 0;

		gen_default_params(&p);
		p.root_quirks = true;
		dt_view_init(&v);
		for (s = 0; s < 2000; s++) {
			int k, e;

			rnd_seed(&rn, s);
			gen_tree(&rn, &p, &t);
			for (e = 0; e < 10; e++) {
				struct dt_edit ed;

				gen_edit(&rn, &p, &t, &ed);
				dt_apply_edit(&t, &ed);
			}
			for (k = 0; k < t.nr_nodes; k++)
				if (t.n[k].parent >= 0 &&
				    dt_would_cycle(&t, t.n[k].parent, k))
					bad++;
			for (k = 0; k < t.nr_as; k++) {
				if (dt_render(&t, k, true, &v))
					bad++;
				nonempty += v.nr > 0;
			}
		}
		dt_view_free(&v);
		test_no++;
		printf("%sok %d - model: 2000 generated trees acyclic, "
		       "rendered (%d non-empty views)\n",
		       bad || nonempty < 1000 ? "not " : "", test_no,
		       nonempty);
		failed += bad || nonempty < 1000;
	}
	/* cross-check against a structurally different renderer */
	{
		static const bool quirks[2] = { false, true };
		struct gen_params p;
		struct rnd rn;
		struct dt_view v1, v2;
		int s, q, bad = 0, views = 0, ranges = 0;

		dt_view_init(&v1);
		dt_view_init(&v2);
		for (q = 0; q < 2; q++) {
			gen_default_params(&p);
			p.root_quirks = quirks[q];
			p.max_nodes = 40;
			for (s = 0; s < 3000; s++) {
				int k, e, sim;

				rnd_seed(&rn, 77000 + s);
				gen_tree(&rn, &p, &t);
				for (e = 0; e < 6; e++) {
					for (k = 0; k < t.nr_as; k++)
					for (sim = 0; sim < 2; sim++) {
						dt_render(&t, k, sim, &v1);
						dt_render_gapfill(&t, k, sim, &v2);
						views++;
						ranges += v1.nr;
						if (dt_view_eq(&v1, &v2, true))
							continue;
						if (!bad++) {
							printf("# seed %d as %d\n",
							       77000 + s, k);
							dt_dump_tree(stdout, &t);
							dt_dump_diff(stdout, &t,
								"point query", &v1,
								"gap fill", &v2, true);
						}
					}
					{
						struct dt_edit ed;

						gen_edit(&rn, &p, &t, &ed);
						dt_apply_edit(&t, &ed);
					}
				}
			}
		}
		dt_view_free(&v1);
		dt_view_free(&v2);
		test_no++;
		printf("# cross-check: %d views, %d ranges\n", views, ranges);
		printf("%sok %d - model: point-query model agrees with a "
		       "gap-filling renderer (%d of %d views differ)\n",
		       bad ? "not " : "", test_no, bad, views);
		failed += !!bad;
	}
	(void)a2;
	printf("1..%d\n", test_no);
	return failed ? 1 : 0;
}
