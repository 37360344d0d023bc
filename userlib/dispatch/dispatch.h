/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dispatch.h: libmemdisp's access engine (internal API).
 *
 * Four self-contained pieces the region and address-space code build on:
 *
 *  - memops.c:    memory_region_dispatch_read/write semantics for a region
 *                 with MemoryRegionOps (validity, splitting, endianness,
 *                 re-entrancy guard), as QEMU 7.2 + 8.1's guard;
 *  - ioeventfd.c: the per-region ioeventfd table and QEMU's userspace
 *                 matching of a write against it;
 *  - dirty.c:     dirty-log bitmaps of one RAM block for the three clients;
 *  - bounce.c:    the bounded bounce-buffer pool behind address_space_map
 *                 with map-client retry notification.
 *
 * None of these knows about MemoryRegion or FlatView: the caller passes
 * the pieces of the region they need, so the engine can be tested (and
 * fuzzed) without the tree code.
 */
#ifndef MEMDISP_DISPATCH_H
#define MEMDISP_DISPATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md-compat.h"

/* ---------------------------------------------------------------------- */
/* memops.c: the MemoryRegionOps access engine                            */
/* ---------------------------------------------------------------------- */

/**
 * memdisp_set_target_big_endian() - choose what DEVICE_NATIVE_ENDIAN means
 * @big: true for a big-endian guest, false (the default) for little-endian
 *
 * The library is not compiled per target: DEVICE_NATIVE_ENDIAN regions and
 * native-endian accessors follow this process-wide setting, read at every
 * access.  Set it once before the guest runs.
 */
void memdisp_set_target_big_endian(bool big);

/**
 * memdisp_target_big_endian() - the current target endianness setting
 *
 * Return: true when DEVICE_NATIVE_ENDIAN currently means big-endian.
 */
bool memdisp_target_big_endian(void);

/**
 * memdisp_endian_is_big() - resolve a device_endian to big (true) or little
 * @end: DEVICE_LITTLE_ENDIAN, DEVICE_BIG_ENDIAN or DEVICE_NATIVE_ENDIAN
 *
 * An out-of-range value is treated as DEVICE_NATIVE_ENDIAN, like QEMU's
 * default case.
 *
 * Return: true when @end is big-endian now.
 */
bool memdisp_endian_is_big(enum device_endian end);

/**
 * memdisp_endian_convert() - re-express an access value in another byte order
 * @val:  the value, its low @size bytes significant
 * @size: 1, 2, 4 or 8
 * @from: byte order @val is expressed in
 * @to:   byte order wanted
 *
 * The region code uses it to turn an ioeventfd's match value from target
 * order into the device's order when the eventfd is added (QEMU does the
 * same in memory_region_add_eventfd).
 *
 * Return: @val byte-swapped over @size bytes when the two orders differ,
 * else @val; in both cases the bits above @size bytes cleared.
 */
uint64_t memdisp_endian_convert(uint64_t val, unsigned size,
				enum device_endian from, enum device_endian to);

/* Flags of struct memdisp_ops_target. */
enum {
	/*
	 * The re-entrancy guard does not apply: the region is RAM, a RAM
	 * device, a ROM device or readonly (QEMU's exemptions), or its
	 * owner disabled the guard (QEMU's disable_reentrancy_guard).
	 */
	MEMDISP_OPS_NO_GUARD = 1U << 0,
};

struct memdisp_ioeventfd_table;

/**
 * struct memdisp_ops_target - what the engine needs to know about a region
 * @ops:       the region's callbacks and constraints (never NULL)
 * @opaque:    passed to every callback
 * @guard_key: identity of the device for the re-entrancy guard: the
 *             region's owner (QEMU keys the guard on the owning device, so
 *             a callback touching any region of the same device is
 *             refused), or the region itself when it has no owner; NULL
 *             disables the guard
 * @flags:     MEMDISP_OPS_* flags
 * @ioeventfds: the region's ioeventfds, matched on writes; may be NULL.
 *             Read under the caller's RCU read-side critical section.
 * @name:      region name for the one-line guest-error log (may be NULL)
 */
struct memdisp_ops_target {
	const MemoryRegionOps *ops;
	void *opaque;
	const void *guard_key;
	unsigned int flags;
	struct memdisp_ioeventfd_table *ioeventfds;
	const char *name;
};

