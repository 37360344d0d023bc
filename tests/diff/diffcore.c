// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Differential run of one tree and its edits: model against libmemdisp.
 */
#include <stdlib.h>
#include <string.h>

#include "diffcore.h"
#include "libdrv.h"

#define MAX_LOG 128
/* pseudo-ops in the edit log, so dumps show transaction boundaries */
#define LOG_BEGIN E_OP_NR
#define LOG_COMMIT (E_OP_NR + 1)

struct state {
	struct diff_run *d;
	const struct gen_params *p;
	struct dt_tree t;
	struct lib_inst L;
	struct dt_edit log[MAX_LOG];
	int log_parent[MAX_LOG];	/* container before each logged edit */
	int nlog;
	int step;
	struct dt_view model[DT_MAX_AS];	/* views at the last commit */
	struct dt_view before[DT_MAX_AS];	/* library's, before begin */
	struct dt_view plain, lib;
	long bad;
};

static void dump(struct state *s, int as, const char *why,
		 const char *rlabel, const struct dt_view *want)
{
	FILE *f = s->d->out;
	int i;

	if (!f || s->d->max_dumps <= 0)
		return;
	s->d->max_dumps--;
	fprintf(f, "# MISMATCH (%s): %s seed %llu, step %d, address space %d\n",
		why, s->d->label, (unsigned long long)s->d->seed, s->step, as);
	if (s->d->seed == DIFF_SEED_FUZZ)
		fprintf(f, "# reproduce: fuzz-render CRASH-FILE (libFuzzer "
			"saves the input, see artifact_prefix)\n");
	else
		fprintf(f, "# reproduce: diff-test --one %s %llu\n",
			s->d->label, (unsigned long long)s->d->seed);
	fprintf(f, "# edits so far:\n");
	for (i = 0; i < s->nlog; i++) {
		int saved = s->t.n[s->log[i].node].parent;

		if ((int)s->log[i].op >= LOG_BEGIN) {
			fprintf(f, "#   %s\n", (int)s->log[i].op == LOG_BEGIN ?
				"memory_region_transaction_begin()" :
				"memory_region_transaction_commit()");
			continue;
		}
		/* names never change; only del_subregion prints the parent */
		s->t.n[s->log[i].node].parent = s->log_parent[i];
		fprintf(f, "#   %d: ", i + 1);
		dt_print_edit(f, &s->t, &s->log[i]);
		fprintf(f, "\n");
		s->t.n[s->log[i].node].parent = saved;
	}
	fprintf(f, "# tree now:\n");
	dt_dump_tree(f, &s->t);
	dt_dump_diff(f, &s->t, "libmemdisp", &s->lib, rlabel, want, true);
}

/* Render the model for every AS and compare with the library. */
static void compare_committed(struct state *s)
{
	int a;

	for (a = 0; a < s->t.nr_as; a++) {
		struct diff_stats *st = s->d->main;
		bool ok;

		if (dt_render(&s->t, a, true, &s->model[a]) ||
		    dt_render(&s->t, a, false, &s->plain)) {
			fprintf(stderr, "model gave up (too many points)\n");
			abort();
		}
		if (!dt_view_eq(&s->model[a], &s->plain, true))
			st = s->d->quirk;
		lib_view(&s->L, a, &s->lib);
		if (s->d->api) {
			lib_view_qemu_api(&s->L, a, &s->plain);
			s->d->api->views++;
			s->d->api->ranges += s->plain.nr;
			if (!lib_views_same_layout(&s->lib, &s->plain)) {
				s->d->api->bad++;
				s->bad++;
				dump(s, a, "flatview_for_each_range differs "
				     "from memdisp_flatview_walk",
				     "flatview_for_each_range", &s->plain);
			}
		}
		ok = dt_view_eq(&s->lib, &s->model[a], true);
		st->views++;
		st->ranges += s->model[a].nr;
		if (!ok) {
			st->bad++;
			s->bad++;
			dump(s, a, st == s->d->quirk ?
			     "view depends on flatview-root simplification" :
			     "after commit", "model (QEMU 7.2 rules)",
			     &s->model[a]);
		}
	}
}

/*
 * Inside an open transaction the published views must not move: compare
 * with what the library itself showed before the outermost begin (so this
 * checks transactions alone, whether or not that view was right).
 */
static void snapshot(struct state *s)
{
	int a;

	for (a = 0; a < s->t.nr_as; a++)
		lib_view(&s->L, a, &s->before[a]);
}

static void compare_open(struct state *s)
{
	int a;

	for (a = 0; a < s->t.nr_as; a++) {
		lib_view(&s->L, a, &s->lib);
		s->d->txn->views++;
		s->d->txn->ranges += s->before[a].nr;
		if (!dt_view_eq(&s->lib, &s->before[a], true)) {
			s->d->txn->bad++;
			s->bad++;
			dump(s, a, "inside an open transaction: view changed "
			     "before the commit", "libmemdisp before begin",
			     &s->before[a]);
		}
	}
}

static void log_txn(struct state *s, int what)
{
	if (s->nlog < MAX_LOG) {
		memset(&s->log[s->nlog], 0, sizeof(s->log[0]));
		s->log[s->nlog].op = what;
		s->log_parent[s->nlog] = 0;
		s->nlog++;
	}
	if (what == LOG_BEGIN)
		memory_region_transaction_begin();
	else
		memory_region_transaction_commit();
}

static void one_edit(struct state *s, struct rnd *r)
{
	struct dt_edit e;

	gen_edit(r, s->p, &s->t, &e);
	if (s->nlog < MAX_LOG) {
		s->log[s->nlog] = e;
		s->log_parent[s->nlog] = s->t.n[e.node].parent;
		s->nlog++;
	}
	lib_apply(&s->L, &s->t, &e);
	dt_apply_edit(&s->t, &e);
}

long diff_one(struct rnd *r, const struct gen_params *p, struct diff_run *d)
{
	struct state *s = calloc(1, sizeof(*s));
	long bad;
	int a;

	if (!s)
		abort();
	s->d = d;
	s->p = p;
	gen_tree(r, p, &s->t);
	d->main->trees++;
	lib_build(&s->L, &s->t, rnd_pct(r, 50));
	compare_committed(s);
	for (s->step = 1; s->step <= d->nr_edits; s->step++) {
		if (rnd_pct(r, 30)) {
			int depth = 1 + rnd_below(r, 3), k, n, i;

			snapshot(s);
			for (k = 0; k < depth; k++)
				log_txn(s, LOG_BEGIN);
			n = 1 + rnd_below(r, 4);
			for (i = 0; i < n; i++) {
				if (rnd_pct(r, 20)) {
					log_txn(s, LOG_BEGIN);
					depth++;
				} else if (depth > 1 && rnd_pct(r, 20)) {
					log_txn(s, LOG_COMMIT);
					depth--;
				}
				one_edit(s, r);
				compare_open(s);
			}
			while (depth-- > 0)
				log_txn(s, LOG_COMMIT);
		} else {
			one_edit(s, r);
		}
		compare_committed(s);
	}
	lib_teardown(&s->L, &s->t);
	for (a = 0; a < DT_MAX_AS; a++) {
		dt_view_free(&s->model[a]);
		dt_view_free(&s->before[a]);
	}
	dt_view_free(&s->plain);
	dt_view_free(&s->lib);
	bad = s->bad;
	free(s);
	return bad;
}
