// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for tools/mtree_parse.c.  The input is a dump; if it
 * parses, the same bytes are also fed to the hints parser, and the result
 * is checked for the invariants mtree-replay relies on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mtree_parse.h"

static void ignore(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_dump *d = NULL;
	char err[MT_ERR_LEN];
	size_t i, j;

	if (mt_parse((const char *)data, size, "fuzz", &d, err)) {
		if (d || strncmp(err, "fuzz", 4))
			abort();
		return 0;
	}
	for (i = 0; i < d->nnodes; i++) {
		struct mt_node *n = d->nodes[i], *c = mt_class(n);

		if (n->alias && !n->target_sec)
			abort();	/* every alias resolved */
		if (c->index > n->index || mt_class(c) != c)
			abort();	/* representative is the earliest */
		if (c->nchildren != n->nchildren)
			abort();	/* same region, same subtree */
		for (j = 0; j < n->nchildren; j++)
			if (mt_class(n->children[j]) != mt_class(c->children[j]))
				abort();
		(void)mt_size(n);
		(void)mt_rel_addr(n);
	}
	for (i = 0; i < d->nsecs; i++)
		if (!d->secs[i]->root)
			abort();
	(void)mt_apply_hints(d, (const char *)data, size, "fuzz", ignore, NULL,
			     err);
	mt_free(d);
	return 0;
}
