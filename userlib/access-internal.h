/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * access-internal.h - hooks of access.c called by memory.c (not installed)
 */
#ifndef MEMDISP_ACCESS_INTERNAL_H
#define MEMDISP_ACCESS_INTERNAL_H

#include <memdisp/memory.h>

/**
 * md_ioeventfd_engine() - mirror memory_region_add/del_eventfd into the
 * table the write path matches (@data converted to the device's order)
 */
void md_ioeventfd_engine(MemoryRegion *mr, hwaddr addr, unsigned int size,
			 bool match_data, uint64_t data, EventNotifier *e,
			 bool add);
/** md_access_region_fini() - free @mr's ioeventfd table and dirty log */
void md_access_region_fini(MemoryRegion *mr);
/**
 * md_dirty_mark() - mark [@addr, @addr + @size) of RAM region @mr dirty for
 * the clients in @clients (dirtylog.c)
 */
void md_dirty_mark(MemoryRegion *mr, hwaddr addr, hwaddr size,
		   unsigned int clients);
/** md_dirty_region_fini() - drop @mr's dirty log */
void md_dirty_region_fini(MemoryRegion *mr);

struct memdisp_dirty_log;
/**
 * md_ram_dlog() - the dirty log of RAM region @mr's block (memory.c)
 * @mr: a region with a RAM block (not an alias)
 * @create: allocate it on first use
 * @used: receives the block's used length (bits beyond it are ignored)
 *
 * One log per RAMBlock, covering the block's slice of the ram_addr space
 * up to its max_length; every alias of the block shares it.  Freed with
 * the block.  Return: the log, or NULL (no block, none yet, no memory).
 */
struct memdisp_dirty_log *md_ram_dlog(MemoryRegion *mr, bool create,
				      uint64_t *used);
/** md_ram_dlog_new() - a clean log for @max_length bytes (dirtylog.c) */
struct memdisp_dirty_log *md_ram_dlog_new(uint64_t max_length);
/** md_ram_dlog_free() - free a log (NULL is fine) */
void md_ram_dlog_free(struct memdisp_dirty_log *log);
/**
 * md_ram_dlog_resized() - QEMU's qemu_ram_resize dirty handling: the old
 * used length is cleaned, the new one marked dirty (@log may be NULL)
 */
void md_ram_dlog_resized(struct memdisp_dirty_log *log, uint64_t old_used,
			 uint64_t new_used);

#endif /* MEMDISP_ACCESS_INTERNAL_H */
