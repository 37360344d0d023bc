/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * memdisp: generic netlink ABI between libmemdisp (or any tool) and
 * memdisp.ko.
 *
 * Conventions
 * -----------
 * - Family name %MEMDISP_GENL_NAME, version %MEMDISP_GENL_VERSION (in the
 *   genetlink header), multicast group %MEMDISP_MCGRP_EVENTS.
 * - Every value enum below is ABI: entries are only ever appended, never
 *   reordered or removed.
 * - Address ranges are [start, last], both inclusive, so the whole 64-bit
 *   space fits in u64 fields.
 * - Arrays travel as repeated attributes of the same type (for instance
 *   one %MEMDISP_A_SECTION nest per section, in ascending address order);
 *   no binary structs cross the boundary.
 * - Attributes are validated strictly: an unknown attribute, a wrong length,
 *   a duplicate of a non-repeatable attribute or a missing required one
 *   fails the whole request with an errno and an extended-ACK message naming
 *   the offending attribute.  A refused request changes nothing, with one
 *   exception: %MEMDISP_CMD_IOTLB_UPDATE (see there).
 * - Nests must carry NLA_F_NESTED (libnl: nla_nest_start(msg,
 *   NLA_F_NESTED | type)); strict validation refuses them otherwise.
 * - A missing required attribute fails with -EINVAL, a message naming it
 *   and NLMSGERR_ATTR_MISS_TYPE.
 * - Dumps (%MEMDISP_CMD_AS_GET, %MEMDISP_CMD_MAP_GET): a request refused
 *   before the dump starts (bad attribute, missing or invisible address
 *   space) is answered like any other request, with one NLMSG_ERROR
 *   carrying the errno and the extended-ACK message (also on Linux 6.1,
 *   whose dump start has no extended ACK of its own); no NLMSG_DONE
 *   follows.  Once started, a dump ends with NLMSG_DONE.
 * - The only errors without a message come from the netlink core: an
 *   unknown command or a dump of a command without one (-EOPNOTSUPP), a
 *   message shorter than the generic netlink header (-EINVAL), -ENOMEM.
 *
 * Ownership
 * ---------
 * Address spaces and IOMMUs belong to the netlink socket (portid) and network
 * namespace that created them and are destroyed when that socket is closed.
 * Only the owner, or a caller with CAP_NET_ADMIN in the namespace's user
 * namespace, may change them.  Others in the same namespace may read an
 * address space (get, dump, translate) only if its owner created it with
 * %MEMDISP_AS_F_PUBLIC, and never see host addresses.  Objects of other
 * namespaces are invisible (-ENOENT).
 */
#ifndef _UAPI_LINUX_MEMDISP_H
#define _UAPI_LINUX_MEMDISP_H

#include <linux/types.h>

#define MEMDISP_GENL_NAME	"memdisp"
#define MEMDISP_GENL_VERSION	1
#define MEMDISP_MCGRP_EVENTS	"events"

/* Longest address-space name, including the terminating NUL. */
#define MEMDISP_NAME_MAX	64

/*
 * Most IOMMU hops one translation may take before it gives up with
 * %MEMDISP_XLAT_LOOP (this is how IOMMU cycles are detected).
 */
#define MEMDISP_MAX_DEPTH	8

/*
 * IOTLB miss events are deduplicated per (IOMMU, page of this size): a page
 * raises at most one event until an IOTLB update, invalidation or flush
 * touches it.
 */
#define MEMDISP_MISS_PAGE_SHIFT	12

/*
 * Default limits; the module's parameters (max_as_per_owner,
 * max_iommus_per_owner, max_sections, max_iotlb_entries) may change them at
 * load time.  Exceeding one fails with -ENOSPC (-E2BIG for a section count
 * above max_sections) and an extended-ACK message.
 */
#define MEMDISP_DEF_MAX_AS_PER_OWNER	256
#define MEMDISP_DEF_MAX_IOMMUS_PER_OWNER 256
#define MEMDISP_DEF_MAX_SECTIONS	(1U << 22)
#define MEMDISP_DEF_MAX_IOTLB_ENTRIES	(1U << 20)

