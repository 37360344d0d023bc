// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Library driver for the differential tests.
 */
#include <stdlib.h>
#include <string.h>

#include "libdrv.h"

static uint64_t dummy_read(void *opaque, hwaddr addr, unsigned size)
{
	(void)opaque;
	(void)addr;
	(void)size;
	return 0;
}

static void dummy_write(void *opaque, hwaddr addr, uint64_t data,
			unsigned size)
{
	(void)opaque;
	(void)addr;
	(void)data;
	(void)size;
}

static const MemoryRegionOps dummy_ops = {
	.read = dummy_read,
	.write = dummy_write,
	.endianness = DEVICE_NATIVE_ENDIAN,
};

static IOMMUTLBEntry dummy_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
				     IOMMUAccessFlags flag, int iommu_idx)
{
	IOMMUTLBEntry e = { .iova = addr, .translated_addr = addr,
			    .addr_mask = 0xfff, .perm = IOMMU_NONE };

	(void)iommu;
	(void)flag;
	(void)iommu_idx;
	return e;
}

static const IOMMUMemoryRegionClass dummy_iommu_class = {
	.translate = dummy_translate,
};

/* Backing for RAM given by pointer: never accessed by these tests. */
static uint8_t fake_ram[64];

static void init_one(struct lib_inst *L, const struct dt_tree *t, int i)
{
	const struct dt_node *n = &t->n[i];
	MemoryRegion *mr = LIB_MR(L, i);
	uint64_t size = dt_size_arg(n->size);

	switch (n->kind) {
	case DT_CONTAINER:
		memory_region_init(mr, NULL, n->name, size);
		break;
	case DT_IO:
		memory_region_init_io(mr, NULL, &dummy_ops, NULL, n->name,
				      size);
		break;
	case DT_RAM:
		if (n->alloc)
			memory_region_init_ram(mr, NULL, n->name, size,
					       &error_abort);
		else
			memory_region_init_ram_ptr(mr, NULL, n->name, size,
						   fake_ram);
		break;
	case DT_ROM:
		if (n->alloc) {
			memory_region_init_rom(mr, NULL, n->name, size,
					       &error_abort);
		} else {
			memory_region_init_ram_ptr(mr, NULL, n->name, size,
						   fake_ram);
			memory_region_set_readonly(mr, true);
		}
		break;
	case DT_ROMD:
		memory_region_init_rom_device(mr, NULL, &dummy_ops, NULL,
					      n->name, size, &error_abort);
		break;
	case DT_ALIAS:
		memory_region_init_alias(mr, NULL, n->name, LIB_MR(L, n->target),
					 n->alias_offset, size);
		break;
	case DT_IOMMU:
		if (memdisp_iommu_class_register("diff-iommu",
						 &dummy_iommu_class)) {
			fprintf(stderr, "iommu class registration failed\n");
			abort();
		}
		memory_region_init_iommu(&L->slot[i], sizeof(L->slot[i]),
					 "diff-iommu", NULL, n->name, size);
		break;
	default:
		abort();
	}
}

void lib_build(struct lib_inst *L, const struct dt_tree *t, bool in_txn)
{
	int order[DT_MAX_NODES];
	int i, j, nr = 0;

	memset(L, 0, sizeof(*L));
	L->nr_nodes = t->nr_nodes;
	L->nr_as = t->nr_as;
	if (in_txn)
		memory_region_transaction_begin();
	for (i = 0; i < t->nr_nodes; i++)
		init_one(L, t, i);
	/* subregions in insertion order, so equal priorities stack up */
	for (i = 0; i < t->nr_nodes; i++) {
		if (t->n[i].parent < 0)
			continue;
		for (j = nr; j > 0 && t->n[order[j - 1]].seq > t->n[i].seq; j--)
			order[j] = order[j - 1];
		order[j] = i;
		nr++;
	}
	for (j = 0; j < nr; j++) {
		const struct dt_node *n = &t->n[order[j]];

		if (n->prio == 0 && (n->seq & 1))
			memory_region_add_subregion(LIB_MR(L, n->parent), n->addr,
						    LIB_MR(L, order[j]));
		else
			memory_region_add_subregion_overlap(LIB_MR(L, n->parent),
							    n->addr,
							    LIB_MR(L, order[j]),
							    n->prio);
	}
	for (i = 0; i < t->nr_nodes; i++) {
		const struct dt_node *n = &t->n[i];
		MemoryRegion *mr = LIB_MR(L, i);

		if (n->parent < 0 && n->addr)
			memory_region_set_address(mr, n->addr);
		if (!n->enabled)
			memory_region_set_enabled(mr, false);
		if (n->readonly != (n->kind == DT_ROM))
			memory_region_set_readonly(mr, n->readonly);
		if (n->nonvolatile)
			memory_region_set_nonvolatile(mr, true);
		if (n->kind == DT_ROMD && !n->romd_mode)
			memory_region_rom_device_set_romd(mr, false);
	}
	for (i = 0; i < t->nr_as; i++)
		address_space_init(&L->as[i], LIB_MR(L, t->as_root[i]), "as");
	if (in_txn)
		memory_region_transaction_commit();
}