/**
 * memdisp_ops_access_valid() - QEMU's memory_region_access_valid()
 * @t:        the region
 * @addr:     offset within the region
 * @size:     access size in bytes
 * @is_write: direction
 * @attrs:    transaction attributes
 *
 * Calls @t->ops->valid.accepts when present, then checks alignment unless
 * valid.unaligned, then the valid.min/max_access_size bounds whenever
 * valid.max_access_size is non-zero, with or without an accepts callback
 * (the CVE-2020-13754 fix).  A size other than 1, 2, 4 or 8 is invalid.
 *
 * Return: true when the region accepts the access.
 */
bool memdisp_ops_access_valid(const struct memdisp_ops_target *t, hwaddr addr,
			      unsigned size, bool is_write, MemTxAttrs attrs);

/**
 * memdisp_ops_direct_sizes() - access sizes that reach one plain callback
 * @ops:      the region's ops
 * @is_write: direction
 *
 * For a size in the returned mask (1, 2, 4 and 8 as bits of themselves),
 * an aligned access of that size passes memdisp_ops_access_valid() and is
 * one call of @ops->read (@ops->write) with that size: a plain callback,
 * no valid.accepts hook, the size within valid and impl limits.  Such an
 * access may be made as one direct call, with the re-entrancy guard held
 * and the value converted from the device's byte order (and, for writes,
 * ioeventfds matched first): access.c does so for reads.
 *
 * Return: the mask, 0 when no size qualifies.
 */
unsigned int memdisp_ops_direct_sizes(const MemoryRegionOps *ops,
				      bool is_write);

/*
 * The re-entrancy guard of this thread (memops.c): the keys of the
 * devices whose callbacks are running, innermost last.  A direct callback
 * made at depth 0 holds the guard by storing its key in slot 0 and the
 * depth 1, and releases it by storing 0; at any other depth the caller
 * takes memdisp_ops_read(), which searches the stack.
 */
extern __thread const void *memdisp_guard_stack[]
	__attribute__((tls_model("initial-exec"), visibility("hidden")));
extern __thread unsigned int memdisp_guard_depth
	__attribute__((tls_model("initial-exec"), visibility("hidden")));

/**
 * memdisp_ops_read() - memory_region_dispatch_read() for an ops region
 * @t:         the region
 * @addr:      offset within the region
 * @pval:      where the value goes
 * @size:      1, 2, 4 or 8
 * @value_end: byte order the caller wants @pval in (QEMU 7.2's MemOp
 *             MO_BSWAP bit: DEVICE_HOST_ENDIAN for none, the other order
 *             with it; QEMU 2.x callers pass DEVICE_NATIVE_ENDIAN)
 * @attrs:     transaction attributes, passed to the callbacks
 *
 * A refused access (see memdisp_ops_access_valid()) reads 0 and returns
 * MEMTX_DECODE_ERROR without calling read.  Otherwise the access is split
 * into impl-sized pieces exactly as QEMU's access_with_adjusted_size(): the
 * piece size is @size clamped to [impl.min_access_size (0 = 1),
 * impl.max_access_size (0 = 4)], pieces go to consecutive addresses, and
 * their results are OR'ed into place, the first address holding the least
 * significant bits for a little-endian device and the most significant for
 * a big-endian one; then the value is byte-swapped when the device's order
 * differs from @value_end.  Results of all pieces are OR'ed together.
 * Like QEMU 7.2 to 10.x, impl.unaligned is not consulted: a valid
 * unaligned access reaches the callbacks at its unaligned offset.
 *
 * If the device is already inside a callback of the same @guard_key on
 * this thread, the read is refused with MEMTX_ACCESS_ERROR and reads 0.
 * So is an access nested inside callbacks of 32 other guarded devices
 * (a bound on the stack a guest can make a chain of devices use).
 *
 * Differences from QEMU, all where QEMU crashes or leaves garbage: bits
 * of *@pval above @size bytes are cleared; an ops table without any read
 * callback reads 0 with MEMTX_DECODE_ERROR; impl sizes that are not 1, 2,
 * 4 or 8 give MEMTX_ERROR without a callback.
 *
 * Return: MEMTX_OK or an OR of MEMTX_* error bits.
 */
MemTxResult memdisp_ops_read(const struct memdisp_ops_target *t, hwaddr addr,
			     uint64_t *pval, unsigned size,
			     enum device_endian value_end, MemTxAttrs attrs);

