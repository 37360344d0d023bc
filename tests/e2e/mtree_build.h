/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mtree_build.h - rebuild a parsed "info mtree -D" dump (tools/mtree_parse.h)
 * as libmemdisp regions, the way tools/mtree-replay does, for the e2e
 * real-machine-map comparison.
 */
#ifndef E2E_MTREE_BUILD_H
#define E2E_MTREE_BUILD_H

#include <memdisp/memory.h>

#include "../../tools/mtree_parse.h"

/**
 * mtb_build() - create every region of @d and wire up containment
 * @d: parsed dump with hints applied
 * @fname: dump name for messages
 * @err: on failure, "FNAME:LINE: reason"
 *
 * Return: by node index, the region of the node's class (free() it; the
 * regions themselves are never freed), or NULL on failure.
 */
MemoryRegion **mtb_build(struct mt_dump *d, const char *fname,
			 char err[MT_ERR_LEN]);

#endif /* E2E_MTREE_BUILD_H */