void lib_apply(struct lib_inst *L, const struct dt_tree *t,
	       const struct dt_edit *e)
{
	MemoryRegion *mr = LIB_MR(L, e->node);

	switch (e->op) {
	case E_ENABLE:
		memory_region_set_enabled(mr, e->b);
		break;
	case E_ADDRESS:
		memory_region_set_address(mr, e->v);
		break;
	case E_SIZE:
		memory_region_set_size(mr, e->v);
		break;
	case E_ALIAS_OFF:
		memory_region_set_alias_offset(mr, e->v);
		break;
	case E_DEL:
		memory_region_del_subregion(LIB_MR(L, t->n[e->node].parent), mr);
		break;
	case E_ADD:
		if (e->overlap)
			memory_region_add_subregion_overlap(LIB_MR(L, e->parent),
							    e->v, mr, e->prio);
		else
			memory_region_add_subregion(LIB_MR(L, e->parent), e->v,
						    mr);
		break;
	case E_READONLY:
		memory_region_set_readonly(mr, e->b);
		break;
	case E_NV:
		memory_region_set_nonvolatile(mr, e->b);
		break;
	case E_ROMD:
		memory_region_rom_device_set_romd(mr, e->b);
		break;
	default:
		abort();
	}
}

struct walk_ctx {
	struct lib_inst *L;
	struct dt_view *v;
};

static bool walk_cb(const struct memdisp_flat_range *r, void *opaque)
{
	struct walk_ctx *c = opaque;
	struct dt_range d = {
		.start = r->start,
		.end = (u128)r->last + 1,
		.offset = r->offset_in_region,
		.readonly = r->readonly,
		.nonvolatile = r->nonvolatile,
		.romd_mode = r->romd_mode,
		.node = -2,
	};

	for (int i = 0; i < c->L->nr_nodes; i++)
		if (r->mr == LIB_MR(c->L, i))
			d.node = i;
	dt_view_push(c->v, &d);
	return false;
}

void lib_view(struct lib_inst *L, int as, struct dt_view *v)
{
	struct walk_ctx c = { .L = L, .v = v };

	v->nr = 0;
	memdisp_flatview_walk(&L->as[as], walk_cb, &c);
}

static bool qemu_cb(Int128 start, Int128 len, const MemoryRegion *mr,
		    hwaddr offset_in_region, void *opaque)
{
	struct walk_ctx *c = opaque;
	struct dt_range d = {
		.start = (u128)start,
		.end = (u128)start + (u128)len,
		.offset = offset_in_region,
		.node = -2,
	};

	for (int i = 0; i < c->L->nr_nodes; i++)
		if (mr == LIB_MR(c->L, i))
			d.node = i;
	dt_view_push(c->v, &d);
	return false;
}

void lib_view_qemu_api(struct lib_inst *L, int as, struct dt_view *v)
{
	struct walk_ctx c = { .L = L, .v = v };
	FlatView *fv = address_space_get_flatview(&L->as[as]);

	v->nr = 0;
	flatview_for_each_range(fv, qemu_cb, &c);
	flatview_unref(fv);
}

bool lib_views_same_layout(const struct dt_view *a, const struct dt_view *b)
{
	int i;

	if (a->nr != b->nr)
		return false;
	for (i = 0; i < a->nr; i++)
		if (a->r[i].start != b->r[i].start ||
		    a->r[i].end != b->r[i].end ||
		    a->r[i].node != b->r[i].node ||
		    a->r[i].offset != b->r[i].offset)
			return false;
	return true;
}

void lib_teardown(struct lib_inst *L, const struct dt_tree *t)
{
	int i;

	for (i = 0; i < L->nr_as; i++)
		address_space_destroy(&L->as[i]);
	memory_region_transaction_begin();
	for (i = 0; i < t->nr_nodes; i++)
		if (t->n[i].parent >= 0)
			memory_region_del_subregion(LIB_MR(L, t->n[i].parent),
						    LIB_MR(L, i));
	memory_region_transaction_commit();
	/* aliases point at lower indices: release from the top down */
	for (i = t->nr_nodes - 1; i >= 0; i--)
		object_unparent(OBJECT(LIB_MR(L, i)));
	/*
	 * Retired FlatViews (of the destroyed address spaces, and those cached
	 * on roots, retired when the roots are finalized) still point at these
	 * owner-less regions; free them before the caller frees the memory the
	 * regions live in.  One reclaim: each waits for an RCU grace period.
	 */
	memdisp_flatview_reclaim();
}