/**
 * memdisp_ops_write() - memory_region_dispatch_write() for an ops region
 * @t:         the region
 * @addr:      offset within the region
 * @data:      value, its low @size bytes significant (the rest ignored)
 * @size:      1, 2, 4 or 8
 * @value_end: byte order @data is expressed in (see memdisp_ops_read())
 * @attrs:     transaction attributes
 *
 * Validity as for reads (a refused write is dropped with
 * MEMTX_DECODE_ERROR).  The value is brought to the device's order, then
 * matched against @t->ioeventfds: a match signals that eventfd and returns
 * MEMTX_OK without calling the device (QEMU without an accelerator).
 * Otherwise the write is split like a read, each piece getting its part of
 * the value, under the re-entrancy guard (MEMTX_ACCESS_ERROR when
 * re-entered).
 *
 * Return: MEMTX_OK or an OR of MEMTX_* error bits.
 */
MemTxResult memdisp_ops_write(const struct memdisp_ops_target *t, hwaddr addr,
			      uint64_t data, unsigned size,
			      enum device_endian value_end, MemTxAttrs attrs);

/**
 * memdisp_ops_reentrancy_blocked() - number of accesses refused so far
 *
 * Counts every MEMTX_ACCESS_ERROR the guard returned in this process (the
 * first one also prints one warning line on stderr, as QEMU's
 * warn_report_once).
 */
unsigned long memdisp_ops_reentrancy_blocked(void);

/* ---------------------------------------------------------------------- */
/* mr_dispatch.c: the QEMU-named entry points on a MemoryRegion            */
/* ---------------------------------------------------------------------- */

#ifndef MEMDISP_DISPATCH_OWN_TYPES
/**
 * memory_region_access_valid() - would @mr accept this access? (QEMU 7.2)
 *
 * memdisp_ops_access_valid() on the region's ops.
 */
bool memory_region_access_valid(MemoryRegion *mr, hwaddr addr, unsigned size,
				bool is_write, MemTxAttrs attrs);

/**
 * memory_region_dispatch_read() - read through the region's callbacks
 * @mr:    an I/O (or ROM device) region; any other reads 0 with
 *         MEMTX_DECODE_ERROR, like QEMU's unassigned_mem_ops
 * @addr:  offset within @mr
 * @pval:  the value, in the byte order @op asks for
 * @op:    size (MO_8..MO_64) | MO_BSWAP for the order opposite the host's
 * @attrs: passed to the callbacks
 *
 * memdisp_ops_read() with the re-entrancy guard keyed on @mr's owner (or
 * @mr itself without one), exempt for RAM, RAM device, ROM device and
 * readonly regions.  Callers are the address-space access paths for
 * sections that are not direct RAM, and device models.
 */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
					uint64_t *pval, MemOp op,
					MemTxAttrs attrs);

/** memory_region_dispatch_write() - the write side (and ioeventfds) */
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
					 uint64_t data, MemOp op,
					 MemTxAttrs attrs);

/**
 * memdisp_devend_memop() - QEMU's devend_memop() at today's target setting
 *
 * The MO_BSWAP bit (or 0) that makes a dispatch use @end's byte order;
 * the native-endian accessors (address_space_ldl and friends) pass
 * MO_32 | memdisp_devend_memop(DEVICE_NATIVE_ENDIAN).
 */
MemOp memdisp_devend_memop(enum device_endian end);
#endif

/* ---------------------------------------------------------------------- */
/* ioeventfd.c: ioeventfds of one region                                  */
/* ---------------------------------------------------------------------- */

/**
 * struct memdisp_ioeventfd - one registered ioeventfd
 * @addr:       offset within the region
 * @size:       access size it matches (0: registered for listeners only,
 *              never matched here, as in QEMU without an accelerator)
 * @match_data: compare @data too
 * @data:       value in the device's byte order (see
 *              memdisp_endian_convert())
 * @fd:         the eventfd written to signal it
 * @cookie:     caller's identity for the notifier (QEMU's EventNotifier *)
 */
struct memdisp_ioeventfd {
	uint64_t addr;
	uint64_t size;
	bool match_data;
	uint64_t data;
	int fd;
	const void *cookie;
};