/**
 * enum memdisp_cmd - generic netlink commands
 * @MEMDISP_CMD_UNSPEC: unused.
 * @MEMDISP_CMD_AS_NEW: create an address space.  Request: %MEMDISP_A_AS_NAME
 *	(required), %MEMDISP_A_AS_FLAGS (optional).  Reply (same command):
 *	the address space's attributes as for %MEMDISP_CMD_AS_GET.  The new
 *	address space has generation 0 and an empty map.
 * @MEMDISP_CMD_AS_DEL: destroy an address space.  Request: %MEMDISP_A_AS_ID.
 *	IOMMUs that target it stay valid; translations into it then see an
 *	empty map.
 * @MEMDISP_CMD_AS_GET: get one address space (%MEMDISP_A_AS_ID) or, as a
 *	dump, every address space of the caller's namespace the caller may
 *	see.  Reply: %MEMDISP_A_AS_ID, %MEMDISP_A_AS_NAME, %MEMDISP_A_AS_FLAGS,
 *	%MEMDISP_A_GENERATION, %MEMDISP_A_AS_NR_SECTIONS,
 *	%MEMDISP_A_AS_MEM_BYTES, %MEMDISP_A_AS_OWNER_PORTID.
 * @MEMDISP_CMD_MAP_SET: publish a whole map in one message.  Request:
 *	%MEMDISP_A_AS_ID, %MEMDISP_A_GENERATION (the generation this map was
 *	computed against; -ESTALE if it is no longer current), zero or more
 *	%MEMDISP_A_SECTION nests sorted by start and not overlapping.  Reply:
 *	%MEMDISP_A_AS_ID and the new %MEMDISP_A_GENERATION (old + 1).
 * @MEMDISP_CMD_MAP_BEGIN: start a chunked publication (a transaction).
 *	Request: %MEMDISP_A_AS_ID, %MEMDISP_A_GENERATION (base),
 *	%MEMDISP_A_TXN_COUNT (total number of sections that will follow).
 *	Reply: %MEMDISP_A_AS_ID, %MEMDISP_A_TXN_ID.  One transaction per address
 *	space may be open (-EBUSY otherwise).
 * @MEMDISP_CMD_MAP_CHUNK: add sections to an open transaction.  Request:
 *	%MEMDISP_A_AS_ID, %MEMDISP_A_TXN_ID, one or more %MEMDISP_A_SECTION
 *	nests continuing the ascending order of the previous chunks.  A bad
 *	chunk fails and aborts the whole transaction.
 * @MEMDISP_CMD_MAP_COMMIT: publish the transaction's map atomically.
 *	Request: %MEMDISP_A_AS_ID, %MEMDISP_A_TXN_ID.  Fails with -EINVAL if
 *	fewer than %MEMDISP_A_TXN_COUNT sections arrived (truncated), -ESTALE
 *	if the base generation is no longer current; either way the
 *	transaction is gone.  Reply as for %MEMDISP_CMD_MAP_SET.
 * @MEMDISP_CMD_MAP_ABORT: drop an open transaction.  Request:
 *	%MEMDISP_A_AS_ID, %MEMDISP_A_TXN_ID.  A transaction is also dropped
 *	when its address space is destroyed or its creator's socket closes.
 * @MEMDISP_CMD_MAP_DELTA: change the current map atomically.  Request:
 *	%MEMDISP_A_AS_ID, %MEMDISP_A_GENERATION (base), zero or more
 *	%MEMDISP_A_REMOVE nests (sorted, non-overlapping ranges: every part of
 *	a section inside one is removed; a section partly inside is trimmed,
 *	its offset and host address following), then zero or more
 *	%MEMDISP_A_SECTION nests (sorted, non-overlapping, and not overlapping
 *	what remains; -EEXIST if they do).  Reply as for %MEMDISP_CMD_MAP_SET.
 * @MEMDISP_CMD_MAP_GET: dump the current map of %MEMDISP_A_AS_ID: one
 *	message per section holding %MEMDISP_A_AS_ID, %MEMDISP_A_GENERATION and
 *	a %MEMDISP_A_SECTION nest (host address only for the owner or
 *	CAP_NET_ADMIN).  The generation shows if the map changed mid-dump.
 * @MEMDISP_CMD_IOMMU_NEW: create an IOMMU.  Request: %MEMDISP_A_AS_ID (its
 *	target address space: where translated addresses are looked up; the
 *	caller must be allowed to change it).  Reply: %MEMDISP_A_IOMMU_ID,
 *	%MEMDISP_A_AS_ID.
 * @MEMDISP_CMD_IOMMU_DEL: destroy an IOMMU.  Request: %MEMDISP_A_IOMMU_ID.
 *	Sections that name it then translate to %MEMDISP_XLAT_UNASSIGNED.
 * @MEMDISP_CMD_IOTLB_UPDATE: add IOTLB entries.  Request:
 *	%MEMDISP_A_IOMMU_ID, one or more %MEMDISP_A_IOTLB nests.  Each entry
 *	covers [iova & ~mask, iova | mask] (mask + 1 a power of two, iova and
 *	translated address aligned to it); it first replaces every existing
 *	entry it overlaps; an entry with %MEMDISP_PERM_NONE only unmaps.
 *	Pending miss events for the covered pages are re-armed.  Every entry
 *	is validated before any is applied; they are then applied in order,
 *	and when the IOMMU reaches max_iotlb_entries (-ENOSPC) or memory runs
 *	out (-ENOMEM) the entries before the one the extended ACK names stay
 *	installed (an IOTLB is a cache: the next miss asks for the rest).
 * @MEMDISP_CMD_IOTLB_INVAL: drop every IOTLB entry overlapping a range.
 *	Request: %MEMDISP_A_IOMMU_ID, %MEMDISP_A_START, %MEMDISP_A_LAST.
 * @MEMDISP_CMD_IOTLB_FLUSH: drop every IOTLB entry.  Request:
 *	%MEMDISP_A_IOMMU_ID.
 * @MEMDISP_CMD_TRANSLATE: translate one access as the in-kernel fast path
 *	does.  Request: %MEMDISP_A_AS_ID, %MEMDISP_A_ADDR, %MEMDISP_A_LEN
 *	(1 or more), %MEMDISP_A_WRITE (flag, optional).  Reply:
 *	%MEMDISP_A_XLAT nest (see &enum memdisp_xlat_attr).  A miss in an
 *	IOTLB raises %MEMDISP_CMD_EVT_IOTLB_MISS as the fast path does.
 * @MEMDISP_CMD_STATS_GET: module-wide counters.  Reply: %MEMDISP_A_STATS
 *	nest (see &enum memdisp_stats_attr).
 * @MEMDISP_CMD_EVT_IOTLB_MISS: event on %MEMDISP_MCGRP_EVENTS:
 *	%MEMDISP_A_IOMMU_ID, %MEMDISP_A_IOVA (the page's first address),
 *	%MEMDISP_A_PERM (the permission the access needed).
 * @MEMDISP_CMD_EVT_MAP_CHANGED: event on %MEMDISP_MCGRP_EVENTS:
 *	%MEMDISP_A_AS_ID, %MEMDISP_A_GENERATION (the new one).  Also sent
 *	when an address space is destroyed, then with %MEMDISP_A_AS_DEAD.
 * @MEMDISP_CMD_NOOP: validate the message like any other (strict policy,
 *	duplicates) and do nothing; accepts the attributes of
 *	%MEMDISP_CMD_MAP_SET and %MEMDISP_CMD_MAP_CHUNK.  It measures the
 *	transport floor of a publication (benchmarks).
 * @__MEMDISP_CMD_MAX: number of commands.
 */
