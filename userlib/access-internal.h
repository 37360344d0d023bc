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
/** md_ioeventfd_table_fini() - free @mr's table at finalize */
void md_ioeventfd_table_fini(MemoryRegion *mr);

#endif /* MEMDISP_ACCESS_INTERNAL_H */
