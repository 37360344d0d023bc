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

#endif /* MEMDISP_ACCESS_INTERNAL_H */
