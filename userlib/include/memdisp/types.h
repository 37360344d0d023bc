/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memdisp/types.h - basic types shared by the memdisp public headers
 *
 * Same names and meanings as in QEMU 7.2 (exec/hwaddr.h, exec/memattrs.h,
 * exec/cpu-common.h).
 */
#ifndef MEMDISP_TYPES_H
#define MEMDISP_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A guest physical (or bus) address. */
typedef uint64_t hwaddr;
#define HWADDR_MAX UINT64_MAX
#define HWADDR_PRIx PRIx64
#define TARGET_FMT_plx "%016" PRIx64

/* An offset into the RAM block space. */
typedef uint64_t ram_addr_t;
#define RAM_ADDR_INVALID (~(ram_addr_t)0)

/**
 * struct MemTxAttrs - attributes of one memory transaction
 *
 * Bit-fields as in QEMU 7.2; MEMTXATTRS_UNSPECIFIED is the value used when
 * the caller has no attributes to pass.
 */
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

/*
 * Result of a memory transaction: a bit mask, as in QEMU.  Bit 3 and up
 * stay free (issue 3 adds MEMTX_ACCESS_ERROR).
 */
typedef uint32_t MemTxResult;
#define MEMTX_OK 0
#define MEMTX_ERROR (1U << 0)		/* device returned an error */
#define MEMTX_DECODE_ERROR (1U << 1)	/* nothing at that address */
#define MEMTX_ACCESS_ERROR (1U << 2)	/* refused (re-entrancy guard) */

/* Endianness of a device's registers. */
enum device_endian {
	DEVICE_NATIVE_ENDIAN,
	DEVICE_BIG_ENDIAN,
	DEVICE_LITTLE_ENDIAN,
};

/* The host's byte order as a device_endian value. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define DEVICE_HOST_ENDIAN DEVICE_BIG_ENDIAN
#else
#define DEVICE_HOST_ENDIAN DEVICE_LITTLE_ENDIAN
#endif

/*
 * The ioeventfds a MemoryRegion matches on its write path (an RCU-published
 * sorted array owned by the library; see userlib/dispatch/ioeventfd.c).
 */
struct memdisp_ioeventfd_array;
struct memdisp_ioeventfd_table {
	struct memdisp_ioeventfd_array *cur;
};
#define MEMDISP_MR_IOEVENTFD_TABLE 1

#ifdef __cplusplus
}
#endif

#endif /* MEMDISP_TYPES_H */