/**
 * struct memdisp_ioeventfd_table - the ioeventfds of one region
 *
 * Writers (add/del) are serialized by the caller (the library's tree
 * lock); readers (memdisp_ioeventfd_match(), memdisp_ops_write()) run in
 * liburcu read-side critical sections of the caller (the memb flavour) and
 * take no lock.  Each change publishes a new sorted array; the old one is
 * freed after a grace period: add, del and destroy wait for one
 * (synchronize_rcu), so they must not be called inside a read-side
 * critical section.  Reader threads must be registered with liburcu-memb.
 */
#ifndef MEMDISP_MR_IOEVENTFD_TABLE
/*
 * The public header may define this same struct (and the macro) to embed
 * a table in MemoryRegion; memory_region_dispatch_write() then matches it.
 */
struct memdisp_ioeventfd_table {
	struct memdisp_ioeventfd_array *cur;
};
#endif

/** memdisp_ioeventfd_table_init() - an empty table */
void memdisp_ioeventfd_table_init(struct memdisp_ioeventfd_table *tab);

/**
 * memdisp_ioeventfd_table_destroy() - free the table
 *
 * No reader may use it any more (waits for a grace period).
 */
void memdisp_ioeventfd_table_destroy(struct memdisp_ioeventfd_table *tab);

/**
 * memdisp_ioeventfd_add() - register an ioeventfd
 *
 * Entries are kept in QEMU's order (addr, size, match_data, data when
 * match_data, cookie), so the first match is QEMU's.
 *
 * Return: 0, -EEXIST for an identical entry, -EINVAL for a bad size
 * (not 0, 1, 2, 4 or 8) or range overflow, -ENOMEM.
 */
int memdisp_ioeventfd_add(struct memdisp_ioeventfd_table *tab,
			  const struct memdisp_ioeventfd *fd);

/**
 * memdisp_ioeventfd_del() - unregister the entry equal to @fd
 *
 * Return: 0 or -ENOENT.
 */
int memdisp_ioeventfd_del(struct memdisp_ioeventfd_table *tab,
			  const struct memdisp_ioeventfd *fd);

/** memdisp_ioeventfd_count() - number of entries (writer side) */
unsigned int memdisp_ioeventfd_count(const struct memdisp_ioeventfd_table *tab);

/**
 * memdisp_ioeventfd_match() - find the ioeventfd a write triggers
 * @tab:  the table (may be NULL)
 * @addr: offset within the region
 * @size: access size
 * @data: written value in the device's byte order
 *
 * Caller holds the RCU read lock.  QEMU's rule: same addr, same size, and
 * same data when the entry has match_data.
 *
 * Return: the matching entry's eventfd, or -1.
 */
int memdisp_ioeventfd_match(const struct memdisp_ioeventfd_table *tab,
			    uint64_t addr, unsigned size, uint64_t data);

/**
 * memdisp_ioeventfd_signal() - signal a matched eventfd (adds 1)
 *
 * Return: 0 or -errno (EAGAIN when the counter would overflow is ignored:
 * the reader has not consumed earlier events yet).
 */
int memdisp_ioeventfd_signal(int fd);

/* ---------------------------------------------------------------------- */
/* dirty.c: dirty-log bitmaps of one RAM block                            */
/* ---------------------------------------------------------------------- */

/* QEMU's dirty-memory clients (exec/ramlist.h), same numbers. */
enum memdisp_dirty_client {
	MEMDISP_DIRTY_VGA = 0,
	MEMDISP_DIRTY_CODE = 1,
	MEMDISP_DIRTY_MIGRATION = 2,
	MEMDISP_DIRTY_NUM = 3,
};

#define MEMDISP_DIRTY_ALL_CLIENTS	((1U << MEMDISP_DIRTY_NUM) - 1)
#define MEMDISP_DIRTY_DEFAULT_PAGE	4096U

/**
 * struct memdisp_dirty_log - per-page dirty bits of one RAM block
 * @max_length: bytes covered (a resizeable block's max size, so resizing
 *              never reallocates under concurrent setters)
 * @page_shift: log2 of the page size
 * @npages:     pages covered
 * @bitmap:     one bitmap per client, bit n = page n
 *
 * Offsets are byte offsets within the RAM block (QEMU's ram_addr_t minus
 * the block's offset).  Every operation is lock-free and safe from any
 * number of threads at once: setters use atomic OR (skipped when the bit
 * is already set, so hot pages do not bounce cache lines), test-and-clear
 * uses atomic exchange, so a bit set concurrently with a clear is either
 * reported by the clear or still set afterwards, never lost.
 * Ranges are clipped to @max_length; an empty range does nothing.
 */
