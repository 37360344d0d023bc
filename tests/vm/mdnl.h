/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdnl.h - a small synchronous client of the memdisp generic netlink family
 * for the in-VM tests (libnl-genl-3, linked statically).
 */
#ifndef MDNL_H
#define MDNL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <linux/memdisp.h>

/**
 * struct md_sec - one section as the tests build it
 */
struct md_sec {
	uint64_t start, last;
	uint32_t type, flags;
	uint64_t region_id, offset, hva;
	uint32_t iommu_id;
};

/**
 * struct md_xlat - a decoded %MEMDISP_A_XLAT reply
 */
struct md_xlat {
	uint32_t status, type, perm, depth, as_id, iommu_id, sec_flags;
	uint64_t region_id, offset, len, hva, addr, iova;
	bool has_type, has_hva;
};

/**
 * struct md_reply - what the tests read back from a reply
 */
struct md_reply {
	uint32_t as_id, txn_id, iommu_id, nr_sections, as_flags;
	uint64_t generation;
	bool has_as_id;
	struct md_xlat xlat;
	bool has_xlat;
	uint64_t stats[MEMDISP_STATS_A_MAX + 1];
	bool has_stats;
	/* dumps */
	unsigned int nmsgs;
	unsigned int nsecs_seen;
	unsigned int nhva_seen;
	bool saw_as_id_match;
	uint32_t match_as_id;
};

/**
 * struct md - one netlink socket bound to the memdisp family
 */
struct md {
	struct nl_sock *sk;
	int family;
	char ext[256];
};

int md_open(struct md *m);
void md_close(struct md *m);
struct nl_msg *md_msg(struct md *m, uint8_t cmd, int flags);
struct nl_msg *md_msg_sz(struct md *m, uint8_t cmd, int flags, size_t size);
int md_put_sec(struct nl_msg *msg, const struct md_sec *s);
int md_call(struct md *m, struct nl_msg *msg, struct md_reply *r);

int md_as_new(struct md *m, const char *name, uint32_t flags, uint32_t *id);
int md_as_del(struct md *m, uint32_t id);
int md_as_get(struct md *m, uint32_t id, struct md_reply *r);
int md_as_dump(struct md *m, uint32_t look_for, struct md_reply *r);
int md_map_set(struct md *m, uint32_t id, uint64_t base,
	       const struct md_sec *s, unsigned int n, uint64_t *newgen);
int md_map_chunked(struct md *m, uint32_t id, uint64_t base,
		   const struct md_sec *s, unsigned int n, unsigned int per,
		   uint64_t *newgen);
int md_map_get(struct md *m, uint32_t id, struct md_reply *r);
int md_translate(struct md *m, uint32_t id, uint64_t addr, uint64_t len,
		 bool write, struct md_xlat *x);
int md_translate_batch(struct md *m, uint32_t id, unsigned int n,
		       const uint64_t *addr, const uint64_t *len,
		       struct md_xlat *out, int *err);
int md_stats(struct md *m, uint64_t *stats);

#endif