enum memdisp_cmd {
	MEMDISP_CMD_UNSPEC,
	MEMDISP_CMD_AS_NEW,
	MEMDISP_CMD_AS_DEL,
	MEMDISP_CMD_AS_GET,
	MEMDISP_CMD_MAP_SET,
	MEMDISP_CMD_MAP_BEGIN,
	MEMDISP_CMD_MAP_CHUNK,
	MEMDISP_CMD_MAP_COMMIT,
	MEMDISP_CMD_MAP_ABORT,
	MEMDISP_CMD_MAP_DELTA,
	MEMDISP_CMD_MAP_GET,
	MEMDISP_CMD_IOMMU_NEW,
	MEMDISP_CMD_IOMMU_DEL,
	MEMDISP_CMD_IOTLB_UPDATE,
	MEMDISP_CMD_IOTLB_INVAL,
	MEMDISP_CMD_IOTLB_FLUSH,
	MEMDISP_CMD_TRANSLATE,
	MEMDISP_CMD_STATS_GET,
	MEMDISP_CMD_EVT_IOTLB_MISS,
	MEMDISP_CMD_EVT_MAP_CHANGED,
	MEMDISP_CMD_NOOP,

	__MEMDISP_CMD_MAX
};
#define MEMDISP_CMD_MAX (__MEMDISP_CMD_MAX - 1)

