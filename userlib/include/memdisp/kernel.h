/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memdisp/kernel.h - mirror AddressSpaces into memdisp.ko
 *
 * memdisp_kernel_attach() registers a MemoryListener on an AddressSpace that
 * keeps a copy of its flat view in the kernel module (generic netlink family
 * "memdisp", see uapi/linux/memdisp.h): the whole map at attach, then per
 * commit only the changed sections as one atomic MAP_DELTA (or a full
 * publication when that is smaller).  IOMMU regions met in a mirrored view
 * become kernel IOMMUs whose target address space is mirrored as well;
 * IOTLB misses the kernel reports are answered by calling the region's
 * translate callback (see memdisp_kernel_process_events()).
 *
 * A kernel failure never changes the library's own state: the library
 * keeps rendering and dispatching in userspace.  A refused update, a lost
 * event or a generation mismatch makes the mirror push the whole map again
 * (a resync); if even that fails the mirror is marked out of sync, retries
 * at the next commit, and memdisp_kernel_check() reports the error.
 *
 * Threading: like every tree edit, call these with the big lock held.  All
 * mirrored address spaces share one pair of netlink sockets per process.
 */
#ifndef MEMDISP_KERNEL_H
#define MEMDISP_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <memdisp/memory.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MemdispKernelAS MemdispKernelAS;

/**
 * memdisp_kernel_attach() - mirror @as into the kernel
 * @as: an initialised address space (not already attached)
 * @name: kernel name (1..63 bytes); NULL uses @as's name
 * @errp: error; "memdisp.ko is not loaded" when the generic netlink family
 *	does not exist, otherwise the kernel's errno and extended-ACK message
 *
 * Creates the kernel address space and publishes the current map.
 *
 * Return: a handle, or NULL with @errp set (@as is then left untouched).
 */
MemdispKernelAS *memdisp_kernel_attach(AddressSpace *as, const char *name,
				       Error **errp);

/**
 * memdisp_kernel_detach() - stop mirroring and destroy the kernel copy
 * @kas: a handle from memdisp_kernel_attach() (NULL is ignored)
 *
 * When the last attached address space goes, the sockets close and the
 * kernel drops everything the process created there (IOMMUs, maps).
 */
void memdisp_kernel_detach(MemdispKernelAS *kas);

/* memdisp_kernel_find() - the handle attached to @as, or NULL. */
MemdispKernelAS *memdisp_kernel_find(AddressSpace *as);

/* memdisp_kernel_as_id() - the kernel's id of the mirrored address space. */
uint32_t memdisp_kernel_as_id(const MemdispKernelAS *kas);

/* memdisp_kernel_generation() - generation of the map last published. */
uint64_t memdisp_kernel_generation(const MemdispKernelAS *kas);

/**
 * memdisp_kernel_check() - is the kernel copy in sync?
 * @kas: handle
 * @errp: set to the last failure when it is not
 *
 * Return: 0 when in sync, -1 otherwise.
 */
int memdisp_kernel_check(MemdispKernelAS *kas, Error **errp);

/**
 * memdisp_kernel_resync() - publish @kas's whole current map now
 * Return: 0, or -1 with @errp set.
 */
int memdisp_kernel_resync(MemdispKernelAS *kas, Error **errp);

/**
 * memdisp_kernel_event_fd() - descriptor that becomes readable when the
 * kernel sent events (IOTLB misses, map changes); -1 if nothing is attached.
 */
int memdisp_kernel_event_fd(void);

/**
 * memdisp_kernel_process_events() - answer pending kernel events
 * @timeout_ms: wait this long for the first event (0: don't wait, -1:
 *	forever)
 * @errp: error
 *
 * An IOTLB miss calls the IOMMU region's translate callback with the
 * permission the access needed and pushes the entry it returns.  An iova
 * the callback reports unmapped (perm IOMMU_NONE) gets no entry: the kernel
 * keeps that page's miss pending and does not ask again until an IOTLB
 * update or invalidation (memory_region_notify_iommu()) touches it.  A lost
 * event (ENOBUFS) flushes every IOTLB, so that pending misses are raised
 * again.
 *
 * Return: the number of misses answered, or -1 with @errp set.
 */
int memdisp_kernel_process_events(int timeout_ms, Error **errp);

/**
 * memdisp_kernel_set_iommu_target() - the address space @iommu translates
 * into
 *
 * By default the mirror asks the region's translate callback (with
 * IOMMU_NONE at the section's first iova) and uses the entry's target_as.
 * Call this before the region is first mirrored to choose it explicitly.
 */
void memdisp_kernel_set_iommu_target(IOMMUMemoryRegion *iommu,
				     AddressSpace *target);

/**
 * memdisp_kernel_iommu_id() - the kernel id of @iommu's IOMMU, 0 if none
 */
uint32_t memdisp_kernel_iommu_id(IOMMUMemoryRegion *iommu);

/**
 * struct memdisp_kernel_xlat - a kernel translation (MEMDISP_CMD_TRANSLATE)
 * Fields mirror &enum memdisp_xlat_attr; absent attributes read 0.
 */
struct memdisp_kernel_xlat {
	uint32_t status;	/* enum memdisp_xlat_status */
	uint32_t type;		/* enum memdisp_section_type */
	uint64_t region_id;	/* (uintptr_t) of the terminal MemoryRegion */
	uint64_t offset;
	uint64_t len;
	uint32_t perm;
	uint32_t sec_flags;
	uint64_t hva;
	uint32_t as_id;
	uint64_t addr;
	uint32_t iommu_id;
	uint64_t iova;
	uint32_t depth;
};

/**
 * memdisp_kernel_translate() - ask the kernel to translate one access
 * @kas: mirrored address space
 * @addr: address
 * @len: access length (>= 1)
 * @is_write: a write
 * @out: result
 * @errp: error
 *
 * Return: 0, or -1 with @errp set.
 */
int memdisp_kernel_translate(MemdispKernelAS *kas, uint64_t addr,
			     uint64_t len, bool is_write,
			     struct memdisp_kernel_xlat *out, Error **errp);

/**
 * struct memdisp_kernel_stats - what the mirror did (this process)
 */
struct memdisp_kernel_stats {
	uint64_t full_pushes;	/* whole-map publications */
	uint64_t delta_pushes;	/* MAP_DELTA publications */
	uint64_t resyncs;	/* full pushes forced by a failure */
	uint64_t failures;	/* kernel requests that failed */
	uint64_t misses;	/* IOTLB miss events received */
	uint64_t fills;		/* IOTLB entries pushed for misses */
	uint64_t notifies;	/* IOTLB messages from IOMMU notifications */
	uint64_t lost_events;	/* ENOBUFS on the event socket */
};

/* memdisp_kernel_get_stats() - copy the process-wide counters to @st. */
void memdisp_kernel_get_stats(struct memdisp_kernel_stats *st);

/**
 * memdisp_kernel_map_kind() - kernel section type for @mr as a section
 * (enum memdisp_section_type): how the mirror classifies regions.
 */
uint32_t memdisp_kernel_map_kind(MemoryRegion *mr);

/* IOMMU notifiers (QEMU 7.2 names) are declared in <memdisp/access.h>. */

#ifdef __cplusplus
}
#endif

#endif /* MEMDISP_KERNEL_H */
