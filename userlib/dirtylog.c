// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dirtylog.c - dirty-log bitmaps of RAM blocks (dispatch/dirty.c) and
 * QEMU's memory_region_*_dirty API over them.
 *
 * As in QEMU, the bits belong to the RAM block, i.e. to its slice of the
 * ram_addr_t space ([offset, offset + max_length), allocated per block by
 * memory.c), not to a region: a write through any alias of a block marks
 * the block's bits, and the API called on an alias reads and clears the
 * same bits at the alias's offset.  The log is created on first use,
 * sized for the block's max_length (so memory_region_ram_resize never
 * reallocates it under concurrent writers), lives in the RAMBlock and is
 * freed with it; lookups take no lock.
 *
 * DIRTY_MEMORY_CODE: QEMU sets it only when TCG is enabled
 * (memory_region_get_dirty_log_mask); the library has no TCG, so it is
 * masked out of every mark and reads back clean.  A block starts clean
 * (QEMU starts it all-dirty for migration's first pass); a resize cleans
 * the old used length and marks the new one dirty, as qemu_ram_resize.
 */
#include "memdisp-internal.h"
#include "dispatch.h"
#include "access-internal.h"

/* Clients a write may mark: no TCG, so never CODE. */
#define MD_DIRTY_CLIENTS \
	(MEMDISP_DIRTY_ALL_CLIENTS & ~(1U << MEMDISP_DIRTY_CODE))

struct memdisp_dirty_log *md_ram_dlog_new(uint64_t max_length)
{
	struct memdisp_dirty_log *log = md_zalloc(sizeof(*log));

	if (memdisp_dirty_init(log, max_length, 0)) {
		free(log);
		return NULL;
	}
	return log;
}

void md_ram_dlog_free(struct memdisp_dirty_log *log)
{
	if (!log)
		return;
	memdisp_dirty_destroy(log);
	free(log);
}

void md_ram_dlog_resized(struct memdisp_dirty_log *log, uint64_t old_used,
			 uint64_t new_used)
{
	unsigned int c;

	if (!log)
		return;
	for (c = 0; c < MEMDISP_DIRTY_NUM; c++)
		memdisp_dirty_reset(log, 0, old_used, c);
	memdisp_dirty_set(log, 0, new_used, MD_DIRTY_CLIENTS);
}

/*
 * The log of the block under @mr (an alias is followed to its block, its
 * offset added to *@addr), with [*@addr, *@addr + *@size) clipped to the
 * block's used length; NULL when there is none or nothing is left.
 */
static struct memdisp_dirty_log *md_dlog_get(MemoryRegion *mr, bool create,
					     hwaddr *addr, hwaddr *size)
{
	struct memdisp_dirty_log *log;
	uint64_t used = 0;

	while (mr && mr->alias) {
		if (*addr >= memory_region_size(mr))
			return NULL;
		if (*size > memory_region_size(mr) - *addr)
			*size = memory_region_size(mr) - *addr;
		*addr += mr->alias_offset;
		mr = mr->alias;
	}
	if (!mr || !mr->ram_block)
		return NULL;
	log = md_ram_dlog(mr, create, &used);
	if (!log || *addr >= used || !*size)
		return NULL;
	if (*size > used - *addr)
		*size = used - *addr;
	return log;
}

void md_dirty_mark(MemoryRegion *mr, hwaddr addr, hwaddr size,
		   unsigned int clients)
{
	struct memdisp_dirty_log *log;

	clients &= MD_DIRTY_CLIENTS;
	if (!clients)
		return;
	log = md_dlog_get(mr, true, &addr, &size);
	if (log)
		memdisp_dirty_set(log, addr, size, clients);
}

void md_dirty_region_fini(MemoryRegion *mr)
{
	/* The log belongs to the RAM block and goes with it. */
	(void)mr;
}

bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
			     unsigned client)
{
	struct memdisp_dirty_log *log;

	if (client >= MEMDISP_DIRTY_NUM)
		return false;
	log = md_dlog_get(mr, false, &addr, &size);
	return log && memdisp_dirty_get(log, addr, size, client);
}

void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size)
{
	md_dirty_mark(mr, addr, size, memory_region_get_dirty_log_mask(mr));
}

bool memory_region_test_and_clear_dirty(MemoryRegion *mr, hwaddr addr,
					hwaddr size, unsigned client)
{
	struct memdisp_dirty_log *log;

	if (client >= MEMDISP_DIRTY_NUM)
		return false;
	log = md_dlog_get(mr, false, &addr, &size);
	return log && memdisp_dirty_test_and_clear(log, addr, size, client);
}

void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
			       unsigned client)
{
	struct memdisp_dirty_log *log;

	if (client >= MEMDISP_DIRTY_NUM)
		return;
	log = md_dlog_get(mr, false, &addr, &size);
	if (log)
		memdisp_dirty_reset(log, addr, size, client);
}
