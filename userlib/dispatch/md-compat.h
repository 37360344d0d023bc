/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * md-compat.h: the few QEMU support types the access engine needs.
 *
 * When the library's public header (memdisp/memory.h, owned by the region
 * code) is on the include path it provides them and this file only adds
 * what it may lack.  Without it (the access engine is built and tested on
 * its own while the region code is written) the definitions below follow
 * QEMU 7.2's include/exec/memattrs.h and include/exec/memory.h.
 */
#ifndef MEMDISP_DISPATCH_MD_COMPAT_H
#define MEMDISP_DISPATCH_MD_COMPAT_H

#include <stdbool.h>
#include <stdint.h>

#if !defined(MEMDISP_DISPATCH_STANDALONE) && __has_include(<memdisp/memory.h>)
#include <memdisp/memory.h>
#else
#define MEMDISP_DISPATCH_OWN_TYPES 1

typedef uint64_t hwaddr;

/* Transaction attributes: passed through to the callbacks untouched. */
typedef struct MemTxAttrs {
	unsigned int unspecified:1;
	unsigned int secure:1;
	unsigned int space:2;
	unsigned int user:1;
	unsigned int memory:1;
	unsigned int requester_id:16;
	unsigned int byte_swap:1;
	unsigned int target_tlb_bit0:1;
	unsigned int target_tlb_bit1:1;
	unsigned int target_tlb_bit2:1;
} MemTxAttrs;

#define MEMTXATTRS_UNSPECIFIED ((MemTxAttrs) { .unspecified = 1 })

typedef uint32_t MemTxResult;
#define MEMTX_OK		0
#define MEMTX_ERROR		(1U << 0)
#define MEMTX_DECODE_ERROR	(1U << 1)

enum device_endian {
	DEVICE_NATIVE_ENDIAN,
	DEVICE_BIG_ENDIAN,
	DEVICE_LITTLE_ENDIAN,
};

typedef struct MemoryRegionOps MemoryRegionOps;

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
	/* QEMU <= 3.1's byte/word/long callbacks, indexed by log2(size). */
	struct {
		uint32_t (*read[3])(void *opaque, hwaddr addr);
		void (*write[3])(void *opaque, hwaddr addr, uint32_t data);
	} old_mmio;
};
#define MEMDISP_OPS_HAVE_OLD_MMIO 1
#endif

#ifndef DEVICE_HOST_ENDIAN
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define DEVICE_HOST_ENDIAN DEVICE_BIG_ENDIAN
#else
#define DEVICE_HOST_ENDIAN DEVICE_LITTLE_ENDIAN
#endif
#endif

/* QEMU 8.1's result for an access refused by the re-entrancy guard. */
#ifndef MEMTX_ACCESS_ERROR
#define MEMTX_ACCESS_ERROR	(1U << 2)
#endif

#endif /* MEMDISP_DISPATCH_MD_COMPAT_H */
