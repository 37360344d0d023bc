/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mtree_build.h - rebuild a parsed "info mtree -D" dump (mtree_parse.h) as
 * libmemdisp regions: used by mtree-replay and the e2e real-map test.
 */
#ifndef MEMDISP_MTREE_BUILD_H
#define MEMDISP_MTREE_BUILD_H

#include <memdisp/memory.h>

#include "mtree_parse.h"

/**
 * mtb_build() - create every region of @d and wire up containment
 * @d: parsed dump with hints applied
 * @fname: dump name for messages
 * @warn: called with "FNAME:LINE: ..." for a printed region that already
 *	has a container (it is not added twice); may be NULL
 * @ctx: passed to @warn
 * @err: on failure, "FNAME:LINE: reason"
 *
 * Return: by node index, the region of the node's class (free() it; the
 * regions themselves are never freed), or NULL on failure.
 */
MemoryRegion **mtb_build(struct mt_dump *d, const char *fname,
			 void (*warn)(void *ctx, const char *msg), void *ctx,
			 char err[MT_ERR_LEN]);

#endif /* MEMDISP_MTREE_BUILD_H */