/**
 * enum memdisp_attr - top-level attributes
 * @MEMDISP_A_UNSPEC: unused.
 * @MEMDISP_A_AS_ID: u32, address-space id (never 0).
 * @MEMDISP_A_AS_NAME: NUL-terminated string, 1..%MEMDISP_NAME_MAX bytes
 *	with the NUL; informational, need not be unique.
 * @MEMDISP_A_AS_FLAGS: u32, &enum memdisp_as_flags.
 * @MEMDISP_A_GENERATION: u64, map generation (0 for a new address space,
 *	+1 per publication).
 * @MEMDISP_A_AS_NR_SECTIONS: u32, sections in the current map.
 * @MEMDISP_A_AS_MEM_BYTES: u64, bytes the current map and index use.
 * @MEMDISP_A_AS_OWNER_PORTID: u32, netlink portid of the owner's socket.
 * @MEMDISP_A_SECTION: nest, &enum memdisp_section_attr; repeatable.
 * @MEMDISP_A_REMOVE: nest holding %MEMDISP_A_START and %MEMDISP_A_LAST (the
 *	same attribute numbers used inside it); repeatable.
 * @MEMDISP_A_TXN_ID: u32, transaction id (never 0).
 * @MEMDISP_A_TXN_COUNT: u32, total sections in a transaction.
 * @MEMDISP_A_IOMMU_ID: u32, IOMMU id (never 0).
 * @MEMDISP_A_IOTLB: nest, &enum memdisp_iotlb_attr; repeatable.
 * @MEMDISP_A_START: u64, first address of a range.
 * @MEMDISP_A_LAST: u64, last address of a range (inclusive, >= start).
 * @MEMDISP_A_ADDR: u64, an address to translate.
 * @MEMDISP_A_LEN: u64, access length in bytes (>= 1).
 * @MEMDISP_A_WRITE: flag, the access is a write.
 * @MEMDISP_A_XLAT: nest, &enum memdisp_xlat_attr (replies only).
 * @MEMDISP_A_STATS: nest, &enum memdisp_stats_attr (replies only).
 * @MEMDISP_A_IOVA: u64, an I/O virtual address (events).
 * @MEMDISP_A_PERM: u32, &enum memdisp_perm (events).
 * @MEMDISP_A_AS_DEAD: flag, in %MEMDISP_CMD_EVT_MAP_CHANGED when the
 *	address space was destroyed.
 * @__MEMDISP_A_MAX: number of attributes.
 */
enum memdisp_attr {
	MEMDISP_A_UNSPEC,
	MEMDISP_A_AS_ID,
	MEMDISP_A_AS_NAME,
	MEMDISP_A_AS_FLAGS,
	MEMDISP_A_GENERATION,
	MEMDISP_A_AS_NR_SECTIONS,
	MEMDISP_A_AS_MEM_BYTES,
	MEMDISP_A_AS_OWNER_PORTID,
	MEMDISP_A_SECTION,
	MEMDISP_A_REMOVE,
	MEMDISP_A_TXN_ID,
	MEMDISP_A_TXN_COUNT,
	MEMDISP_A_IOMMU_ID,
	MEMDISP_A_IOTLB,
	MEMDISP_A_START,
	MEMDISP_A_LAST,
	MEMDISP_A_ADDR,
	MEMDISP_A_LEN,
	MEMDISP_A_WRITE,
	MEMDISP_A_XLAT,
	MEMDISP_A_STATS,
	MEMDISP_A_IOVA,
	MEMDISP_A_PERM,
	MEMDISP_A_AS_DEAD,

	__MEMDISP_A_MAX
};
#define MEMDISP_A_MAX (__MEMDISP_A_MAX - 1)

