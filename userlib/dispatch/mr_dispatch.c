// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mr_dispatch.c: QEMU's memory_region_dispatch_read/write and
 * memory_region_access_valid on libmemdisp's MemoryRegion, over the
 * engine of memops.c.
 *
 * Needs the library's public header (MemoryRegion, MemOp): it is only
 * built when memdisp/memory.h is present.
 */
#include "dispatch.h"

#ifndef MEMDISP_DISPATCH_OWN_TYPES

static const MemoryRegionOps mr_no_ops = {
	.endianness = DEVICE_NATIVE_ENDIAN,
};

/* The target the engine needs, from the region's public fields. */
static void mr_target(MemoryRegion *mr, struct memdisp_ops_target *t)
{
	t->ops = mr->ops ? mr->ops : &mr_no_ops;
	t->opaque = mr->opaque;
	/*
	 * QEMU keys the guard on the owning device; memdisp has no device
	 * type, so the owner object (or the region itself) is the device.
	 */
	t->guard_key = mr->owner ? (const void *)mr->owner : (const void *)mr;
	t->flags = 0;
	if (mr->ram || mr->ram_device || mr->rom_device || mr->readonly)
		t->flags |= MEMDISP_OPS_NO_GUARD;
#ifdef MEMDISP_MR_IOEVENTFD_TABLE
	t->ioeventfds = &mr->md_ioeventfds;
#else
	t->ioeventfds = NULL;
#endif
	t->name = mr->name;
}

/* MemOp's MO_BSWAP means "the other order than the host's". */
static enum device_endian memop_endian(MemOp op)
{
	if (!(op & MO_BSWAP))
		return DEVICE_HOST_ENDIAN;
	return DEVICE_HOST_ENDIAN == DEVICE_LITTLE_ENDIAN ?
	       DEVICE_BIG_ENDIAN : DEVICE_LITTLE_ENDIAN;
}

bool memory_region_access_valid(MemoryRegion *mr, hwaddr addr, unsigned size,
				bool is_write, MemTxAttrs attrs)
{
	struct memdisp_ops_target t;

	mr_target(mr, &t);
	return memdisp_ops_access_valid(&t, addr, size, is_write, attrs);
}

MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
					uint64_t *pval, MemOp op,
					MemTxAttrs attrs)
{
	struct memdisp_ops_target t;

	mr_target(mr, &t);
	return memdisp_ops_read(&t, addr, pval, 1U << (op & MO_SIZE),
				memop_endian(op), attrs);
}

MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
					 uint64_t data, MemOp op,
					 MemTxAttrs attrs)
{
	struct memdisp_ops_target t;

	mr_target(mr, &t);
	return memdisp_ops_write(&t, addr, data, 1U << (op & MO_SIZE),
				 memop_endian(op), attrs);
}

MemOp memdisp_devend_memop(enum device_endian end)
{
	bool big = memdisp_endian_is_big(end);
	bool host_big = DEVICE_HOST_ENDIAN == DEVICE_BIG_ENDIAN;

	return big == host_big ? 0 : MO_BSWAP;
}

#endif /* !MEMDISP_DISPATCH_OWN_TYPES */