struct memdisp_dirty_log {
	uint64_t max_length;
	unsigned int page_shift;
	uint64_t npages;
	unsigned long *bitmap[MEMDISP_DIRTY_NUM];
};

/**
 * memdisp_dirty_init() - allocate clean bitmaps for @max_length bytes
 * @log:        the log
 * @max_length: bytes of the block (may be 0)
 * @page_size:  a power of two from 1 to 2^30, or 0 for 4 KiB
 *
 * Return: 0, -EINVAL for a bad page size, -ENOMEM (also when a bitmap
 * would exceed 64 GiB).
 */
int memdisp_dirty_init(struct memdisp_dirty_log *log, uint64_t max_length,
		       unsigned int page_size);

/** memdisp_dirty_destroy() - free the bitmaps (no concurrent user left) */
void memdisp_dirty_destroy(struct memdisp_dirty_log *log);

/** memdisp_dirty_page_size() - the page size in bytes */
static inline uint64_t memdisp_dirty_page_size(const struct memdisp_dirty_log *log)
{
	return 1ULL << log->page_shift;
}

/**
 * memdisp_dirty_set() - mark the pages of [@start, @start + @length) dirty
 * @clients: bit mask of clients (1 << MEMDISP_DIRTY_*); the write path
 *           passes the region's dirty_log_mask, QEMU's
 *           cpu_physical_memory_set_dirty_range()
 */
void memdisp_dirty_set(struct memdisp_dirty_log *log, uint64_t start,
		       uint64_t length, unsigned int clients);

/**
 * memdisp_dirty_get() - memory_region_get_dirty(): any page of the range dirty?
 */
bool memdisp_dirty_get(const struct memdisp_dirty_log *log, uint64_t start,
		       uint64_t length, enum memdisp_dirty_client client);

/**
 * memdisp_dirty_all() - every page of the range dirty? (cpu_physical_memory_all_dirty)
 */
bool memdisp_dirty_all(const struct memdisp_dirty_log *log, uint64_t start,
		       uint64_t length, enum memdisp_dirty_client client);

/**
 * memdisp_dirty_test_and_clear() - clear the range's bits for @client
 *
 * Return: true when any of them was set (QEMU's
 * memory_region_test_and_clear_dirty()).
 */
bool memdisp_dirty_test_and_clear(struct memdisp_dirty_log *log,
				  uint64_t start, uint64_t length,
				  enum memdisp_dirty_client client);

/**
 * memdisp_dirty_reset() - memory_region_reset_dirty(): clear without testing
 */
void memdisp_dirty_reset(struct memdisp_dirty_log *log, uint64_t start,
			 uint64_t length, enum memdisp_dirty_client client);

/**
 * memdisp_dirty_snapshot_and_clear() - copy and clear a range's bits
 * @out:     receives one bit per page of the range, page of @start first
 *           (caller sizes it: memdisp_dirty_snapshot_words())
 *
 * QEMU's memory_region_snapshot_and_clear_dirty() for VGA-style
 * consumers that scan a snapshot while the guest keeps writing.
 *
 * Return: number of dirty pages in the snapshot.
 */
uint64_t memdisp_dirty_snapshot_and_clear(struct memdisp_dirty_log *log,
					  uint64_t start, uint64_t length,
					  enum memdisp_dirty_client client,
					  unsigned long *out);

/** memdisp_dirty_snapshot_words() - words of @out for a range */
uint64_t memdisp_dirty_snapshot_words(const struct memdisp_dirty_log *log,
				      uint64_t start, uint64_t length);

/** memdisp_dirty_count() - dirty pages of @client in the whole block */
uint64_t memdisp_dirty_count(const struct memdisp_dirty_log *log,
			     enum memdisp_dirty_client client);

/* ---------------------------------------------------------------------- */
/* bounce.c: bounce buffers for address_space_map of non-RAM              */
/* ---------------------------------------------------------------------- */

