// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mtree.c - QEMU 7.2's "info mtree" text (tree, -f flat views, -D, -o)
 *
 * Format as described in /work/shared/qemu-mtree-format.md.  QEMU orders
 * address-space groups and FlatView blocks by hash tables; memdisp uses
 * creation order instead so the output is deterministic.
 */
#include <string.h>

#include "memdisp-internal.h"



struct mq {
	const MemoryRegion **v;
	size_t n, cap;
	unsigned long stamp;
};

static uint64_t mr_size_last(Int128 size)
{
	return size ? (uint64_t)(size - 1) : 0;
}

static const char *mr_type(const MemoryRegion *mr)
{
	while (mr->alias)
		mr = mr->alias;
	if (mr->ram_device)
		return "ramd";
	if (mr->rom_device && mr->romd_mode)
		return "romd";
	if (mr->ram && mr->readonly)
		return "rom";
	if (mr->ram)
		return "ram";
	return "i/o";
}

static void print_owner(FILE *f, const MemoryRegion *mr)
{
	if (!mr->owner) {
		fputs(" orphan", f);
		return;
	}
	fprintf(f, " owner:{obj type=%s}",
		mr->owner->type ? mr->owner->type : "object");
}

struct sib {
	const MemoryRegion *mr;
	size_t idx;
};

static int sib_cmp(const void *pa, const void *pb)
{
	const struct sib *a = pa, *b = pb;

	if (a->mr->addr != b->mr->addr)
		return a->mr->addr < b->mr->addr ? -1 : 1;
	if (a->mr->priority != b->mr->priority)
		return a->mr->priority > b->mr->priority ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void mq_push(struct mq *q, const MemoryRegion *mr)
{
	MemoryRegion *m = (MemoryRegion *)mr;

	if (m->md_walk == q->stamp)
		return;
	m->md_walk = q->stamp;
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->v = md_realloc(q->v, q->cap * sizeof(*q->v));
	}
	q->v[q->n++] = mr;
}

static void print_mr(FILE *f, const MemoryRegion *mr, unsigned int level,
		     hwaddr base, struct mq *q, bool owner, bool disabled)
{
	hwaddr cur_start = base + mr->addr;
	hwaddr cur_end = cur_start + mr_size_last(mr->size);
	const MemoryRegion *sub;
	struct sib *sibs;
	size_t n = 0, i;

	if (cur_start < base || cur_end < cur_start)
		fputs("[DETECTED OVERFLOW!] ", f);
	if (mr->alias)
		mq_push(q, mr->alias);
	if (mr->enabled || disabled) {
		for (i = 0; i < level; i++)
			fputs("  ", f);
		fprintf(f, TARGET_FMT_plx "-" TARGET_FMT_plx " (prio %d, %s%s): ",
			cur_start, cur_end, mr->priority,
			mr->nonvolatile ? "nv-" : "", mr_type(mr));
		if (mr->alias)
			fprintf(f, "alias %s @%s " TARGET_FMT_plx "-"
				TARGET_FMT_plx, memory_region_name(mr),
				memory_region_name(mr->alias), mr->alias_offset,
				mr->alias_offset + mr_size_last(mr->size));
		else
			fputs(memory_region_name(mr), f);
		if (!mr->enabled)
			fputs(" [disabled]", f);
		if (owner)
			print_owner(f, mr);
		fputc('\n', f);
	}
	if (!mr->nr_subregions)
		return;
	sibs = md_realloc(NULL, mr->nr_subregions * sizeof(*sibs));
	for (sub = mr->sub_first; sub; sub = sub->sub_next) {
		sibs[n].mr = sub;
		sibs[n].idx = n;
		n++;
	}
	qsort(sibs, n, sizeof(*sibs), sib_cmp);
	for (i = 0; i < n; i++)
		print_mr(f, sibs[i].mr, level + 1, cur_start, q, owner,
			 disabled);
	free(sibs);
}

static int as_name_cmp(const void *pa, const void *pb)
{
	const AddressSpace *a = *(AddressSpace *const *)pa;
	const AddressSpace *b = *(AddressSpace *const *)pb;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return a->md_seq < b->md_seq ? -1 : a->md_seq > b->md_seq;
}