/**
 * enum memdisp_as_flags - address-space flags (%MEMDISP_A_AS_FLAGS)
 * @MEMDISP_AS_F_PUBLIC: others in the namespace may get, dump and
 *	translate through this address space (host addresses stay hidden).
 */
enum memdisp_as_flags {
	MEMDISP_AS_F_PUBLIC = 1U << 0,
};
#define MEMDISP_AS_F_ALL	(MEMDISP_AS_F_PUBLIC)

/**
 * enum memdisp_section_attr - attributes inside %MEMDISP_A_SECTION
 * @MEMDISP_SEC_A_UNSPEC: unused.
 * @MEMDISP_SEC_A_START: u64, first address (required).
 * @MEMDISP_SEC_A_LAST: u64, last address, inclusive, >= start (required).
 * @MEMDISP_SEC_A_TYPE: u32, &enum memdisp_section_type (required).
 * @MEMDISP_SEC_A_FLAGS: u32, &enum memdisp_section_flags (optional, 0).
 * @MEMDISP_SEC_A_REGION_ID: u64, region id chosen by userspace (optional,
 *	0); returned by translations.
 * @MEMDISP_SEC_A_OFFSET: u64, offset of @start within the region (optional,
 *	0); for an IOMMU section, the IOVA that @start maps to.
 * @MEMDISP_SEC_A_HVA: u64, host virtual address of @start in the owner's
 *	process (RAM, ROM and ROMD only; optional, 0 meaning none).
 * @MEMDISP_SEC_A_IOMMU_ID: u32, the IOMMU (IOMMU sections only; required
 *	there, refused elsewhere).  The IOMMU need not exist yet.
 * @__MEMDISP_SEC_A_MAX: number of attributes.
 */
enum memdisp_section_attr {
	MEMDISP_SEC_A_UNSPEC,
	MEMDISP_SEC_A_START,
	MEMDISP_SEC_A_LAST,
	MEMDISP_SEC_A_TYPE,
	MEMDISP_SEC_A_FLAGS,
	MEMDISP_SEC_A_REGION_ID,
	MEMDISP_SEC_A_OFFSET,
	MEMDISP_SEC_A_HVA,
	MEMDISP_SEC_A_IOMMU_ID,

	__MEMDISP_SEC_A_MAX
};
#define MEMDISP_SEC_A_MAX (__MEMDISP_SEC_A_MAX - 1)

/**
 * enum memdisp_section_type - what a section maps to
 * @MEMDISP_SEC_RAM: RAM: reads and writes go to host memory.
 * @MEMDISP_SEC_ROM: ROM: reads go to host memory, writes are dropped
 *	(translations report %MEMDISP_PERM_READ only).
 * @MEMDISP_SEC_ROMD: ROM device: reads go to host memory, writes to the
 *	region's MMIO callbacks.
 * @MEMDISP_SEC_MMIO: MMIO: every access goes to the region's callbacks.
 * @MEMDISP_SEC_IOMMU: an IOMMU region: the access is translated by the
 *	section's IOMMU and continues in that IOMMU's target address space.
 * @__MEMDISP_SEC_TYPE_MAX: number of types.
 */
enum memdisp_section_type {
	MEMDISP_SEC_RAM,
	MEMDISP_SEC_ROM,
	MEMDISP_SEC_ROMD,
	MEMDISP_SEC_MMIO,
	MEMDISP_SEC_IOMMU,

	__MEMDISP_SEC_TYPE_MAX
};

/**
 * enum memdisp_section_flags - section flags (%MEMDISP_SEC_A_FLAGS)
 * @MEMDISP_SEC_F_READONLY: writes are refused (permission read only).
 * @MEMDISP_SEC_F_DIRTY_LOG: writes are dirty-logged by userspace.
 * @MEMDISP_SEC_F_COALESCED: MMIO writes may be coalesced.
 */
enum memdisp_section_flags {
	MEMDISP_SEC_F_READONLY = 1U << 0,
	MEMDISP_SEC_F_DIRTY_LOG = 1U << 1,
	MEMDISP_SEC_F_COALESCED = 1U << 2,
};
#define MEMDISP_SEC_F_ALL \
	(MEMDISP_SEC_F_READONLY | MEMDISP_SEC_F_DIRTY_LOG | \
	 MEMDISP_SEC_F_COALESCED)

