// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ioeventfd: registering ioeventfds and QEMU's userspace matching
 * (same offset, same size, same data when match_data), plus lock-free
 * matching while another thread adds and deletes entries.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <urcu/urcu-memb.h>

#include "dispatch.h"
#include "acc_test.h"

static struct memdisp_ioeventfd mk(uint64_t addr, uint64_t size, bool md,
				   uint64_t data, int fd)
{
	struct memdisp_ioeventfd e = {
		.addr = addr, .size = size, .match_data = md, .data = data,
		.fd = fd,
	};
	return e;
}

static int match(struct memdisp_ioeventfd_table *tab, uint64_t addr,
		 unsigned size, uint64_t data)
{
	int r;

	urcu_memb_read_lock();
	r = memdisp_ioeventfd_match(tab, addr, size, data);
	urcu_memb_read_unlock();
	return r;
}

static void test_add_del(void **state)
{
	struct memdisp_ioeventfd_table tab;
	struct memdisp_ioeventfd e;

	(void)state;
	memdisp_ioeventfd_table_init(&tab);
	assert_int_equal(memdisp_ioeventfd_count(&tab), 0);
	e = mk(0x10, 4, true, 7, 3);
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), 0);
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), -EEXIST);
	e.data = 8;
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), 0);
	e.fd = 4;	/* same match, another eventfd: allowed, as in QEMU */
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), 0);
	assert_int_equal(memdisp_ioeventfd_count(&tab), 3);

	/* Bad input. */
	e = mk(0x10, 3, false, 0, 3);
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), -EINVAL);
	e = mk(0x10, 16, false, 0, 3);
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), -EINVAL);
	e = mk(UINT64_MAX - 2, 4, false, 0, 3);
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), -EINVAL);
	e = mk(0x10, 2, true, 0x10000, 3);	/* data wider than size */
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), -EINVAL);
	e = mk(0x10, 2, false, 0, -1);
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), -EBADF);
	assert_int_equal(memdisp_ioeventfd_count(&tab), 3);

	/* Delete needs the identical entry. */
	e = mk(0x10, 4, true, 9, 3);
	assert_int_equal(memdisp_ioeventfd_del(&tab, &e), -ENOENT);
	e = mk(0x10, 4, true, 7, 3);
	assert_int_equal(memdisp_ioeventfd_del(&tab, &e), 0);
	assert_int_equal(memdisp_ioeventfd_del(&tab, &e), -ENOENT);
	e = mk(0x10, 4, true, 8, 4);
	assert_int_equal(memdisp_ioeventfd_del(&tab, &e), 0);
	e = mk(0x10, 4, true, 8, 3);
	assert_int_equal(memdisp_ioeventfd_del(&tab, &e), 0);
	assert_int_equal(memdisp_ioeventfd_count(&tab), 0);
	assert_int_equal(memdisp_ioeventfd_del(&tab, &e), -ENOENT);
	memdisp_ioeventfd_table_destroy(&tab);
}

static void test_match_rules(void **state)
{
	struct memdisp_ioeventfd_table tab;
	struct memdisp_ioeventfd e;

	(void)state;
	memdisp_ioeventfd_table_init(&tab);
	assert_int_equal(match(&tab, 0, 4, 0), -1);
	assert_int_equal(match(NULL, 0, 4, 0), -1);

	e = mk(0x100, 2, true, 0x1234, 11);
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), 0);
	e = mk(0x200, 4, false, 0, 12);
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), 0);
	e = mk(0x300, 0, false, 0, 13);		/* listeners only */
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), 0);
	e = mk(0x400, 8, true, 0xfedcba9876543210ULL, 14);
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), 0);

	assert_int_equal(match(&tab, 0x100, 2, 0x1234), 11);
	assert_int_equal(match(&tab, 0x100, 2, 0x1235), -1);
	assert_int_equal(match(&tab, 0x100, 4, 0x1234), -1);
	assert_int_equal(match(&tab, 0x101, 2, 0x1234), -1);
	assert_int_equal(match(&tab, 0x0ff, 2, 0x1234), -1);
	/* No match_data: any value of the right size. */
	assert_int_equal(match(&tab, 0x200, 4, 0), 12);
	assert_int_equal(match(&tab, 0x200, 4, 0xffffffff), 12);
	assert_int_equal(match(&tab, 0x200, 2, 0), -1);
	assert_int_equal(match(&tab, 0x200, 1, 0), -1);
	/* Size 0 never matches a userspace write. */
	assert_int_equal(match(&tab, 0x300, 1, 0), -1);
	assert_int_equal(match(&tab, 0x300, 4, 0), -1);
	assert_int_equal(match(&tab, 0x400, 8, 0xfedcba9876543210ULL), 14);

	/*
	 * QEMU's order: at one address and size, the entry without
	 * match_data sorts first and wins.
	 */
	e = mk(0x100, 2, false, 0, 15);
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), 0);
	assert_int_equal(match(&tab, 0x100, 2, 0x1234), 15);
	assert_int_equal(memdisp_ioeventfd_del(&tab, &e), 0);
	assert_int_equal(match(&tab, 0x100, 2, 0x1234), 11);

	/* Many entries at many addresses: the search finds each. */
	for (unsigned i = 0; i < 200; i++) {
		e = mk(0x1000 + 8 * (i % 50), 4, true, i, 100 + i);
		assert_int_equal(memdisp_ioeventfd_add(&tab, &e), 0);
	}
	for (unsigned i = 0; i < 200; i++)
		assert_int_equal(match(&tab, 0x1000 + 8 * (i % 50), 4, i),
				 100 + i);
	assert_int_equal(match(&tab, 0x1000, 4, 1), -1);
	memdisp_ioeventfd_table_destroy(&tab);
}

