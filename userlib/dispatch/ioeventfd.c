// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ioeventfd.c: the ioeventfds of one region and QEMU's userspace matching.
 *
 * Without an accelerator QEMU checks every write to a region against the
 * region's ioeventfds (memory_region_dispatch_write_eventfds()): an entry
 * with the same offset and access size, and the same value when it asks
 * for match_data, gets its EventNotifier set and the device callback is
 * skipped.  The table is an immutable sorted array published with liburcu
 * (memb flavour), so matching takes no lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <urcu/urcu-memb.h>
#include <urcu/pointer.h>

#include "dispatch.h"

struct memdisp_ioeventfd_array {
	unsigned int n;
	struct memdisp_ioeventfd e[];
};

/* QEMU's memory_region_ioeventfd_before(), the eventfd identity last. */
static int ioeventfd_cmp(const struct memdisp_ioeventfd *a,
			 const struct memdisp_ioeventfd *b)
{
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	if (a->match_data != b->match_data)
		return a->match_data < b->match_data ? -1 : 1;
	if (a->match_data && a->data != b->data)
		return a->data < b->data ? -1 : 1;
	if (a->cookie != b->cookie)
		return (uintptr_t)a->cookie < (uintptr_t)b->cookie ? -1 : 1;
	if (a->fd != b->fd)
		return a->fd < b->fd ? -1 : 1;
	return 0;
}

void memdisp_ioeventfd_table_init(struct memdisp_ioeventfd_table *tab)
{
	tab->cur = NULL;
}

void memdisp_ioeventfd_table_destroy(struct memdisp_ioeventfd_table *tab)
{
	struct memdisp_ioeventfd_array *old = tab->cur;

	rcu_assign_pointer(tab->cur, NULL);
	if (old) {
		urcu_memb_synchronize_rcu();
		free(old);
	}
}

unsigned int memdisp_ioeventfd_count(const struct memdisp_ioeventfd_table *tab)
{
	return tab->cur ? tab->cur->n : 0;
}

static void publish(struct memdisp_ioeventfd_table *tab,
		    struct memdisp_ioeventfd_array *arr)
{
	struct memdisp_ioeventfd_array *old = tab->cur;

	rcu_assign_pointer(tab->cur, arr);
	if (old) {
		urcu_memb_synchronize_rcu();
		free(old);
	}
}

int memdisp_ioeventfd_add(struct memdisp_ioeventfd_table *tab,
			  const struct memdisp_ioeventfd *fd)
{
	const struct memdisp_ioeventfd_array *old = tab->cur;
	struct memdisp_ioeventfd_array *arr;
	unsigned int n = old ? old->n : 0;
	unsigned int i, pos = 0;
	int c;

	if (fd->size != 0 && fd->size != 1 && fd->size != 2 &&
	    fd->size != 4 && fd->size != 8)
		return -EINVAL;
	if (fd->size && fd->addr + fd->size - 1 < fd->addr)
		return -EINVAL;
	if (fd->match_data && fd->size && fd->size < 8 &&
	    (fd->data >> (fd->size * 8)))
		return -EINVAL;
	if (fd->fd < 0)
		return -EBADF;
	if (n == UINT32_MAX)
		return -ENOSPC;

	for (i = 0; i < n; i++) {
		c = ioeventfd_cmp(&old->e[i], fd);
		if (c == 0)
			return -EEXIST;
		if (c < 0)
			pos = i + 1;
	}

	arr = malloc(sizeof(*arr) + (size_t)(n + 1) * sizeof(arr->e[0]));
	if (!arr)
		return -ENOMEM;
	arr->n = n + 1;
	if (pos)
		memcpy(arr->e, old->e, pos * sizeof(arr->e[0]));
	arr->e[pos] = *fd;
	if (n > pos)
		memcpy(&arr->e[pos + 1], &old->e[pos],
		       (n - pos) * sizeof(arr->e[0]));
	publish(tab, arr);
	return 0;
}

int memdisp_ioeventfd_del(struct memdisp_ioeventfd_table *tab,
			  const struct memdisp_ioeventfd *fd)
{
	const struct memdisp_ioeventfd_array *old = tab->cur;
	struct memdisp_ioeventfd_array *arr = NULL;
	unsigned int i, n = old ? old->n : 0;

	for (i = 0; i < n; i++)
		if (ioeventfd_cmp(&old->e[i], fd) == 0)
			break;
	if (i == n)
		return -ENOENT;

	if (n > 1) {
		arr = malloc(sizeof(*arr) + (size_t)(n - 1) * sizeof(arr->e[0]));
		if (!arr)
			return -ENOMEM;
		arr->n = n - 1;
		memcpy(arr->e, old->e, i * sizeof(arr->e[0]));
		memcpy(&arr->e[i], &old->e[i + 1],
		       (n - i - 1) * sizeof(arr->e[0]));
	}
	publish(tab, arr);
	return 0;
}

int memdisp_ioeventfd_match(const struct memdisp_ioeventfd_table *tab,
			    uint64_t addr, unsigned size, uint64_t data)
{
	const struct memdisp_ioeventfd_array *arr;
	unsigned int lo, hi, i;

	if (!tab)
		return -1;
	arr = rcu_dereference(tab->cur);
	if (!arr)
		return -1;

	/* First entry with e.addr >= addr. */
	lo = 0;
	hi = arr->n;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (arr->e[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < arr->n && arr->e[i].addr == addr; i++) {
		const struct memdisp_ioeventfd *e = &arr->e[i];

		if (e->size != size)
			continue;
		if (e->match_data && e->data != data)
			continue;
		return e->fd;
	}
	return -1;
}

int memdisp_ioeventfd_signal(int fd)
{
	uint64_t one = 1;
	ssize_t r;

	do {
		r = write(fd, &one, sizeof(one));
	} while (r < 0 && errno == EINTR);
	if (r < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}