/**
 * enum memdisp_perm - access permissions (IOTLB entries, translations)
 * @MEMDISP_PERM_NONE: no access (an IOTLB unmap).
 * @MEMDISP_PERM_READ: read.
 * @MEMDISP_PERM_WRITE: write.
 * @MEMDISP_PERM_RW: read and write.
 */
enum memdisp_perm {
	MEMDISP_PERM_NONE = 0,
	MEMDISP_PERM_READ = 1,
	MEMDISP_PERM_WRITE = 2,
	MEMDISP_PERM_RW = 3,
};

/**
 * enum memdisp_iotlb_attr - attributes inside %MEMDISP_A_IOTLB
 * @MEMDISP_IOTLB_A_UNSPEC: unused.
 * @MEMDISP_IOTLB_A_IOVA: u64, I/O virtual address (required).
 * @MEMDISP_IOTLB_A_XLAT: u64, translated address in the IOMMU's target
 *	address space (required).
 * @MEMDISP_IOTLB_A_MASK: u64, address mask: the entry covers mask + 1 bytes
 *	(required; mask + 1 a power of two, or ~0 for the whole space).
 * @MEMDISP_IOTLB_A_PERM: u32, &enum memdisp_perm (required).
 * @__MEMDISP_IOTLB_A_MAX: number of attributes.
 */
enum memdisp_iotlb_attr {
	MEMDISP_IOTLB_A_UNSPEC,
	MEMDISP_IOTLB_A_IOVA,
	MEMDISP_IOTLB_A_XLAT,
	MEMDISP_IOTLB_A_MASK,
	MEMDISP_IOTLB_A_PERM,

	__MEMDISP_IOTLB_A_MAX
};
#define MEMDISP_IOTLB_A_MAX (__MEMDISP_IOTLB_A_MAX - 1)

/**
 * enum memdisp_xlat_status - outcome of a translation
 * @MEMDISP_XLAT_OK: mapped: type, region, offset, length, permission (and
 *	host address for RAM/ROM/ROMD when known and visible) are valid.
 * @MEMDISP_XLAT_UNASSIGNED: no section covers the address (or its IOMMU no
 *	longer exists); length is clipped to the gap.
 * @MEMDISP_XLAT_IOTLB_MISS: an IOMMU on the way had no entry for the IOVA:
 *	%MEMDISP_XLAT_A_IOMMU_ID, %MEMDISP_XLAT_A_IOVA and
 *	%MEMDISP_XLAT_A_PERM tell which; a miss event was raised.
 * @MEMDISP_XLAT_DENIED: an IOTLB entry on the way lacks the permission the
 *	access needs.  (Sections never deny: a write to ROM or to a read-only
 *	section translates with %MEMDISP_PERM_READ and the caller drops it.)
 * @MEMDISP_XLAT_LOOP: more than %MEMDISP_MAX_DEPTH IOMMU hops (a cycle).
 */
enum memdisp_xlat_status {
	MEMDISP_XLAT_OK,
	MEMDISP_XLAT_UNASSIGNED,
	MEMDISP_XLAT_IOTLB_MISS,
	MEMDISP_XLAT_DENIED,
	MEMDISP_XLAT_LOOP,
};

