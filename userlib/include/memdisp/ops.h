/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memdisp/ops.h - MemoryRegionOps, the callbacks of an I/O region
 *
 * Included by memdisp/memory.h.  Needs only memdisp/types.h, so the access
 * engine's standalone build (userlib/dispatch, MEMDISP_DISPATCH_STANDALONE)
 * uses this very definition instead of a copy.
 */
#ifndef MEMDISP_OPS_H
#define MEMDISP_OPS_H

#include <memdisp/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MemoryRegionOps MemoryRegionOps;

/**
 * struct MemoryRegionOps - callbacks of an I/O region (as QEMU 7.2)
 *
 * Access behaviour (sizes, endianness, accepts) is implemented by the
 * dispatch code of issue 3; memdisp's rendering only records them.
 */
struct MemoryRegionOps {
	uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
	void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
	MemTxResult (*read_with_attrs)(void *opaque, hwaddr addr,
				       uint64_t *data, unsigned size,
				       MemTxAttrs attrs);
	MemTxResult (*write_with_attrs)(void *opaque, hwaddr addr,
					uint64_t data, unsigned size,
					MemTxAttrs attrs);
	enum device_endian endianness;
	struct {
		unsigned min_access_size;
		unsigned max_access_size;
		bool unaligned;
		bool (*accepts)(void *opaque, hwaddr addr, unsigned size,
				bool is_write, MemTxAttrs attrs);
	} valid;
	struct {
		unsigned min_access_size;
		unsigned max_access_size;
		bool unaligned;
	} impl;
	/*
	 * QEMU <= 3.1's byte/word/long callbacks, indexed by log2(size),
	 * used when neither read/write nor the _with_attrs pair is set;
	 * wider accesses are split into long ones.
	 */
	struct {
		uint32_t (*read[3])(void *opaque, hwaddr addr);
		void (*write[3])(void *opaque, hwaddr addr, uint32_t data);
	} old_mmio;
};
/* MemoryRegionOps has old_mmio (the access engine tests for it). */
#define MEMDISP_OPS_HAVE_OLD_MMIO 1

#ifdef __cplusplus
}
#endif

#endif /* MEMDISP_OPS_H */
