/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * md-compat.h: the few QEMU support types the access engine needs.
 *
 * Normally they come from the library's public header memdisp/memory.h.
 * The standalone build (MEMDISP_DISPATCH_STANDALONE: the engine built and
 * tested without the region code) takes only memdisp/types.h and
 * memdisp/ops.h, the same definitions the library uses.
 */
#ifndef MEMDISP_DISPATCH_MD_COMPAT_H
#define MEMDISP_DISPATCH_MD_COMPAT_H

#include <stdbool.h>
#include <stdint.h>

#if !defined(MEMDISP_DISPATCH_STANDALONE) && __has_include(<memdisp/memory.h>)
#include <memdisp/memory.h>
#else
/* Without the region code: the public support types and ops alone. */
#define MEMDISP_DISPATCH_OWN_TYPES 1
#include <memdisp/types.h>
#include <memdisp/ops.h>
#endif

#endif /* MEMDISP_DISPATCH_MD_COMPAT_H */