/**
 * enum memdisp_xlat_attr - attributes inside %MEMDISP_A_XLAT
 * @MEMDISP_XLAT_A_UNSPEC: unused.
 * @MEMDISP_XLAT_A_STATUS: u32, &enum memdisp_xlat_status.
 * @MEMDISP_XLAT_A_TYPE: u32, &enum memdisp_section_type of the final
 *	section (absent when unassigned).
 * @MEMDISP_XLAT_A_REGION_ID: u64, the final section's region id.
 * @MEMDISP_XLAT_A_OFFSET: u64, offset of the address within the region.
 * @MEMDISP_XLAT_A_LEN: u64, the access length clipped to the section, the
 *	gap and every IOTLB entry crossed.
 * @MEMDISP_XLAT_A_PERM: u32, &enum memdisp_perm allowed (with
 *	%MEMDISP_XLAT_IOTLB_MISS: the permission the access needed).
 * @MEMDISP_XLAT_A_HVA: u64, host address (RAM/ROM/ROMD with a host address,
 *	owner or CAP_NET_ADMIN only).
 * @MEMDISP_XLAT_A_AS_ID: u32, the address space the walk ended in.
 * @MEMDISP_XLAT_A_ADDR: u64, the address in that address space.
 * @MEMDISP_XLAT_A_IOMMU_ID: u32, the IOMMU that missed.
 * @MEMDISP_XLAT_A_IOVA: u64, the IOVA that missed.
 * @MEMDISP_XLAT_A_DEPTH: u32, IOMMU hops taken.
 * @MEMDISP_XLAT_A_SEC_FLAGS: u32, &enum memdisp_section_flags of the final
 *	section.
 * @__MEMDISP_XLAT_A_MAX: number of attributes.
 */
enum memdisp_xlat_attr {
	MEMDISP_XLAT_A_UNSPEC,
	MEMDISP_XLAT_A_STATUS,
	MEMDISP_XLAT_A_TYPE,
	MEMDISP_XLAT_A_REGION_ID,
	MEMDISP_XLAT_A_OFFSET,
	MEMDISP_XLAT_A_LEN,
	MEMDISP_XLAT_A_PERM,
	MEMDISP_XLAT_A_HVA,
	MEMDISP_XLAT_A_AS_ID,
	MEMDISP_XLAT_A_ADDR,
	MEMDISP_XLAT_A_IOMMU_ID,
	MEMDISP_XLAT_A_IOVA,
	MEMDISP_XLAT_A_DEPTH,
	MEMDISP_XLAT_A_SEC_FLAGS,

	__MEMDISP_XLAT_A_MAX
};
#define MEMDISP_XLAT_A_MAX (__MEMDISP_XLAT_A_MAX - 1)

/**
 * enum memdisp_stats_attr - attributes inside %MEMDISP_A_STATS (all u64)
 * @MEMDISP_STATS_A_UNSPEC: unused.
 * @MEMDISP_STATS_A_LOOKUPS: translations performed (netlink and in-kernel).
 * @MEMDISP_STATS_A_IOTLB_HITS: IOTLB lookups that found an entry.
 * @MEMDISP_STATS_A_IOTLB_MISSES: IOTLB lookups that found none.
 * @MEMDISP_STATS_A_MISS_EVENTS: IOTLB miss events sent.
 * @MEMDISP_STATS_A_MISS_DROPPED: misses whose event could not be queued.
 * @MEMDISP_STATS_A_LIVE_AS: address spaces alive (including those only
 *	kept by references).
 * @MEMDISP_STATS_A_LIVE_MAPS: maps allocated (published or awaiting their
 *	grace period).
 * @MEMDISP_STATS_A_LIVE_IOMMUS: IOMMUs alive.
 * @MEMDISP_STATS_A_LIVE_IOTLB: IOTLB entries alive.
 * @MEMDISP_STATS_A_LIVE_TXNS: open transactions.
 * @MEMDISP_STATS_A_PUBLISHES: maps published.
 * @__MEMDISP_STATS_A_MAX: number of attributes.
 */
enum memdisp_stats_attr {
	MEMDISP_STATS_A_UNSPEC,
	MEMDISP_STATS_A_LOOKUPS,
	MEMDISP_STATS_A_IOTLB_HITS,
	MEMDISP_STATS_A_IOTLB_MISSES,
	MEMDISP_STATS_A_MISS_EVENTS,
	MEMDISP_STATS_A_MISS_DROPPED,
	MEMDISP_STATS_A_LIVE_AS,
	MEMDISP_STATS_A_LIVE_MAPS,
	MEMDISP_STATS_A_LIVE_IOMMUS,
	MEMDISP_STATS_A_LIVE_IOTLB,
	MEMDISP_STATS_A_LIVE_TXNS,
	MEMDISP_STATS_A_PUBLISHES,

	__MEMDISP_STATS_A_MAX
};
#define MEMDISP_STATS_A_MAX (__MEMDISP_STATS_A_MAX - 1)

#endif /* _UAPI_LINUX_MEMDISP_H */
