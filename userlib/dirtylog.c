// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dirtylog.c - dirty-log bitmaps of RAM regions (dispatch/dirty.c) and
 * QEMU's memory_region_*_dirty API over them.
 *
 * One log per RAM region, created on its first use and freed when the
 * region is finalized.  The list is looked up under a mutex; the bitmaps
 * themselves are lock-free.
 */
#include <pthread.h>

#include "memdisp-internal.h"
#include "dispatch.h"
#include "access-internal.h"

struct md_dlog {
	MemoryRegion *mr;
	struct memdisp_dirty_log log;
	struct md_dlog *next;
};

static pthread_mutex_t md_dlog_lock = PTHREAD_MUTEX_INITIALIZER;
static struct md_dlog *md_dlogs;

/* The log of @mr (created when @create), or NULL. */
static struct memdisp_dirty_log *md_dlog_get(MemoryRegion *mr, bool create)
{
	struct md_dlog *d;

	if (!mr || !mr->ram)
		return NULL;
	pthread_mutex_lock(&md_dlog_lock);
	for (d = md_dlogs; d; d = d->next)
		if (d->mr == mr)
			break;
	if (!d && create) {
		d = md_zalloc(sizeof(*d));
		d->mr = mr;
		if (memdisp_dirty_init(&d->log, memory_region_size(mr), 0)) {
			free(d);
			d = NULL;
		} else {
			d->next = md_dlogs;
			md_dlogs = d;
		}
	}
	pthread_mutex_unlock(&md_dlog_lock);
	return d ? &d->log : NULL;
}

/* Clip [*addr, *addr + *size) to the log; false when nothing is left. */
static bool md_dlog_clip(const struct memdisp_dirty_log *log, hwaddr addr,
			 hwaddr *size)
{
	if (addr >= log->max_length || !*size)
		return false;
	if (*size > log->max_length - addr)
		*size = log->max_length - addr;
	return true;
}

void md_dirty_mark(MemoryRegion *mr, hwaddr addr, hwaddr size,
		   unsigned int clients)
{
	struct memdisp_dirty_log *log;

	if (!clients)
		return;
	log = md_dlog_get(mr, true);
	if (log && md_dlog_clip(log, addr, &size))
		memdisp_dirty_set(log, addr, size,
				  clients & MEMDISP_DIRTY_ALL_CLIENTS);
}

void md_dirty_region_fini(MemoryRegion *mr)
{
	struct md_dlog **pp, *d = NULL;

	pthread_mutex_lock(&md_dlog_lock);
	for (pp = &md_dlogs; *pp; pp = &(*pp)->next) {
		if ((*pp)->mr == mr) {
			d = *pp;
			*pp = d->next;
			break;
		}
	}
	pthread_mutex_unlock(&md_dlog_lock);
	if (d) {
		memdisp_dirty_destroy(&d->log);
		free(d);
	}
}

bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
			     unsigned client)
{
	struct memdisp_dirty_log *log = md_dlog_get(mr, false);

	if (!log || client >= MEMDISP_DIRTY_NUM ||
	    !md_dlog_clip(log, addr, &size))
		return false;
	return memdisp_dirty_get(log, addr, size, client);
}

void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size)
{
	md_dirty_mark(mr, addr, size, memory_region_get_dirty_log_mask(mr));
}

bool memory_region_test_and_clear_dirty(MemoryRegion *mr, hwaddr addr,
					hwaddr size, unsigned client)
{
	struct memdisp_dirty_log *log = md_dlog_get(mr, false);

	if (!log || client >= MEMDISP_DIRTY_NUM ||
	    !md_dlog_clip(log, addr, &size))
		return false;
	return memdisp_dirty_test_and_clear(log, addr, size, client);
}

void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
			       unsigned client)
{
	struct memdisp_dirty_log *log = md_dlog_get(mr, false);

	if (log && client < MEMDISP_DIRTY_NUM &&
	    md_dlog_clip(log, addr, &size))
		memdisp_dirty_reset(log, addr, size, client);
}
