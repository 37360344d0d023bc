// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bounce.c: bounded bounce buffers for address_space_map() of non-RAM.
 *
 * A map of MMIO cannot hand out a pointer, so QEMU copies through a bounce
 * buffer.  The bytes granted per pool are bounded (a guest programming DMA
 * at device registers must not make the process allocate at will); when
 * nothing is left the map fails with length 0 and the device registers a
 * map client, called back when a buffer is returned (QEMU's
 * cpu_register_map_client()).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"

#define BOUNCE_MAGIC	0x6d64626f756e6365ULL	/* "mdbounce" */

void memdisp_bounce_pool_init(struct memdisp_bounce_pool *pool, size_t limit)
{
	pthread_mutexattr_t attr;

	pool->limit = limit ? limit : MEMDISP_BOUNCE_DEFAULT_LIMIT;
	pool->used = 0;
	/* Recursive: retry callbacks run under it and may call back in. */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&pool->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	pool->clients.next = &pool->clients;
	pool->clients.prev = &pool->clients;
}

int memdisp_bounce_pool_destroy(struct memdisp_bounce_pool *pool)
{
	if (__atomic_load_n(&pool->used, __ATOMIC_ACQUIRE))
		return -EBUSY;
	pthread_mutex_destroy(&pool->lock);
	return 0;
}

size_t memdisp_bounce_in_use(struct memdisp_bounce_pool *pool)
{
	return __atomic_load_n(&pool->used, __ATOMIC_ACQUIRE);
}

struct memdisp_bounce *memdisp_bounce_get(struct memdisp_bounce_pool *pool,
					  size_t want)
{
	size_t used = __atomic_load_n(&pool->used, __ATOMIC_RELAXED);
	size_t grant, total;
	struct memdisp_bounce *b;

	/* Reserve min(want, left) bytes. */
	for (;;) {
		size_t left = used < pool->limit ? pool->limit - used : 0;

		grant = want < left ? want : left;
		if (!grant)
			return NULL;
		if (__atomic_compare_exchange_n(&pool->used, &used,
						used + grant, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			break;
	}

	total = sizeof(*b) + grant;
	total = (total + 63) & ~(size_t)63;
	b = aligned_alloc(64, total);
	if (!b) {
		__atomic_fetch_sub(&pool->used, grant, __ATOMIC_ACQ_REL);
		return NULL;
	}
	memset(b, 0, total);
	b->magic = BOUNCE_MAGIC;
	b->pool = pool;
	b->len = grant;
	return b;
}

struct memdisp_bounce *memdisp_bounce_from_data(void *p)
{
	struct memdisp_bounce *b;

	if (!p)
		return NULL;
	b = (struct memdisp_bounce *)((char *)p -
				      offsetof(struct memdisp_bounce, data));
	return b->magic == BOUNCE_MAGIC ? b : NULL;
}

/*
 * Call every client waiting now, once.  The waiting list is moved to a
 * local head first, so clients that register again from their retry wait
 * for the next put; each client is unlinked just before its call, so an
 * unregister (which takes the lock) either removes it before it is called
 * or finds it already done.
 */
static void notify_clients(struct memdisp_bounce_pool *pool)
{
	struct memdisp_map_client local, *c;

	pthread_mutex_lock(&pool->lock);
	if (pool->clients.next == &pool->clients) {
		pthread_mutex_unlock(&pool->lock);
		return;
	}
	local.next = pool->clients.next;
	local.prev = pool->clients.prev;
	local.next->prev = &local;
	local.prev->next = &local;
	pool->clients.next = pool->clients.prev = &pool->clients;

	while (local.next != &local) {
		c = local.next;
		c->prev->next = c->next;
		c->next->prev = c->prev;
		c->next = c->prev = NULL;
		c->registered = false;
		c->retry(c->opaque);
	}
	pthread_mutex_unlock(&pool->lock);
}

void memdisp_bounce_put(struct memdisp_bounce *b)
{
	struct memdisp_bounce_pool *pool = b->pool;
	size_t len = b->len;

	b->magic = 0;
	free(b);
	__atomic_fetch_sub(&pool->used, len, __ATOMIC_ACQ_REL);
	/*
	 * The list is taken under the lock after the bytes are returned, so a
	 * client registering concurrently either sees the free bytes or is
	 * on the list taken here.
	 */
	notify_clients(pool);
}

void memdisp_bounce_register_client(struct memdisp_bounce_pool *pool,
				    struct memdisp_map_client *c)
{
	bool now = false;

	pthread_mutex_lock(&pool->lock);
	if (!c->registered) {
		if (__atomic_load_n(&pool->used, __ATOMIC_ACQUIRE) < pool->limit) {
			now = true;
		} else {
			c->registered = true;
			c->next = &pool->clients;
			c->prev = pool->clients.prev;
			pool->clients.prev->next = c;
			pool->clients.prev = c;
		}
	}
	if (now)
		c->retry(c->opaque);
	pthread_mutex_unlock(&pool->lock);
}

void memdisp_bounce_unregister_client(struct memdisp_bounce_pool *pool,
				      struct memdisp_map_client *c)
{
	pthread_mutex_lock(&pool->lock);
	if (c->registered) {
		c->prev->next = c->next;
		c->next->prev = c->prev;
		c->next = c->prev = NULL;
		c->registered = false;
	}
	pthread_mutex_unlock(&pool->lock);
}
