/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drives libmemdisp from a tree description: builds the regions through
 * the public QEMU-style API, applies edits, and reads flat views back with
 * memdisp_flatview_walk().
 */
#ifndef MEMDISP_TESTS_DIFF_LIBDRV_H
#define MEMDISP_TESTS_DIFF_LIBDRV_H

#include <memdisp/memory.h>

#include "gen.h"

/*
 * Every region lives in an IOMMUMemoryRegion slot (it starts with its
 * MemoryRegion), so any node can be an IOMMU region.
 */
struct lib_inst {
	IOMMUMemoryRegion slot[DT_MAX_NODES];
	AddressSpace as[DT_MAX_AS];
	int nr_nodes;
	int nr_as;
};

#define LIB_MR(L, i) (&(L)->slot[i].parent_obj)

/* Build t in the library; @in_txn wraps the whole build in a transaction. */
void lib_build(struct lib_inst *L, const struct dt_tree *t, bool in_txn);
/* Apply e; @t is the model state *before* the edit. */
void lib_apply(struct lib_inst *L, const struct dt_tree *t,
	       const struct dt_edit *e);
/* Read address space @as's current flat view into v. */
void lib_view(struct lib_inst *L, int as, struct dt_view *v);
/*
 * Same view through QEMU's own API (address_space_get_flatview() +
 * flatview_for_each_range()); fills start, end, node and offset only.
 */
void lib_view_qemu_api(struct lib_inst *L, int as, struct dt_view *v);
/* Do two views agree on start, end, region and offset of every range? */
bool lib_views_same_layout(const struct dt_view *a, const struct dt_view *b);
/* Destroy everything; @t is the current model state. */
void lib_teardown(struct lib_inst *L, const struct dt_tree *t);

#endif
