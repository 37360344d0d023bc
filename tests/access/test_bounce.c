// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_bounce: the bounded bounce-buffer pool and map-client retry
 * notification (QEMU's cpu_register_map_client()).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "dispatch.h"
#include "acc_test.h"

struct waiter {
	struct memdisp_map_client c;
	struct memdisp_bounce_pool *pool;
	unsigned calls;
	/* optional behaviour inside the retry */
	bool take;			/* get a buffer */
	size_t want;
	struct memdisp_bounce *got;
	bool reregister;
};

static void waiter_retry(void *opaque)
{
	struct waiter *w = opaque;

	w->calls++;
	if (w->take)
		w->got = memdisp_bounce_get(w->pool, w->want);
	if (w->reregister)
		memdisp_bounce_register_client(w->pool, &w->c);
}

static void waiter_init(struct waiter *w, struct memdisp_bounce_pool *pool)
{
	memset(w, 0, sizeof(*w));
	w->c.retry = waiter_retry;
	w->c.opaque = w;
	w->pool = pool;
}

static void test_grant_and_exhaust(void **state)
{
	struct memdisp_bounce_pool pool;
	struct memdisp_bounce *a, *b, *c;
	unsigned i;

	(void)state;
	memdisp_bounce_pool_init(&pool, 0);
	assert_int_equal(pool.limit, MEMDISP_BOUNCE_DEFAULT_LIMIT);
	assert_int_equal(memdisp_bounce_pool_destroy(&pool), 0);

	memdisp_bounce_pool_init(&pool, 10000);
	assert_null(memdisp_bounce_get(&pool, 0));
	a = memdisp_bounce_get(&pool, 6000);
	assert_non_null(a);
	assert_int_equal(a->len, 6000);
	assert_int_equal((uintptr_t)a->data % 64, 0);
	for (i = 0; i < a->len; i++)
		assert_int_equal(a->data[i], 0);
	memset(a->data, 0xaa, a->len);	/* ASan checks the bounds */
	/* Less is left than asked: a shorter buffer, like QEMU 9. */
	b = memdisp_bounce_get(&pool, 6000);
	assert_non_null(b);
	assert_int_equal(b->len, 4000);
	assert_int_equal(memdisp_bounce_in_use(&pool), 10000);
	/* Nothing left: NULL, however small the request. */
	assert_null(memdisp_bounce_get(&pool, 1));
	assert_int_equal(memdisp_bounce_pool_destroy(&pool), -EBUSY);

	assert_ptr_equal(memdisp_bounce_from_data(a->data), a);
	assert_ptr_equal(memdisp_bounce_from_data(b->data), b);
	assert_null(memdisp_bounce_from_data(NULL));

	memdisp_bounce_put(a);
	assert_int_equal(memdisp_bounce_in_use(&pool), 4000);
	c = memdisp_bounce_get(&pool, SIZE_MAX);	/* huge asks are clamped */
	assert_non_null(c);
	assert_int_equal(c->len, 6000);
	memdisp_bounce_put(b);
	memdisp_bounce_put(c);
	assert_int_equal(memdisp_bounce_in_use(&pool), 0);
	assert_int_equal(memdisp_bounce_pool_destroy(&pool), 0);
}

/* A guest cannot make the pool allocate without limit. */
static void test_bounded(void **state)
{
	struct memdisp_bounce_pool pool;
	struct memdisp_bounce *held[64];
	size_t total = 0;
	unsigned n = 0, i;

	(void)state;
	memdisp_bounce_pool_init(&pool, 4096);
	for (i = 0; i < 1000; i++) {
		struct memdisp_bounce *b = memdisp_bounce_get(&pool, 100);

		if (!b)
			continue;
		assert_true(n < 64);
		held[n++] = b;
		total += b->len;
	}
	assert_int_equal(total, 4096);
	assert_int_equal(n, 41);	/* 40 x 100 + one of 96 */
	for (i = 0; i < n; i++)
		memdisp_bounce_put(held[i]);
	assert_int_equal(memdisp_bounce_pool_destroy(&pool), 0);
}

static void test_map_client(void **state)
{
	struct memdisp_bounce_pool pool;
	struct memdisp_bounce *a, *b;
	struct waiter w1, w2, w3;

	(void)state;
	memdisp_bounce_pool_init(&pool, 4096);
	waiter_init(&w1, &pool);
	waiter_init(&w2, &pool);
	waiter_init(&w3, &pool);

	/* Space free now: called at once, not kept. */
	memdisp_bounce_register_client(&pool, &w1.c);
	assert_int_equal(w1.calls, 1);
	assert_false(w1.c.registered);

	/* Exhausted: waits for a put, then is called once. */
	a = memdisp_bounce_get(&pool, 4096);
	assert_non_null(a);
	memdisp_bounce_register_client(&pool, &w1.c);
	memdisp_bounce_register_client(&pool, &w1.c);	/* no double entry */
	memdisp_bounce_register_client(&pool, &w2.c);
	memdisp_bounce_register_client(&pool, &w3.c);
	memdisp_bounce_unregister_client(&pool, &w3.c);
	memdisp_bounce_unregister_client(&pool, &w3.c);	/* harmless */
	assert_int_equal(w1.calls, 1);
	assert_int_equal(w2.calls, 0);

	/* w1 takes the freed buffer from its retry, as a DMA helper would. */
	w1.take = true;
	w1.want = 4096;
	memdisp_bounce_put(a);
	assert_int_equal(w1.calls, 2);
	assert_int_equal(w2.calls, 1);
	assert_int_equal(w3.calls, 0);	/* unregistered: never called */
	assert_non_null(w1.got);
	assert_int_equal(w1.got->len, 4096);

	/* One-shot: the next put calls nobody. */
	b = w1.got;
	w1.take = false;
	memdisp_bounce_put(b);
	assert_int_equal(w1.calls, 2);
	assert_int_equal(w2.calls, 1);

	/*
	 * A client that registers again from its retry while the pool is
	 * still full waits for the following put instead of looping.
	 */
	a = memdisp_bounce_get(&pool, 2048);
	b = memdisp_bounce_get(&pool, 2048);
	memdisp_bounce_register_client(&pool, &w2.c);
	w2.take = true;
	w2.want = 2048;
	w2.reregister = true;
	memdisp_bounce_put(a);	/* w2 takes it back, re-registers: full */
	assert_int_equal(w2.calls, 2);
	assert_non_null(w2.got);
	assert_true(w2.c.registered);
	w2.take = false;
	w2.reregister = false;
	memdisp_bounce_put(b);
	assert_int_equal(w2.calls, 3);
	assert_false(w2.c.registered);
	memdisp_bounce_put(w2.got);
	assert_int_equal(memdisp_bounce_pool_destroy(&pool), 0);
}

/* Getters on several threads never exceed the limit together. */
struct race {
	struct memdisp_bounce_pool pool;
	size_t peak;
	unsigned long grants;
	unsigned long over;
};

static void *racer(void *p)
{
	struct race *r = p;
	uint64_t seed = (uintptr_t)&seed;
	unsigned long grants = 0, over = 0;
	unsigned i;

	for (i = 0; i < 20000; i++) {
		struct memdisp_bounce *b =
			memdisp_bounce_get(&r->pool, 1 + acc_rand(&seed) % 3000);

		if (!b)
			continue;
		grants++;
		if (memdisp_bounce_in_use(&r->pool) > r->pool.limit)
			over++;
		b->data[b->len - 1] = 1;
		memdisp_bounce_put(b);
	}
	__atomic_fetch_add(&r->grants, grants, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->over, over, __ATOMIC_RELAXED);
	return NULL;
}

static void test_concurrent(void **state)
{
	struct race r;
	pthread_t th[3];
	unsigned i;

	(void)state;
	memset(&r, 0, sizeof(r));
	memdisp_bounce_pool_init(&r.pool, 4096);
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, racer, &r), 0);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(r.over, 0);
	assert_true(r.grants > 0);
	assert_int_equal(memdisp_bounce_in_use(&r.pool), 0);
	assert_int_equal(memdisp_bounce_pool_destroy(&r.pool), 0);
}

