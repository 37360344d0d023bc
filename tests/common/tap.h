/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.h - TAP output for the test programs that are not cmocka suites
 * (the VM programs, the netlink fuzzer, the index suite).  Header-only:
 * each program includes it once and gets its own counters.
 */
#ifndef MEMDISP_TESTS_TAP_H
#define MEMDISP_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/* Tests reported so far, and how many of them failed. */
static int tap_n, tap_fail;

/* Report test number ++tap_n as passed or failed, with a description. */
static void tap(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), unused));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_fail++;
}

/* A diagnostic line ("# ..."), flushed at once: a guest may die next. */
static void diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), unused));
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#endif /* MEMDISP_TESTS_TAP_H */
