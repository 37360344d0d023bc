// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regress-test: minimal reproducers of library bugs the differential
 * suite found, each a tiny hand-written tree and edit list, compared with
 * the reference model after every step.  A failing test here names the
 * bug in the smallest form (see tests/diff/FINDINGS.md).
 */
#include <stdlib.h>
#include <string.h>

#include "libdrv.h"

static int test_no, failed;

/* pseudo-edits: transaction boundaries (views compared at depth 0 only) */
#define T_BEGIN ((enum dt_op)E_OP_NR)
#define T_COMMIT ((enum dt_op)(E_OP_NR + 1))

static int node(struct dt_tree *t, int parent, enum dt_kind k, u128 size,
		uint64_t addr)
{
	int i = dt_add_node(t, k, size);

	if (parent >= 0)
		dt_add_subregion(t, parent, i, addr, 0);
	return i;
}

/*
 * Play the edits on library and model; compare every AS after each step
 * from @from on (steps before it are warm-ups: changes elsewhere, so that
 * the step under test is not the first commit after address_space_init).
 */
static void run(const char *name, struct dt_tree *t, const struct dt_edit *e,
		int ne, int from)
{
	static struct lib_inst L;
	struct dt_view lv, mv;
	int s, a, bad = 0, depth = 0;

	dt_view_init(&lv);
	dt_view_init(&mv);
	lib_build(&L, t, false);
	for (s = 0; s <= ne; s++) {
		if (s > 0 && e[s - 1].op == T_BEGIN) {
			memory_region_transaction_begin();
			depth++;
		} else if (s > 0 && e[s - 1].op == T_COMMIT) {
			memory_region_transaction_commit();
			depth--;
		} else if (s > 0) {
			lib_apply(&L, t, &e[s - 1]);
			dt_apply_edit(t, &e[s - 1]);
		}
		for (a = 0; s >= from && !depth && a < t->nr_as; a++) {
			lib_view(&L, a, &lv);
			dt_render(t, a, true, &mv);
			if (dt_view_eq(&lv, &mv, true))
				continue;
			if (!bad++) {
				printf("# %s: step %d", name, s);
				if (s && e[s - 1].op == T_COMMIT) {
					printf(" after commit");
				} else if (s) {
					printf(" after ");
					dt_print_edit(stdout, t, &e[s - 1]);
				}
				printf(", address space %d\n", a);
				dt_dump_tree(stdout, t);
				dt_dump_diff(stdout, t, "libmemdisp", &lv,
					     "model (QEMU 7.2 rules)", &mv,
					     true);
			}
		}
	}
	lib_teardown(&L, t);
	dt_view_free(&lv);
	dt_view_free(&mv);
	test_no++;
	printf("%sok %d - regress: %s\n", bad ? "not " : "", test_no, name);
	failed += !!bad;
}

static struct dt_edit ed(enum dt_op op, int n, uint64_t v, bool b)
{
	struct dt_edit e = { .op = op, .node = n, .v = v, .b = b };

	return e;
}

int main(void)
{
	struct dt_tree t;
	int root, a, b, c, x, al;

	/* 1: the first commit after address_space_init must be seen */
	dt_init(&t);
	t.nr_as = 1;
	root = node(&t, -1, DT_CONTAINER, DT_2_64, 0);
	a = node(&t, root, DT_RAM, 0x1000, 0);
	b = node(&t, root, DT_RAM, 0x1000, 0x2000);
	t.as_root[0] = root;
	{
		struct dt_edit e[] = { ed(E_ENABLE, a, 0, false) };

		run("first edit after address_space_init (set_enabled)", &t,
		    e, 1, 0);
	}
	dt_init(&t);
	t.nr_as = 1;
	root = node(&t, -1, DT_CONTAINER, DT_2_64, 0);
	a = node(&t, root, DT_RAM, 0x1000, 0);
	t.as_root[0] = root;
	{
		struct dt_edit e[] = { ed(E_READONLY, a, 0, true),
				       ed(E_NV, a, 0, true) };

		run("first edit after address_space_init (set_readonly)", &t,
		    e, 2, 0);
	}

	/* 2: moving a region that is itself an AS root moves that view */
	dt_init(&t);
	t.nr_as = 2;
	root = node(&t, -1, DT_CONTAINER, DT_2_64, 0);
	c = node(&t, root, DT_CONTAINER, 0x10000, 0x40000);
	a = node(&t, c, DT_RAM, 0x1000, 0x1000);
	b = node(&t, c, DT_RAM, 0x1000, 0x3000);
	x = node(&t, root, DT_RAM, 0x1000, 0x100000);
	t.as_root[0] = root;
	t.as_root[1] = c;	/* renders at c's own addr, as QEMU */
	{
		struct dt_edit e[] = {
			ed(E_ENABLE, x, 0, false),	/* warm-up */
			ed(E_ADDRESS, c, 0x80000, false),
		};

		run("set_address of a region that is an AS root", &t, e, 2, 2);
	}

	/* 3: same through QEMU's flatview-root simplification: the AS root
	 * container holds one alias at 0 covering its target entirely, so
	 * the target is rendered on its own, at its own addr */
	dt_init(&t);
	t.nr_as = 2;
	root = node(&t, -1, DT_CONTAINER, DT_2_64, 0);
	c = node(&t, root, DT_RAM, 0x1000, 0x5000);
	x = node(&t, root, DT_RAM, 0x1000, 0x100000);
	b = node(&t, -1, DT_CONTAINER, DT_2_64, 0);
	al = node(&t, b, DT_ALIAS, DT_2_64, 0);
	t.n[al].target = c;
	t.as_root[0] = root;
	t.as_root[1] = b;
	{
		struct dt_edit e[] = {
			ed(E_ENABLE, x, 0, false),	/* warm-up */
			ed(E_ADDRESS, c, 0x9000, false),
		};

		run("set_address of a simplified flatview root (alias target)",
		    &t, e, 2, 2);
	}
	/* 4: mapping an AS root into another container gives it an addr */
	dt_init(&t);
	t.nr_as = 2;
	root = node(&t, -1, DT_CONTAINER, DT_2_64, 0);
	x = node(&t, root, DT_RAM, 0x1000, 0x100000);
	c = node(&t, -1, DT_CONTAINER, 0x10000, 0);
	a = node(&t, c, DT_RAM, 0x1000, 0x1000);
	b = node(&t, c, DT_RAM, 0x1000, 0x3000);
	t.as_root[0] = root;
	t.as_root[1] = c;
	{
		struct dt_edit e[] = {
			ed(E_ENABLE, x, 0, false),	/* warm-up */
			{ .op = E_ADD, .node = c, .parent = root,
			  .v = 0x40000, .overlap = false },
		};

		run("add_subregion of a region that is an AS root", &t, e, 2,
		    2);
	}
	/* 5: in one transaction: disable an unmapped region, map it, enable
	 * it again (diff-test --one edits 2002691 in its smallest form) */
	dt_init(&t);
	t.nr_as = 1;
	root = node(&t, -1, DT_CONTAINER, DT_2_64, 0);
	x = node(&t, root, DT_RAM, 0x1000, 0x100000);
	a = node(&t, -1, DT_RAM, 0x1000, 0);
	t.as_root[0] = root;
	{
		struct dt_edit e[] = {
			ed(E_ENABLE, x, 0, false),	/* warm-up */
			ed(T_BEGIN, 0, 0, false),
			ed(E_ENABLE, a, 0, false),
			{ .op = E_ADD, .node = a, .parent = root, .v = 0 },
			ed(E_ENABLE, a, 0, true),
			ed(T_COMMIT, 0, 0, false),
		};

		run("disable, map, enable an unmapped region in one "
		    "transaction", &t, e, 6, 6);
	}
	printf("1..%d\n", test_no);
	return failed ? 1 : 0;
}
