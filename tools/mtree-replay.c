// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mtree-replay - rebuild the address spaces of a QEMU 7.2 "info mtree -D"
 * dump through libmemdisp's public API and print their flat views in
 * "info mtree -f" format.
 *
 * usage: mtree-replay [--hints FILE] [--tree | --tree-disabled] TREE.txt
 *
 * --tree / --tree-disabled print the rebuilt trees ("info mtree" /
 * "info mtree -D") instead of the flat views.
 *
 * Each printed region becomes a region of the matching kind (container,
 * I/O, RAM, ROM, ROM device, alias) with the printed size, priority and
 * enabled state; an alias points at the region its "memory-region:"
 * section describes, at the printed offset.  Siblings are added in reverse
 * print order, so that among siblings of equal address and priority the
 * first printed is the most recently added and wins, as in QEMU.  The
 * hints file supplies what the text cannot show (see mtree_parse.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memdisp/memory.h>

#include "mtree_build.h"
#include "mtree_parse.h"

static const char *prog = "mtree-replay";

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		exit(1);
	}
	for (;;) {
		size_t r;

		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf) {
				fprintf(stderr, "%s: %s: out of memory\n", prog, path);
				exit(1);
			}
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error\n", prog, path);
		exit(1);
	}
	fclose(f);
	*len = n;
	return buf;
}

static void warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s: warning: %s\n", prog, msg);
}

static void usage(void)
{
	fprintf(stderr, "usage: %s [--hints FILE] [--tree | --tree-disabled] TREE.txt\n",
		prog);
	exit(1);
}

int main(int argc, char **argv)
{
	const char *hints = NULL, *tree = NULL;
	int print_tree = 0;	/* 0 flat, 1 tree, 2 tree with disabled */
	char err[MT_ERR_LEN];
	struct mt_dump *d;
	MemoryRegion **mrs;
	AddressSpace *ases;
	size_t len, i, j, nas = 0, k;
	char *buf;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--hints")) {
			if (++a >= argc)
				usage();
			hints = argv[a];
		} else if (!strncmp(argv[a], "--hints=", 8)) {
			hints = argv[a] + 8;
		} else if (!strcmp(argv[a], "--tree")) {
			print_tree = 1;
		} else if (!strcmp(argv[a], "--tree-disabled")) {
			print_tree = 2;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage();
		} else if (argv[a][0] == '-' && argv[a][1]) {
			fprintf(stderr, "%s: unknown option '%s'\n", prog, argv[a]);
			exit(1);
		} else if (tree) {
			usage();
		} else {
			tree = argv[a];
		}
	}
	if (!tree)
		usage();

	buf = read_file(tree, &len);
	if (mt_parse(buf, len, tree, &d, err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	free(buf);
	if (hints) {
		buf = read_file(hints, &len);
		if (mt_apply_hints(d, buf, len, hints, warn_cb, NULL, err)) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return 1;
		}
		free(buf);
	}

	mrs = mtb_build(d, tree, warn_cb, NULL, err);
	if (!mrs) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}

	for (i = 0; i < d->nsecs; i++)
		if (d->secs[i]->is_as)
			nas += d->secs[i]->n_as;
	ases = calloc(nas ? nas : 1, sizeof(*ases));
	if (!ases) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	k = 0;
	for (i = 0; i < d->nsecs; i++) {
		struct mt_section *s = d->secs[i];

		if (!s->is_as)
			continue;
		for (j = 0; j < s->n_as; j++)
			address_space_init(&ases[k++],
					   mrs[mt_class(s->root)->index],
					   s->as_names[j]);
	}
	if (print_tree)
		memdisp_mtree_info_fp(stdout, false, false, print_tree == 2);
	else
		memdisp_mtree_info_fp(stdout, true, false, false);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: write error\n", prog);
		return 1;
	}
	/* The process exits here; the OS reclaims the regions. */
	mt_free(d);
	return 0;
}