/*
 * A waiter registered while the pool is full is always woken, even when
 * the put races with the registration on another thread.
 */
struct wake {
	struct memdisp_bounce_pool pool;
	struct memdisp_bounce *held;
	pthread_barrier_t bar;
	struct waiter w;
};

static void *wake_putter(void *p)
{
	struct wake *k = p;

	pthread_barrier_wait(&k->bar);
	memdisp_bounce_put(k->held);
	return NULL;
}

static void test_register_put_race(void **state)
{
	struct wake k;
	pthread_t th;
	unsigned i, woke = 0;

	(void)state;
	memdisp_bounce_pool_init(&k.pool, 512);
	for (i = 0; i < 2000; i++) {
		waiter_init(&k.w, &k.pool);
		k.held = memdisp_bounce_get(&k.pool, 512);
		assert_non_null(k.held);
		pthread_barrier_init(&k.bar, NULL, 2);
		assert_int_equal(pthread_create(&th, NULL, wake_putter, &k), 0);
		pthread_barrier_wait(&k.bar);
		memdisp_bounce_register_client(&k.pool, &k.w.c);
		pthread_join(th, NULL);
		pthread_barrier_destroy(&k.bar);
		/* Either it saw the free space or the put woke it. */
		assert_int_equal(k.w.calls, 1);
		assert_false(k.w.c.registered);
		woke++;
	}
	assert_int_equal(woke, 2000);
	assert_int_equal(memdisp_bounce_pool_destroy(&k.pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grant_and_exhaust),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_map_client),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_register_put_race),
	};

	return ACC_RUN(tests);
}