static void mtree_tree(FILE *f, bool owner, bool disabled)
{
	struct mq q = { .stamp = md_new_stamp() };
	AddressSpace *as, *bs, **grp = NULL;
	size_t ngrp, cap = 0, i;

	/* Groups by root, in creation order of their first address space. */
	MD_FOR_EACH_AS(as) {
		for (bs = md_first_as(); bs != as; bs = bs->md_next)
			if (bs->root == as->root)
				break;
		if (bs != as)
			continue;	/* group already printed */
		ngrp = 0;
		for (bs = as; bs; bs = bs->md_next) {
			if (bs->root != as->root)
				continue;
			if (ngrp == cap) {
				cap = cap ? cap * 2 : 8;
				grp = md_realloc(grp, cap * sizeof(*grp));
			}
			grp[ngrp++] = bs;
		}
		qsort(grp, ngrp, sizeof(*grp), as_name_cmp);
		for (i = 0; i < ngrp; i++)
			fprintf(f, "address-space: %s\n", grp[i]->name);
		print_mr(f, as->root, 1, 0, &q, owner, disabled);
		fputc('\n', f);
	}
	for (i = 0; i < q.n; i++) {
		fprintf(f, "memory-region: %s\n", memory_region_name(q.v[i]));
		print_mr(f, q.v[i], 1, 0, &q, owner, disabled);
		fputc('\n', f);
	}
	free(grp);
	free(q.v);
}

static void print_flat_block(FILE *f, FlatView *v, int counter, bool owner,
			     bool dispatch_tree)
{
	AddressSpace *as;
	const FlatRange *fr;

	fprintf(f, "FlatView #%d\n", counter);
	MD_FOR_EACH_AS(as) {
		if (as->current_map != v)
			continue;
		fprintf(f, " AS \"%s\", root: %s", as->name,
			memory_region_name(as->root));
		if (as->root->alias)
			fprintf(f, ", alias %s",
				memory_region_name(as->root->alias));
		fputc('\n', f);
	}
	fprintf(f, " Root memory region: %s\n",
		v->root ? memory_region_name(v->root) : "(none)");
	if (!v->nr) {
		fputs("  No rendered FlatView\n\n", f);
		return;
	}
	MD_FLATVIEW_FOR_EACH(v, fr) {
		const MemoryRegion *mr = fr->mr;

		fprintf(f, "  " TARGET_FMT_plx "-" TARGET_FMT_plx
			" (prio %d, %s%s): %s",
			int128_get64(fr->addr.start),
			int128_get64(fr->addr.start) +
			mr_size_last(fr->addr.size),
			mr->priority, fr->nonvolatile ? "nv-" : "",
			fr->readonly ? "rom" : mr_type(mr),
			memory_region_name(mr));
		if (fr->offset_in_region)
			fprintf(f, " @" TARGET_FMT_plx, fr->offset_in_region);
		if (owner)
			print_owner(f, mr);
		fputc('\n', f);
	}
	if (dispatch_tree && v->nr)
		fprintf(f, "  Dispatch (memdisp mdindex): %u ranges in %u chunks\n",
			v->nr, v->nr_chunks);
	fputc('\n', f);
}

static void mtree_flat(FILE *f, bool owner, bool dispatch_tree)
{
	AddressSpace *as, *bs;
	int counter = 0;

	MD_FOR_EACH_AS(as) {
		if (!as->current_map)
			continue;
		for (bs = md_first_as(); bs != as; bs = bs->md_next)
			if (bs->current_map == as->current_map)
				break;
		if (bs != as)
			continue;
		print_flat_block(f, as->current_map, counter++, owner,
				 dispatch_tree);
	}
}

void memdisp_mtree_info_fp(FILE *f, bool flatview, bool owner, bool disabled)
{
	if (flatview)
		mtree_flat(f, owner, false);
	else
		mtree_tree(f, owner, disabled);
}

void mtree_info(bool flatview, bool dispatch_tree, bool owner, bool disabled)
{
	if (flatview)
		mtree_flat(stdout, owner, dispatch_tree);
	else
		mtree_tree(stdout, owner, disabled);
	fflush(stdout);
}