static void test_signal(void **state)
{
	int efd = eventfd(0, EFD_NONBLOCK);
	int p[2];
	uint64_t v;

	(void)state;
	assert_true(efd >= 0);
	assert_int_equal(memdisp_ioeventfd_signal(efd), 0);
	assert_int_equal(memdisp_ioeventfd_signal(efd), 0);
	assert_int_equal(read(efd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 2);
	close(efd);

	/* A pipe works too (QEMU's EventNotifier without eventfd). */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(memdisp_ioeventfd_signal(p[1]), 0);
	assert_int_equal(read(p[0], &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 1);
	close(p[0]);
	close(p[1]);

	assert_int_equal(memdisp_ioeventfd_signal(p[1]), -EBADF);
}

/* Readers match without a lock while the writer republishes the table. */
struct stress {
	struct memdisp_ioeventfd_table tab;
	volatile int stop;
	int started;
	unsigned long progress;
	unsigned long bad, lookups;
};

static void *reader(void *arg)
{
	struct stress *s = arg;
	unsigned long bad = 0, n = 0;

	urcu_memb_register_thread();
	__atomic_fetch_add(&s->started, 1, __ATOMIC_RELEASE);
	do {
		urcu_memb_read_lock();
		/* The permanent entry is always there. */
		if (memdisp_ioeventfd_match(&s->tab, 0x80, 4, 0xabc) != 1000)
			bad++;
		/* Transient ones match only their own value. */
		int r = memdisp_ioeventfd_match(&s->tab, 0x40, 4, n % 64);

		if (r != -1 && r != (int)(2000 + n % 64))
			bad++;
		urcu_memb_read_unlock();
		n++;
		if (n % 256 == 0)
			__atomic_store_n(&s->progress, n, __ATOMIC_RELAXED);
	} while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE));
	__atomic_fetch_add(&s->bad, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->lookups, n, __ATOMIC_RELAXED);
	urcu_memb_unregister_thread();
	return NULL;
}

static void test_concurrent_readers(void **state)
{
	struct stress s;
	struct memdisp_ioeventfd e;
	pthread_t th[2];
	unsigned i;

	(void)state;
	memset(&s, 0, sizeof(s));
	memdisp_ioeventfd_table_init(&s.tab);
	e = mk(0x80, 4, true, 0xabc, 1000);
	assert_int_equal(memdisp_ioeventfd_add(&s.tab, &e), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, &s), 0);
	while (__atomic_load_n(&s.started, __ATOMIC_ACQUIRE) < 2)
		;
	/*
	 * At least 4000 changes, and on until the readers have been seen
	 * working meanwhile (bounded).
	 */
	for (i = 0; i < 4096 * 16 &&
	     (i < 4096 || __atomic_load_n(&s.progress, __ATOMIC_RELAXED) < 4096);
	     i++) {
		e = mk(0x40, 4, true, i % 64, 2000 + i % 64);
		if (i / 64 % 2 == 0)
			assert_int_equal(memdisp_ioeventfd_add(&s.tab, &e), 0);
		else
			assert_int_equal(memdisp_ioeventfd_del(&s.tab, &e), 0);
	}
	/* i is a multiple of 128 after either exit: the table is back. */
	while (i % 128) {
		e = mk(0x40, 4, true, i % 64, 2000 + i % 64);
		if (i / 64 % 2 == 0)
			assert_int_equal(memdisp_ioeventfd_add(&s.tab, &e), 0);
		else
			assert_int_equal(memdisp_ioeventfd_del(&s.tab, &e), 0);
		i++;
	}
	assert_int_equal(memdisp_ioeventfd_count(&s.tab), 1);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(s.bad, 0);
	assert_true(s.lookups > 0);
	memdisp_ioeventfd_table_destroy(&s.tab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_del),
		cmocka_unit_test(test_match_rules),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_concurrent_readers),
	};
	int r;

	urcu_memb_register_thread();
	r = ACC_RUN(tests);
	urcu_memb_unregister_thread();
	return r;
}
