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
#include <sys/mman.h>

#include <memdisp/memory.h>

#include "mtree_parse.h"

static const char *prog = "mtree-replay";

static uint64_t dummy_read(void *opaque, hwaddr addr, unsigned int size)
{
	(void)opaque;
	(void)addr;
	(void)size;
	return 0;
}

static void dummy_write(void *opaque, hwaddr addr, uint64_t data,
			unsigned int size)
{
	(void)opaque;
	(void)addr;
	(void)data;
	(void)size;
}

static const MemoryRegionOps dummy_ops = {
	.read = dummy_read,
	.write = dummy_write,
	.endianness = DEVICE_NATIVE_ENDIAN,
};

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

struct replay {
	struct mt_dump *d;
	const char *fname;
	MemoryRegion **mrs;	/* by node index: the class's region */
	unsigned char *state;	/* 0 = not made, 1 = making, 2 = made */
	unsigned char *added;	/* by node index (class rep): has a container */
};

static void fail_at(struct replay *r, const struct mt_node *n, const char *why)
{
	fprintf(stderr, "%s: %s:%d: %s\n", prog, r->fname, n->line, why);
	exit(1);
}

/* RAM backing that is never touched: reserve address space only. */
static void *reserve(struct replay *r, const struct mt_node *n, uint64_t size)
{
	void *p;

	if (size == UINT64_MAX || size > (1ULL << 46))
		fail_at(r, n, "RAM region too large to reserve on this host");
	p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		fail_at(r, n, "cannot reserve address space for a RAM region");
	return p;
}

static MemoryRegion *make(struct replay *r, struct mt_node *n);

static MemoryRegion *make_alias(struct replay *r, struct mt_node *c,
				MemoryRegion *mr, uint64_t size)
{
	struct mt_node *t;
	MemoryRegion *target;

	if (!c->target_sec)
		fail_at(r, c, "alias target not resolved");
	t = mt_class(c->target_sec->root);
	target = make(r, t);
	if (!target)
		fail_at(r, c, "alias chain forms a cycle");
	memory_region_init_alias(mr, NULL, c->name, target, c->ts, size);
	return mr;
}

/* Create (once) the region of node @n's class. */
static MemoryRegion *make(struct replay *r, struct mt_node *n)
{
	struct mt_node *c = mt_class(n);
	MemoryRegion *mr;
	uint64_t size = mt_size(c);
	Error *err = NULL;

	if (r->state[c->index] == 2)
		return r->mrs[c->index];
	if (r->state[c->index] == 1)
		return NULL;		/* cycle through aliases */
	r->state[c->index] = 1;
	mr = calloc(1, sizeof(*mr));
	if (!mr) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
	if (size == 0 && !c->alias && c->type != MT_IO)
		fail_at(r, c, "size0 hint on a RAM-backed region");

	if (c->alias) {
		make_alias(r, c, mr, size);
	} else if (c->type == MT_IO) {
		if ((c->nchildren && !c->io_hint) || c->container_hint)
			memory_region_init(mr, NULL, c->name, size);
		else
			memory_region_init_io(mr, NULL, &dummy_ops, NULL,
					      c->name, size);
	} else if (c->type == MT_RAM) {
		memory_region_init_ram_ptr(mr, NULL, c->name, size,
					   reserve(r, c, size));
	} else if (c->type == MT_ROM) {
		memory_region_init_ram_ptr(mr, NULL, c->name, size,
					   reserve(r, c, size));
		memory_region_set_readonly(mr, true);
	} else if (c->type == MT_RAMD) {
		memory_region_init_ram_device_ptr(mr, NULL, c->name, size,
						  reserve(r, c, size));
	} else {	/* MT_ROMD: a ROM device in romd mode */
		memory_region_init_rom_device(mr, NULL, &dummy_ops, NULL,
					      c->name, size, &err);
		if (err) {
			fprintf(stderr, "%s: %s:%d: %s\n", prog, r->fname,
				c->line, error_get_pretty(err));
			exit(1);
		}
		memory_region_rom_device_set_romd(mr, true);
	}
	if (c->nv)
		memory_region_set_nonvolatile(mr, true);
	if (c->readonly_hint)
		memory_region_set_readonly(mr, true);
	if (c->disabled)
		memory_region_set_enabled(mr, false);
	r->mrs[c->index] = mr;
	r->state[c->index] = 2;
	return mr;
}

/*
 * Order in which to add @p's children: fills @order with child indexes.
 * Siblings print sorted by address; at one address they print in render
 * order (most recently added first), so each same-address run is added in
 * reverse.  Across addresses the text does not say which was added last;
 * equal-priority overlaps there are taken to be won by the one starting
 * higher (a device mapped over an earlier catch-all region, e.g. ast2600's
 * aspeed.video over aspeed.io), so runs are added by ascending address.
 */
static void child_order(const struct mt_node *p, size_t *order)
{
	size_t s = 0, e, k = 0;

	while (s < p->nchildren) {
		e = s + 1;
		while (e < p->nchildren && mt_rel_addr(p->children[e]) ==
		       mt_rel_addr(p->children[s]))
			e++;
		while (e > s)
			order[k++] = --e;
		s = k;
	}
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
	struct replay r;
	AddressSpace *ases;
	size_t len, i, j, nas = 0, k, *order;
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

	memset(&r, 0, sizeof(r));
	r.fname = tree;
	buf = read_file(tree, &len);
	if (mt_parse(buf, len, tree, &r.d, err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	free(buf);
	if (hints) {
		buf = read_file(hints, &len);
		if (mt_apply_hints(r.d, buf, len, hints, warn_cb, NULL, err)) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return 1;
		}
		free(buf);
	}

	r.mrs = calloc(r.d->nnodes, sizeof(*r.mrs));
	r.state = calloc(r.d->nnodes, 1);
	r.added = calloc(r.d->nnodes, 1);
	order = calloc(r.d->nnodes + 1, sizeof(*order));
	if (!r.mrs || !r.state || !r.added || !order) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}

	memory_region_transaction_begin();
	for (i = 0; i < r.d->nnodes; i++)
		make(&r, r.d->nodes[i]);
	/* Containment, from each class's representative (earliest line). */
	for (i = 0; i < r.d->nnodes; i++) {
		struct mt_node *p = r.d->nodes[i];

		if (mt_class(p) != p || p->alias)
			continue;
		child_order(p, order);
		for (k = 0; k < p->nchildren; k++) {
			struct mt_node *ch = p->children[order[k]];
			struct mt_node *cc = mt_class(ch);

			if (r.added[cc->index]) {
				fprintf(stderr,
					"%s: warning: %s:%d: '%s' already has a container, not added again\n",
					prog, tree, ch->line, ch->name);
				continue;
			}
			r.added[cc->index] = 1;
			memory_region_add_subregion_overlap(r.mrs[p->index],
							    mt_rel_addr(ch),
							    r.mrs[cc->index],
							    ch->prio);
		}
	}
	memory_region_transaction_commit();

	for (i = 0; i < r.d->nsecs; i++)
		if (r.d->secs[i]->is_as)
			nas += r.d->secs[i]->n_as;
	ases = calloc(nas ? nas : 1, sizeof(*ases));
	if (!ases) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	k = 0;
	for (i = 0; i < r.d->nsecs; i++) {
		struct mt_section *s = r.d->secs[i];

		if (!s->is_as)
			continue;
		for (j = 0; j < s->n_as; j++)
			address_space_init(&ases[k++],
					   r.mrs[mt_class(s->root)->index],
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
	mt_free(r.d);
	return 0;
}
