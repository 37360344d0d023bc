/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acc_test.h: helpers shared by the tests/access suites.
 */
#ifndef ACC_TEST_H
#define ACC_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Run a cmocka group printing TAP ("ok N - name"); non-zero on failure. */
#define ACC_RUN(tests)						\
	({							\
		cmocka_set_message_output(CM_OUTPUT_TAP);	\
		cmocka_run_group_tests(tests, NULL, NULL);	\
	})

/* xorshift64*: a fixed-seed generator, the same sequence everywhere. */
static inline uint64_t acc_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif
