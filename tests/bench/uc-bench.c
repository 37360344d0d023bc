// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uc-bench: Unicorn (Debian's libunicorn, QEMU 5.0's memory code) mapping
 * N 4 KiB RAM regions one by one with uc_mem_map().  Each map rebuilds
 * Unicorn's flat view, so the total grows as N^2.
 *
 *   uc-bench [N...]      (each N < 4096: Unicorn aborts the whole process
 *                         at the 4,096th region, QEMU's dispatch limit;
 *                         default: $BENCH_UC_N or 1000,2000)
 *
 * Prints "bench: unicorn_map_4k_nN VALUE ms" per N.  It runs in its own
 * process because libunicorn carries its own copy of QEMU's memory code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicorn/unicorn.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	char *defv[16], buf[256];
	const char *env = getenv("BENCH_UC_N");
	int a;

	if (argc < 2) {
		char *tok;

		snprintf(buf, sizeof(buf), "%s", env && *env ? env : "1000,2000");
		argc = 1;
		defv[0] = argv[0];
		for (tok = strtok(buf, ","); tok && argc < 16;
		     tok = strtok(NULL, ","))
			defv[argc++] = tok;
		argv = defv;
	}
	for (a = 1; a < argc; a++) {
		char *end;
		long n = strtol(argv[a], &end, 0), i;
		uc_engine *uc;
		uc_err err;
		double t0, t1;

		if (*end || n < 1 || n >= 4096) {
			fprintf(stderr, "uc-bench: N=%s refused: must be 1..4095 "
				"(Unicorn aborts the process at 4096 regions)\n",
				argv[a]);
			return 2;
		}
		err = uc_open(UC_ARCH_X86, UC_MODE_64, &uc);
		if (err) {
			fprintf(stderr, "uc-bench: uc_open: %s\n",
				uc_strerror(err));
			return 1;
		}
		t0 = now_ms();
		for (i = 0; i < n; i++) {
			err = uc_mem_map(uc, 0x100000 + (uint64_t)i * 0x1000,
					 0x1000, UC_PROT_ALL);
			if (err) {
				fprintf(stderr, "uc-bench: uc_mem_map #%ld: %s\n",
					i, uc_strerror(err));
				return 1;
			}
		}
		t1 = now_ms();
		uc_close(uc);
		printf("bench: unicorn_map_4k_n%ld %.3f ms\n", n, t1 - t0);
		fflush(stdout);
	}
	return 0;
}