/**
 * struct memdisp_map_client - QEMU's cpu_register_map_client() entry
 * @retry:  called once when a bounce buffer frees (or at once when
 *          registering while space is free); it runs on the thread that
 *          released the buffer with the pool's (recursive) lock held, so
 *          once memdisp_bounce_unregister_client() returns it is never
 *          called; it may call any memdisp_bounce_* function of the pool
 *          (register itself again, get a buffer) but should be short:
 *          QEMU's equivalent only schedules a bottom half
 * @opaque: passed to @retry
 */
struct memdisp_map_client {
	void (*retry)(void *opaque);
	void *opaque;
	/* private */
	struct memdisp_map_client *next, *prev;
	bool registered;
};

/**
 * struct memdisp_bounce_pool - bounded bytes of bounce buffers
 *
 * QEMU 7.2 has one page-sized global bounce buffer; QEMU 9 bounds the
 * bytes per address space (max-bounce-buffer-size, default 4096) and
 * grants a shorter buffer when less is left.  This pool does the latter:
 * a guest mapping non-RAM cannot make the process allocate more than
 * @limit bytes per pool.
 */
struct memdisp_bounce_pool {
	size_t limit;
	size_t used;		/* atomic */
	pthread_mutex_t lock;
	struct memdisp_map_client clients;	/* list head */
};

/**
 * struct memdisp_bounce - a granted buffer; @data is what map returns
 * @pool:   its pool
 * @len:    usable bytes of @data
 * @addr:   free for the caller (QEMU keeps the mapped address here)
 * @mr:     free for the caller (QEMU keeps a reference to the region)
 * @attrs:  free for the caller
 * @is_write: free for the caller
 */
struct memdisp_bounce {
	uint64_t magic;
	struct memdisp_bounce_pool *pool;
	size_t len;
	uint64_t addr;
	void *mr;
	MemTxAttrs attrs;
	bool is_write;
	unsigned char data[] __attribute__((aligned(64)));
};

/** Default byte limit of a pool (QEMU 9's default per address space). */
#define MEMDISP_BOUNCE_DEFAULT_LIMIT	4096U

/**
 * memdisp_bounce_pool_init() - an empty pool of at most @limit bytes
 * @limit: 0 for MEMDISP_BOUNCE_DEFAULT_LIMIT
 */
void memdisp_bounce_pool_init(struct memdisp_bounce_pool *pool, size_t limit);

/**
 * memdisp_bounce_pool_destroy() - tear down; no buffer may be outstanding
 *
 * Return: 0, or -EBUSY when buffers are still out (nothing is freed).
 */
int memdisp_bounce_pool_destroy(struct memdisp_bounce_pool *pool);

/**
 * memdisp_bounce_get() - take up to @want bytes of bounce buffer
 *
 * Lock-free against other getters.  Grants min(@want, bytes left); with
 * nothing left (or @want == 0) returns NULL and the caller reports a
 * zero-length map, registering a map client to retry.
 *
 * Return: a zeroed buffer of ->len bytes at ->data, or NULL.
 */
struct memdisp_bounce *memdisp_bounce_get(struct memdisp_bounce_pool *pool,
					  size_t want);

/**
 * memdisp_bounce_put() - give a buffer back and notify waiting map clients
 *
 * Every registered client is unregistered and its retry called (QEMU's
 * address_space_notify_map_clients()).
 */
void memdisp_bounce_put(struct memdisp_bounce *b);

/**
 * memdisp_bounce_from_data() - the buffer whose ->data is @p, or NULL
 *
 * For unmap: only valid for pointers that are not RAM (check RAM first);
 * recognizes the buffer by a magic tag.
 */
struct memdisp_bounce *memdisp_bounce_from_data(void *p);

/**
 * memdisp_bounce_register_client() - cpu_register_map_client()
 *
 * When the pool has free bytes now, the client is called at once (and not
 * kept); otherwise it waits for the next memdisp_bounce_put().
 * Registering a client that is already registered does nothing.
 */
void memdisp_bounce_register_client(struct memdisp_bounce_pool *pool,
				    struct memdisp_map_client *c);

/** memdisp_bounce_unregister_client() - cpu_unregister_map_client() */
void memdisp_bounce_unregister_client(struct memdisp_bounce_pool *pool,
				      struct memdisp_map_client *c);

/** memdisp_bounce_in_use() - bytes currently granted */
size_t memdisp_bounce_in_use(struct memdisp_bounce_pool *pool);

#endif /* MEMDISP_DISPATCH_H */
