// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kmirror.c - mirror AddressSpaces into memdisp.ko over generic netlink
 *
 * One MemoryListener per mirrored address space collects the sections a
 * commit removed and added and publishes them in its commit callback as one
 * MAP_DELTA (or, when the change is large or something went wrong, the
 * whole view as MAP_SET / MAP_BEGIN+CHUNK+COMMIT).  Requests go out on one
 * libnl socket; the replies are read with recv() on its descriptor so that
 * the kernel's real errno and extended-ACK message reach the caller
 * (libnl folds errnos into its own codes and drops the extack).  Events
 * (IOTLB misses, map changes) arrive on a second socket joined to the
 * family's multicast group.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include <memdisp/memory.h>
#include <memdisp/kernel.h>
#include "../uapi/linux/memdisp.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Socket buffers: big enough for a 1M-section push's acks and events. */
#define MK_SOCK_BUF	(8 << 20)
/* Largest reply datagram we accept (dumps use at most 32 KiB). */
#define MK_RECV_BUF	(128 << 10)
/* Sections per MAP_SET / MAP_CHUNK message (~80 bytes each). */
#define MK_CHUNK	1024
/* Bytes on the wire per added section / removed range (upper bounds). */
#define MK_SEC_BYTES	96
#define MK_DEL_BYTES	32
/* Largest MAP_DELTA we send (fits net.core.wmem_max's default). */
#define MK_DELTA_MAX	(160 << 10)

struct mk_sec {
	uint64_t start, last;
	uint32_t type, flags;
	uint64_t region_id, offset, hva;
	uint32_t iommu_id;
};

struct mk_range {
	uint64_t start, last;
};

struct mk_iommu {
	IOMMUMemoryRegion *mr;
	AddressSpace *target;	/* explicit target (before creation) */
	uint32_t id;		/* kernel id, 0 until created */
	IOMMUNotifier n;
	bool registered;
	struct mk_iommu *next;
};

struct MemdispKernelAS {
	MemoryListener listener;
	AddressSpace *as;
	char name[MEMDISP_NAME_MAX];
	uint32_t id;
	uint64_t gen;
	uint64_t nsec;		/* sections in the kernel's map */
	bool need_resync;
	bool detaching;
	Error *err;		/* last failure, until a push succeeds */
	struct mk_range *dels;
	size_t ndels, cdels;
	struct mk_sec *adds;
	size_t nadds, cadds;
	MemdispKernelAS *next;
};

/*
 * Unmapped IOVAs we left pending.  The kernel keeps a pending miss in one of
 * a few per-IOMMU slots until an IOTLB message touches its page; to keep
 * slots free for new misses, the oldest is released (IOTLB_INVAL of its
 * page) once this many are pending.
 */
#define MK_UNMAPPED_MAX	16

static struct {
	struct nl_sock *sk;	/* requests */
	struct nl_sock *ev;	/* events */
	int family;
	unsigned char *buf;
	MemdispKernelAS *list;
	struct mk_iommu *iommus;
	struct memdisp_kernel_stats st;
	struct { uint32_t iommu; uint64_t page; } unmapped[MK_UNMAPPED_MAX];
	unsigned int nunmapped, unmapped_head;
} mk;

/* ---------------------------------------------------------------------- */
/* Netlink plumbing. */

struct mk_reply {
	int (*cb)(struct nlmsghdr *h, void *arg);
	void *arg;
};

static void mk_set_sock_opts(struct nl_sock *sk)
{
	int fd = nl_socket_get_fd(sk), one = 1, sz = MK_SOCK_BUF;

	nl_socket_set_buffer_size(sk, MK_SOCK_BUF, MK_SOCK_BUF);
	/* Beyond net.core.[rw]mem_max when privileged; harmless otherwise. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	nl_socket_disable_msg_peek(sk);
	nl_socket_set_msg_buf_size(sk, MK_RECV_BUF);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Acks need not echo our (possibly huge) requests. */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

/* The extack message of an NLMSG_ERROR, or NULL. */
static const char *mk_extack(struct nlmsghdr *h)
{
	struct nlmsgerr *e = nlmsg_data(h);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);
	int len;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)h->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return NULL;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      len, NULL) < 0 || !tb[NLMSGERR_ATTR_MSG])
		return NULL;
	return nla_get_string(tb[NLMSGERR_ATTR_MSG]);
}

static const char *mk_cmd_name(uint8_t cmd)
{
	static const char *const names[] = {
		[MEMDISP_CMD_AS_NEW] = "AS_NEW",
		[MEMDISP_CMD_AS_DEL] = "AS_DEL",
		[MEMDISP_CMD_AS_GET] = "AS_GET",
		[MEMDISP_CMD_MAP_SET] = "MAP_SET",
		[MEMDISP_CMD_MAP_BEGIN] = "MAP_BEGIN",
		[MEMDISP_CMD_MAP_CHUNK] = "MAP_CHUNK",
		[MEMDISP_CMD_MAP_COMMIT] = "MAP_COMMIT",
		[MEMDISP_CMD_MAP_ABORT] = "MAP_ABORT",
		[MEMDISP_CMD_MAP_DELTA] = "MAP_DELTA",
		[MEMDISP_CMD_MAP_GET] = "MAP_GET",
		[MEMDISP_CMD_IOMMU_NEW] = "IOMMU_NEW",
		[MEMDISP_CMD_IOMMU_DEL] = "IOMMU_DEL",
		[MEMDISP_CMD_IOTLB_UPDATE] = "IOTLB_UPDATE",
		[MEMDISP_CMD_IOTLB_INVAL] = "IOTLB_INVAL",
		[MEMDISP_CMD_IOTLB_FLUSH] = "IOTLB_FLUSH",
		[MEMDISP_CMD_TRANSLATE] = "TRANSLATE",
		[MEMDISP_CMD_STATS_GET] = "STATS_GET",
	};

	if (cmd < sizeof(names) / sizeof(names[0]) && names[cmd])
		return names[cmd];
	return "?";
}

static struct nl_msg *mk_msg_sized(uint8_t cmd, int flags, size_t size)
{
	struct nl_msg *msg = nlmsg_alloc_size(size);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, mk.family, 0,
			 flags | NLM_F_ACK, cmd, MEMDISP_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *mk_msg(uint8_t cmd, int flags)
{
	return mk_msg_sized(cmd, flags, MK_RECV_BUF);
}

/* Send @msg (freed); return its sequence number or -errno. */
static long mk_send(struct nl_msg *msg)
{
	long seq;
	int ret;

	nl_complete_msg(mk.sk, msg);
	seq = nlmsg_hdr(msg)->nlmsg_seq;
	ret = nl_send(mk.sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		return ret == -NLE_MSGSIZE ? -EMSGSIZE : -EIO;
	return seq;
}

/*
 * Read until the ack (or error, or end of dump) of @seq; hand every reply
 * message of @seq to @r.  Return 0 or -errno, with @errp set on failure.
 */
static int mk_wait(long seq, uint8_t cmd, const char *who,
		   const struct mk_reply *r, Error **errp)
{
	int fd = nl_socket_get_fd(mk.sk);

	for (;;) {
		struct nlmsghdr *h;
		ssize_t n;
		int len;

		n = recv(fd, mk.buf, MK_RECV_BUF, 0);
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			error_setg_errno(errp, e, "memdisp: %s for '%s': receive",
					 mk_cmd_name(cmd), who);
			return -e;
		}
		len = (int)n;
		for (h = (struct nlmsghdr *)mk.buf; nlmsg_ok(h, len);
		     h = nlmsg_next(h, &len)) {
			if ((long)h->nlmsg_seq != seq)
				continue;	/* stale reply of an old request */
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = nlmsg_data(h);
				const char *ext;

				if (!e->error)
					return 0;
				ext = mk_extack(h);
				error_setg(errp,
					   "memdisp: %s for '%s' failed: %s%s%s%s",
					   mk_cmd_name(cmd), who,
					   strerror(-e->error),
					   ext ? " (kernel: " : "",
					   ext ? ext : "", ext ? ")" : "");
				return e->error;
			}
			if (h->nlmsg_type == mk.family && r && r->cb) {
				int ret = r->cb(h, r->arg);

				if (ret < 0) {
					error_setg(errp,
						   "memdisp: %s for '%s': malformed reply",
						   mk_cmd_name(cmd), who);
					return ret;
				}
			}
		}
	}
}

/* One request, one round trip. */
static int mk_request(struct nl_msg *msg, const char *who,
		      const struct mk_reply *r, Error **errp)
{
	uint8_t cmd = ((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->cmd;
	long seq = mk_send(msg);
	int ret;

	if (seq < 0) {
		error_setg_errno(errp, (int)-seq, "memdisp: %s for '%s': send",
				 mk_cmd_name(cmd), who);
		ret = (int)seq;
	} else {
		ret = mk_wait(seq, cmd, who, r, errp);
	}
	if (ret < 0)
		mk.st.failures++;
	return ret;
}

/* Parse a genl reply's top-level attributes. */
static int mk_parse(struct nlmsghdr *h, struct nlattr **tb)
{
	return genlmsg_parse(h, 0, tb, MEMDISP_A_MAX, NULL);
}

static int mk_open(Error **errp)
{
	int grp, ret;

	if (mk.sk)
		return 0;
	mk.buf = malloc(MK_RECV_BUF);
	mk.sk = nl_socket_alloc();
	mk.ev = nl_socket_alloc();
	if (!mk.buf || !mk.sk || !mk.ev) {
		error_setg(errp, "memdisp: out of memory opening netlink");
		goto fail;
	}
	ret = genl_connect(mk.sk);
	if (ret < 0) {
		error_setg(errp, "memdisp: cannot open a generic netlink socket: %s",
			   nl_geterror(ret));
		goto fail;
	}
	mk_set_sock_opts(mk.sk);
	mk.family = genl_ctrl_resolve(mk.sk, MEMDISP_GENL_NAME);
	if (mk.family < 0) {
		error_setg(errp,
			   "memdisp: the kernel module memdisp.ko is not loaded (generic netlink family '%s' not found); the library keeps working in userspace",
			   MEMDISP_GENL_NAME);
		goto fail;
	}
	grp = genl_ctrl_resolve_grp(mk.sk, MEMDISP_GENL_NAME,
				    MEMDISP_MCGRP_EVENTS);
	ret = genl_connect(mk.ev);
	if (grp < 0 || ret < 0) {
		error_setg(errp, "memdisp: cannot join the '%s' event group: %s",
			   MEMDISP_MCGRP_EVENTS, nl_geterror(grp < 0 ? grp : ret));
		goto fail;
	}
	mk_set_sock_opts(mk.ev);
	nl_socket_disable_seq_check(mk.ev);
	ret = nl_socket_add_membership(mk.ev, grp);
	if (ret < 0) {
		error_setg(errp, "memdisp: cannot join the '%s' event group: %s",
			   MEMDISP_MCGRP_EVENTS, nl_geterror(ret));
		goto fail;
	}
	nl_socket_set_nonblocking(mk.ev);
	return 0;
fail:
	if (mk.sk)
		nl_socket_free(mk.sk);
	if (mk.ev)
		nl_socket_free(mk.ev);
	free(mk.buf);
	mk.sk = mk.ev = NULL;
	mk.buf = NULL;
	return -1;
}

static void mk_close(void)
{
	struct mk_iommu *io, *next;

	for (io = mk.iommus; io; io = next) {
		next = io->next;
		if (io->registered)
			memory_region_unregister_iommu_notifier(MEMORY_REGION(io->mr),
								&io->n);
		free(io);
	}
	mk.iommus = NULL;
	mk.nunmapped = 0;
	/* Closing the socket makes the kernel drop all we created. */
	nl_socket_free(mk.sk);
	nl_socket_free(mk.ev);
	free(mk.buf);
	mk.sk = mk.ev = NULL;
	mk.buf = NULL;
}

/* ---------------------------------------------------------------------- */
/* Sections. */

uint32_t memdisp_kernel_map_kind(MemoryRegion *mr)
{
	if (mr->is_iommu)
		return MEMDISP_SEC_IOMMU;
	if (mr->rom_device)
		return mr->romd_mode ? MEMDISP_SEC_ROMD : MEMDISP_SEC_MMIO;
	if (mr->ram)
		return mr->readonly ? MEMDISP_SEC_ROM : MEMDISP_SEC_RAM;
	return MEMDISP_SEC_MMIO;
}

static MemdispKernelAS *mk_find_as(AddressSpace *as)
{
	MemdispKernelAS *k;

	for (k = mk.list; k; k = k->next)
		if (k->as == as)
			return k;
	return NULL;
}

static struct mk_iommu *mk_iommu_lookup(IOMMUMemoryRegion *mr, bool create)
{
	struct mk_iommu *io;

	for (io = mk.iommus; io; io = io->next)
		if (io->mr == mr)
			return io;
	if (!create)
		return NULL;
	io = calloc(1, sizeof(*io));
	if (!io)
		return NULL;
	io->mr = mr;
	io->next = mk.iommus;
	mk.iommus = io;
	return io;
}

static void mk_iommu_notify(IOMMUNotifier *n, IOMMUTLBEntry *e);

static int mk_iommu_id_reply(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[MEMDISP_A_MAX + 1];

	if (mk_parse(h, tb) < 0 || !tb[MEMDISP_A_IOMMU_ID])
		return -EPROTO;
	*(uint32_t *)arg = nla_get_u32(tb[MEMDISP_A_IOMMU_ID]);
	return 0;
}

/* The kernel IOMMU of @mr's IOMMU region, created on first use; 0 on error. */
static uint32_t mk_iommu_get(MemoryRegion *mr, uint64_t first_iova,
			     Error **errp)
{
	IOMMUMemoryRegion *imr = memory_region_get_iommu(mr);
	const IOMMUMemoryRegionClass *cls;
	struct mk_reply r = { mk_iommu_id_reply, NULL };
	MemdispKernelAS *tk;
	struct mk_iommu *io;
	struct nl_msg *msg;
	AddressSpace *target;
	uint32_t id = 0;

	if (!imr) {
		error_setg(errp, "memdisp: '%s' is not an IOMMU region",
			   memory_region_name(mr));
		return 0;
	}
	io = mk_iommu_lookup(imr, true);
	if (!io) {
		error_setg(errp, "memdisp: out of memory");
		return 0;
	}
	if (io->id)
		return io->id;
	target = io->target;
	if (!target) {
		cls = IOMMU_MEMORY_REGION_GET_CLASS(imr);
		target = cls->translate(imr, first_iova, IOMMU_NONE, 0).target_as;
	}
	tk = target ? mk_find_as(target) : NULL;
	if (!tk) {
		error_setg(errp,
			   "memdisp: IOMMU region '%s' translates into address space '%s', which is not mirrored: attach it first",
			   memory_region_name(mr),
			   target && target->name ? target->name : "(none)");
		return 0;
	}
	msg = mk_msg(MEMDISP_CMD_IOMMU_NEW, 0);
	if (!msg || nla_put_u32(msg, MEMDISP_A_AS_ID, tk->id) < 0) {
		nlmsg_free(msg);
		error_setg(errp, "memdisp: out of memory");
		return 0;
	}
	r.arg = &id;
	if (mk_request(msg, memory_region_name(mr), &r, errp) < 0)
		return 0;
	io->id = id;
	io->target = target;
	if (!io->registered) {
		iommu_notifier_init(&io->n, mk_iommu_notify,
				    IOMMU_NOTIFIER_IOTLB_EVENTS, 0, UINT64_MAX,
				    0);
		if (memory_region_register_iommu_notifier(MEMORY_REGION(imr),
							  &io->n, NULL) == 0)
			io->registered = true;
	}
	return id;
}

/*
 * Fill @s for [@start, @last] of @mr.  Return 0, or -1 (@errp set) when an
 * IOMMU section cannot get a kernel IOMMU: the section is then left out and
 * translates as unassigned.
 */
static int mk_sec_fill(struct mk_sec *s, uint64_t start, uint64_t last,
		       MemoryRegion *mr, uint64_t offset, bool readonly,
		       bool romd, bool dirty, Error **errp)
{
	uint8_t *host;

	memset(s, 0, sizeof(*s));
	s->start = start;
	s->last = last;
	s->region_id = (uintptr_t)mr;
	s->offset = offset;
	s->type = memdisp_kernel_map_kind(mr);
	if (mr->rom_device)
		s->type = romd ? MEMDISP_SEC_ROMD : MEMDISP_SEC_MMIO;
	if (readonly)
		s->flags |= MEMDISP_SEC_F_READONLY;
	if (dirty)
		s->flags |= MEMDISP_SEC_F_DIRTY_LOG;
	if (mr->coalesced)
		s->flags |= MEMDISP_SEC_F_COALESCED;
	if (s->type == MEMDISP_SEC_IOMMU) {
		s->iommu_id = mk_iommu_get(mr, offset, errp);
		return s->iommu_id ? 0 : -1;
	}
	if (s->type != MEMDISP_SEC_MMIO) {
		host = memory_region_get_ram_ptr(mr);
		if (host)
			s->hva = (uintptr_t)(host + offset);
	}
	return 0;
}

static int mk_put_sec(struct nl_msg *msg, const struct mk_sec *s)
{
	struct nlattr *nest = nla_nest_start(msg, NLA_F_NESTED |
					     MEMDISP_A_SECTION);

	if (!nest ||
	    nla_put_u64(msg, MEMDISP_SEC_A_START, s->start) < 0 ||
	    nla_put_u64(msg, MEMDISP_SEC_A_LAST, s->last) < 0 ||
	    nla_put_u32(msg, MEMDISP_SEC_A_TYPE, s->type) < 0 ||
	    (s->flags && nla_put_u32(msg, MEMDISP_SEC_A_FLAGS, s->flags) < 0) ||
	    nla_put_u64(msg, MEMDISP_SEC_A_REGION_ID, s->region_id) < 0 ||
	    (s->offset && nla_put_u64(msg, MEMDISP_SEC_A_OFFSET, s->offset) < 0) ||
	    (s->hva && nla_put_u64(msg, MEMDISP_SEC_A_HVA, s->hva) < 0) ||
	    (s->iommu_id &&
	     nla_put_u32(msg, MEMDISP_SEC_A_IOMMU_ID, s->iommu_id) < 0))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int mk_sec_cmp(const void *a, const void *b)
{
	const struct mk_sec *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int mk_range_cmp(const void *a, const void *b)
{
	const struct mk_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* ---------------------------------------------------------------------- */
/* Publishing. */

static int mk_gen_reply(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[MEMDISP_A_MAX + 1];

	if (mk_parse(h, tb) < 0 || !tb[MEMDISP_A_GENERATION])
		return -EPROTO;
	*(uint64_t *)arg = nla_get_u64(tb[MEMDISP_A_GENERATION]);
	return 0;
}

static int mk_txn_reply(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[MEMDISP_A_MAX + 1];

	if (mk_parse(h, tb) < 0 || !tb[MEMDISP_A_TXN_ID])
		return -EPROTO;
	*(uint32_t *)arg = nla_get_u32(tb[MEMDISP_A_TXN_ID]);
	return 0;
}

struct mk_collect {
	struct mk_sec *v;
	size_t n, cap;
	bool oom;
	Error *err;	/* an IOMMU section left out */
};

static bool mk_collect_cb(const struct memdisp_flat_range *r, void *opaque)
{
	struct mk_collect *c = opaque;
	struct mk_sec s;
	Error *err = NULL;

	if (mk_sec_fill(&s, r->start, r->last, r->mr, r->offset_in_region,
			r->readonly, r->romd_mode,
			memory_region_get_dirty_log_mask(r->mr) != 0,
			&err) < 0) {
		if (!c->err)
			c->err = err;
		else
			error_free(err);
		return false;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct mk_sec *v = realloc(c->v, cap * sizeof(*v));

		if (!v) {
			c->oom = true;
			return true;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = s;
	return false;
}

/* Publish every section of @k's current view; base generation k->gen. */
static int mk_push_full(MemdispKernelAS *k, Error **errp)
{
	struct mk_collect c = { 0 };
	struct mk_reply gr = { mk_gen_reply, NULL }, tr = { mk_txn_reply, NULL };
	struct nl_msg *msg;
	uint64_t gen = 0;
	uint32_t txn = 0;
	size_t i, j;
	int ret;

	memdisp_flatview_walk(k->as, mk_collect_cb, &c);
	if (c.oom) {
		if (c.err)
			error_free(c.err);
		free(c.v);
		error_setg(errp, "memdisp: out of memory collecting the map");
		return -ENOMEM;
	}
	gr.arg = &gen;
	if (c.n <= MK_CHUNK) {
		msg = mk_msg(MEMDISP_CMD_MAP_SET, 0);
		ret = -ENOMEM;
		if (!msg || nla_put_u32(msg, MEMDISP_A_AS_ID, k->id) < 0 ||
		    nla_put_u64(msg, MEMDISP_A_GENERATION, k->gen) < 0)
			goto oom;
		for (i = 0; i < c.n; i++)
			if (mk_put_sec(msg, &c.v[i]) < 0)
				goto oom;
		ret = mk_request(msg, k->name, &gr, errp);
		msg = NULL;
	} else {
		long seq, last_seq = 0;

		msg = mk_msg(MEMDISP_CMD_MAP_BEGIN, 0);
		ret = -ENOMEM;
		if (!msg || nla_put_u32(msg, MEMDISP_A_AS_ID, k->id) < 0 ||
		    nla_put_u64(msg, MEMDISP_A_GENERATION, k->gen) < 0 ||
		    nla_put_u32(msg, MEMDISP_A_TXN_COUNT, (uint32_t)c.n) < 0)
			goto oom;
		tr.arg = &txn;
		ret = mk_request(msg, k->name, &tr, errp);
		msg = NULL;
		if (ret < 0)
			goto out;
		/* Pipeline the chunks and the commit; collect acks after. */
		for (i = 0;; i += MK_CHUNK) {
			bool commit = i >= c.n;

			msg = mk_msg(commit ? MEMDISP_CMD_MAP_COMMIT :
				     MEMDISP_CMD_MAP_CHUNK, 0);
			ret = -ENOMEM;
			if (!msg || nla_put_u32(msg, MEMDISP_A_AS_ID, k->id) < 0 ||
			    nla_put_u32(msg, MEMDISP_A_TXN_ID, txn) < 0)
				goto oom;
			for (j = i; !commit && j < c.n && j < i + MK_CHUNK; j++)
				if (mk_put_sec(msg, &c.v[j]) < 0)
					goto oom;
			seq = mk_send(msg);
			msg = NULL;
			if (seq < 0) {
				ret = (int)seq;
				error_setg_errno(errp, -ret,
						 "memdisp: map chunk for '%s': send",
						 k->name);
				mk.st.failures++;
				goto out;
			}
			if (!last_seq)
				last_seq = seq;
			if (commit)
				break;
		}
		/* Acks arrive in order; stop at the first failure. */
		for (; last_seq <= seq; last_seq++) {
			bool commit = last_seq == seq;

			ret = mk_wait(last_seq, commit ? MEMDISP_CMD_MAP_COMMIT :
				      MEMDISP_CMD_MAP_CHUNK, k->name,
				      commit ? &gr : NULL, errp);
			if (ret < 0) {
				mk.st.failures++;
				break;
			}
		}
	}
	if (ret == 0) {
		k->gen = gen;
		k->nsec = c.n;
		mk.st.full_pushes++;
		if (c.err) {
			/* Pushed, but some IOMMU section had to be left out. */
			error_propagate(errp, c.err);
			c.err = NULL;
			ret = -ENOENT;
		}
	}
	goto out;
oom:
	nlmsg_free(msg);
	error_setg(errp, "memdisp: out of memory building a map message");
out:
	if (c.err)
		error_free(c.err);
	free(c.v);
	return ret;
}

static int mk_as_reply(struct nlmsghdr *h, void *arg)
{
	MemdispKernelAS *k = arg;
	struct nlattr *tb[MEMDISP_A_MAX + 1];

	if (mk_parse(h, tb) < 0 || !tb[MEMDISP_A_AS_ID] ||
	    !tb[MEMDISP_A_GENERATION])
		return -EPROTO;
	k->id = nla_get_u32(tb[MEMDISP_A_AS_ID]);
	k->gen = nla_get_u64(tb[MEMDISP_A_GENERATION]);
	return 0;
}

/* Refresh the generation from the kernel, then push everything. */
static int mk_resync(MemdispKernelAS *k, Error **errp)
{
	struct mk_reply r = { mk_as_reply, k };
	struct nl_msg *msg = mk_msg(MEMDISP_CMD_AS_GET, 0);
	int ret;

	if (!msg || nla_put_u32(msg, MEMDISP_A_AS_ID, k->id) < 0) {
		nlmsg_free(msg);
		error_setg(errp, "memdisp: out of memory");
		return -ENOMEM;
	}
	ret = mk_request(msg, k->name, &r, errp);
	if (ret < 0)
		return ret;
	mk.st.resyncs++;
	return mk_push_full(k, errp);
}

static void mk_set_err(MemdispKernelAS *k, Error *err)
{
	if (k->err)
		error_free(k->err);
	k->err = err;
}

/* Push the pending delta; fall back to a resync. */
static void mk_flush(MemdispKernelAS *k)
{
	struct mk_reply gr = { mk_gen_reply, NULL };
	struct nl_msg *msg = NULL;
	Error *err = NULL;
	uint64_t gen = 0;
	size_t i, size;
	int ret = -1;

	if (!k->ndels && !k->nadds && !k->need_resync)
		return;
	size = 256 + k->nadds * MK_SEC_BYTES + k->ndels * MK_DEL_BYTES;
	/* A delta as big as half the map, or too big for one message: push
	 * the whole map instead. */
	if (k->need_resync || k->nadds + k->ndels > k->nsec / 2 + 16 ||
	    size > MK_DELTA_MAX)
		goto full;
	qsort(k->dels, k->ndels, sizeof(*k->dels), mk_range_cmp);
	qsort(k->adds, k->nadds, sizeof(*k->adds), mk_sec_cmp);
	msg = mk_msg_sized(MEMDISP_CMD_MAP_DELTA, 0, size);
	if (!msg || nla_put_u32(msg, MEMDISP_A_AS_ID, k->id) < 0 ||
	    nla_put_u64(msg, MEMDISP_A_GENERATION, k->gen) < 0)
		goto full;
	for (i = 0; i < k->ndels; i++) {
		struct nlattr *nest = nla_nest_start(msg, NLA_F_NESTED |
						     MEMDISP_A_REMOVE);

		if (!nest ||
		    nla_put_u64(msg, MEMDISP_A_START, k->dels[i].start) < 0 ||
		    nla_put_u64(msg, MEMDISP_A_LAST, k->dels[i].last) < 0)
			goto full;
		nla_nest_end(msg, nest);
	}
	for (i = 0; i < k->nadds; i++)
		if (mk_put_sec(msg, &k->adds[i]) < 0)
			goto full;
	gr.arg = &gen;
	ret = mk_request(msg, k->name, &gr, &err);
	msg = NULL;
	if (ret == 0) {
		k->gen = gen;
		k->nsec = k->nsec + k->nadds - (k->ndels < k->nsec ?
						k->ndels : k->nsec);
		mk.st.delta_pushes++;
		goto done;
	}
	/* Refused: the kernel copy may differ from ours; push it all. */
	error_free(err);
	err = NULL;
	k->need_resync = true;
full:
	nlmsg_free(msg);
	if (k->need_resync)
		ret = mk_resync(k, &err);
	else
		ret = mk_push_full(k, &err);
	if (ret < 0 && ret != -ENOENT && !k->need_resync) {
		/* A full push failed too: try once from a fresh generation. */
		error_free(err);
		err = NULL;
		ret = mk_resync(k, &err);
	}
done:
	k->ndels = k->nadds = 0;
	if (ret == 0) {
		k->need_resync = false;
		mk_set_err(k, NULL);
	} else {
		k->need_resync = ret != -ENOENT;
		mk_set_err(k, err);
	}
}

/* ---------------------------------------------------------------------- */
/* The listener. */

static void mk_add_del(MemdispKernelAS *k, uint64_t start, uint64_t last)
{
	if (k->ndels == k->cdels) {
		size_t cap = k->cdels ? k->cdels * 2 : 64;
		struct mk_range *v = realloc(k->dels, cap * sizeof(*v));

		if (!v) {
			k->need_resync = true;
			return;
		}
		k->dels = v;
		k->cdels = cap;
	}
	k->dels[k->ndels].start = start;
	k->dels[k->ndels].last = last;
	k->ndels++;
}

static void mk_add_sec(MemdispKernelAS *k, MemoryRegionSection *s, int dirty)
{
	uint64_t start = s->offset_within_address_space;
	uint64_t last = (uint64_t)(start + s->size - 1);
	Error *err = NULL;
	struct mk_sec sec;

	if (mk_sec_fill(&sec, start, last, s->mr, s->offset_within_region,
			s->readonly, s->mr->romd_mode,
			dirty < 0 ? memory_region_get_dirty_log_mask(s->mr) != 0 :
			dirty != 0, &err) < 0) {
		/* Left out (translates unassigned); reported by check(). */
		mk_set_err(k, err);
		return;
	}
	if (k->nadds == k->cadds) {
		size_t cap = k->cadds ? k->cadds * 2 : 64;
		struct mk_sec *v = realloc(k->adds, cap * sizeof(*v));

		if (!v) {
			k->need_resync = true;
			return;
		}
		k->adds = v;
		k->cadds = cap;
	}
	k->adds[k->nadds++] = sec;
}

static MemdispKernelAS *mk_of(MemoryListener *l)
{
	return (MemdispKernelAS *)((char *)l -
				   __builtin_offsetof(MemdispKernelAS, listener));
}

static void mk_region_add(MemoryListener *l, MemoryRegionSection *s)
{
	MemdispKernelAS *k = mk_of(l);

	if (!k->detaching)
		mk_add_sec(k, s, -1);
}

static void mk_region_del(MemoryListener *l, MemoryRegionSection *s)
{
	MemdispKernelAS *k = mk_of(l);
	uint64_t start = s->offset_within_address_space;

	if (!k->detaching)
		mk_add_del(k, start, (uint64_t)(start + s->size - 1));
}

static void mk_log_change(MemoryListener *l, MemoryRegionSection *s,
			  int old, int new_)
{
	MemdispKernelAS *k = mk_of(l);
	uint64_t start = s->offset_within_address_space;

	if (k->detaching || !old == !new_)
		return;
	mk_add_del(k, start, (uint64_t)(start + s->size - 1));
	mk_add_sec(k, s, new_ != 0);
}

static void mk_drain_events(void);

static void mk_commit(MemoryListener *l)
{
	MemdispKernelAS *k = mk_of(l);

	if (k->detaching || !k->id)
		return;
	mk_flush(k);
	mk_drain_events();
}

/* ---------------------------------------------------------------------- */
/* Events. */

static int mk_iotlb_send(uint32_t iommu_id, bool inval, uint64_t iova,
			 uint64_t xlat, uint64_t mask, uint32_t perm,
			 Error **errp)
{
	struct nl_msg *msg;
	struct nlattr *nest;

	if (inval) {
		msg = mk_msg(MEMDISP_CMD_IOTLB_INVAL, 0);
		if (!msg || nla_put_u32(msg, MEMDISP_A_IOMMU_ID, iommu_id) < 0 ||
		    nla_put_u64(msg, MEMDISP_A_START, iova & ~mask) < 0 ||
		    nla_put_u64(msg, MEMDISP_A_LAST, iova | mask) < 0)
			goto oom;
	} else {
		msg = mk_msg(MEMDISP_CMD_IOTLB_UPDATE, 0);
		if (!msg || nla_put_u32(msg, MEMDISP_A_IOMMU_ID, iommu_id) < 0)
			goto oom;
		nest = nla_nest_start(msg, NLA_F_NESTED | MEMDISP_A_IOTLB);
		if (!nest ||
		    nla_put_u64(msg, MEMDISP_IOTLB_A_IOVA, iova & ~mask) < 0 ||
		    nla_put_u64(msg, MEMDISP_IOTLB_A_XLAT, xlat & ~mask) < 0 ||
		    nla_put_u64(msg, MEMDISP_IOTLB_A_MASK, mask) < 0 ||
		    nla_put_u32(msg, MEMDISP_IOTLB_A_PERM, perm) < 0)
			goto oom;
		nla_nest_end(msg, nest);
	}
	return mk_request(msg, "iotlb", NULL, errp);
oom:
	nlmsg_free(msg);
	error_setg(errp, "memdisp: out of memory");
	return -ENOMEM;
}

static void mk_iommu_notify(IOMMUNotifier *n, IOMMUTLBEntry *e)
{
	struct mk_iommu *io = (struct mk_iommu *)((char *)n -
				__builtin_offsetof(struct mk_iommu, n));
	struct nl_msg *msg;
	Error *err = NULL;

	if (!io->id || !mk.sk)
		return;
	mk.st.notifies++;
	if (mk_iotlb_send(io->id, e->perm == IOMMU_NONE, e->iova,
			  e->translated_addr, e->addr_mask,
			  (uint32_t)e->perm, &err) < 0) {
		/* The kernel may now hold a stale entry: drop them all. */
		error_report_err(err);
		msg = mk_msg(MEMDISP_CMD_IOTLB_FLUSH, 0);

		if (msg && nla_put_u32(msg, MEMDISP_A_IOMMU_ID, io->id) == 0)
			mk_request(msg, "iotlb flush", NULL, NULL);
		else
			nlmsg_free(msg);
	}
}

static void mk_flush_all_iotlbs(void)
{
	struct mk_iommu *io;

	for (io = mk.iommus; io; io = io->next) {
		struct nl_msg *msg;

		if (!io->id)
			continue;
		msg = mk_msg(MEMDISP_CMD_IOTLB_FLUSH, 0);
		if (msg && nla_put_u32(msg, MEMDISP_A_IOMMU_ID, io->id) == 0)
			mk_request(msg, "iotlb flush", NULL, NULL);
		else
			nlmsg_free(msg);
	}
}

/* Answer one miss; return 1 if an entry was pushed, 0, or -1. */
static int mk_miss(uint32_t iommu_id, uint64_t iova, uint32_t perm,
		   Error **errp)
{
	const IOMMUMemoryRegionClass *cls;
	struct mk_iommu *io;
	IOMMUTLBEntry e;

	mk.st.misses++;
	for (io = mk.iommus; io; io = io->next)
		if (io->id == iommu_id)
			break;
	if (!io)
		return 0;	/* another process's IOMMU */
	cls = IOMMU_MEMORY_REGION_GET_CLASS(io->mr);
	e = cls->translate(io->mr, iova,
			   IOMMU_ACCESS_FLAG(perm & MEMDISP_PERM_READ,
					     perm & MEMDISP_PERM_WRITE), 0);
	if (e.perm == IOMMU_NONE) {
		/* Unmapped: the kernel keeps the miss pending (no more
		 * events for this page); bound how many we leave so. */
		unsigned int slot;

		if (mk.nunmapped == MK_UNMAPPED_MAX) {
			slot = mk.unmapped_head;
			mk_iotlb_send(mk.unmapped[slot].iommu, true,
				      mk.unmapped[slot].page, 0,
				      (1ULL << MEMDISP_MISS_PAGE_SHIFT) - 1, 0,
				      NULL);
			mk.unmapped_head = (slot + 1) % MK_UNMAPPED_MAX;
			mk.nunmapped--;
		}
		slot = (mk.unmapped_head + mk.nunmapped) % MK_UNMAPPED_MAX;
		mk.unmapped[slot].iommu = iommu_id;
		mk.unmapped[slot].page = iova &
			~((1ULL << MEMDISP_MISS_PAGE_SHIFT) - 1);
		mk.nunmapped++;
		return 0;
	}
	if (e.target_as != io->target) {
		error_setg(errp,
			   "memdisp: IOMMU '%s' translated %#llx into another address space than its mirrored target",
			   memory_region_name(MEMORY_REGION(io->mr)),
			   (unsigned long long)iova);
		return -1;
	}
	if (mk_iotlb_send(io->id, false, e.iova, e.translated_addr,
			  e.addr_mask, (uint32_t)e.perm, errp) < 0)
		return -1;
	mk.st.fills++;
	return 1;
}

static int mk_event(struct nlmsghdr *h, Error **errp)
{
	struct genlmsghdr *g = nlmsg_data(h);
	struct nlattr *tb[MEMDISP_A_MAX + 1];
	MemdispKernelAS *k;

	if (h->nlmsg_type != mk.family || mk_parse(h, tb) < 0)
		return 0;
	if (g->cmd == MEMDISP_CMD_EVT_IOTLB_MISS && tb[MEMDISP_A_IOMMU_ID] &&
	    tb[MEMDISP_A_IOVA] && tb[MEMDISP_A_PERM])
		return mk_miss(nla_get_u32(tb[MEMDISP_A_IOMMU_ID]),
			       nla_get_u64(tb[MEMDISP_A_IOVA]),
			       nla_get_u32(tb[MEMDISP_A_PERM]), errp);
	if (g->cmd == MEMDISP_CMD_EVT_MAP_CHANGED && tb[MEMDISP_A_AS_ID] &&
	    tb[MEMDISP_A_GENERATION]) {
		uint32_t id = nla_get_u32(tb[MEMDISP_A_AS_ID]);
		uint64_t gen = nla_get_u64(tb[MEMDISP_A_GENERATION]);

		for (k = mk.list; k; k = k->next)
			if (k->id == id && !tb[MEMDISP_A_AS_DEAD] &&
			    gen > k->gen) {
				/* Someone else published: take it back. */
				k->need_resync = true;
				mk_flush(k);
			}
	}
	return 0;
}

static int mk_events(int timeout_ms, Error **errp)
{
	int fd, answered = 0, ret;
	MemdispKernelAS *k;

	if (!mk.ev) {
		error_setg(errp, "memdisp: no address space is mirrored");
		return -1;
	}
	fd = nl_socket_get_fd(mk.ev);
	if (timeout_ms) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, timeout_ms) < 0 && errno != EINTR) {
			error_setg_errno(errp, errno, "memdisp: poll");
			return -1;
		}
	}
	for (;;) {
		struct nlmsghdr *h;
		ssize_t n = recv(fd, mk.buf, MK_RECV_BUF, MSG_DONTWAIT);
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				/*
				 * Events were lost.  Drop what is queued (the
				 * flush below re-arms every pending miss, so
				 * the kernel asks again), then start over.
				 */
				mk.st.lost_events++;
				while (recv(fd, mk.buf, MK_RECV_BUF,
					    MSG_DONTWAIT) > 0 ||
				       errno == ENOBUFS || errno == EINTR)
					;
				mk_flush_all_iotlbs();
				for (k = mk.list; k; k = k->next) {
					k->need_resync = true;
					mk_flush(k);
				}
				continue;
			}
			error_setg_errno(errp, errno, "memdisp: event socket");
			return -1;
		}
		len = (int)n;
		for (h = (struct nlmsghdr *)mk.buf; nlmsg_ok(h, len);
		     h = nlmsg_next(h, &len)) {
			ret = mk_event(h, errp);
			if (ret < 0)
				return -1;
			answered += ret;
		}
	}
	return answered;
}

static void mk_drain_events(void)
{
	Error *err = NULL;

	if (mk_events(0, &err) < 0)
		error_report_err(err);
}

/* ---------------------------------------------------------------------- */
/* Public API. */

MemdispKernelAS *memdisp_kernel_attach(AddressSpace *as, const char *name,
				       Error **errp)
{
	struct mk_reply r = { mk_as_reply, NULL };
	MemdispKernelAS *k;
	struct nl_msg *msg;
	Error *err = NULL;

	if (!as || !as->root) {
		error_setg(errp, "memdisp: attach: no address space");
		return NULL;
	}
	if (mk_find_as(as)) {
		error_setg(errp, "memdisp: address space '%s' is already mirrored",
			   as->name);
		return NULL;
	}
	if (!name)
		name = as->name ? as->name : "anonymous";
	if (!*name || strlen(name) >= MEMDISP_NAME_MAX) {
		error_setg(errp, "memdisp: kernel name '%s' must have 1..%d bytes",
			   name, MEMDISP_NAME_MAX - 1);
		return NULL;
	}
	if (mk_open(errp) < 0)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k) {
		error_setg(errp, "memdisp: out of memory");
		goto fail_close;
	}
	k->as = as;
	snprintf(k->name, sizeof(k->name), "%s", name);
	msg = mk_msg(MEMDISP_CMD_AS_NEW, 0);
	if (!msg || nla_put_string(msg, MEMDISP_A_AS_NAME, k->name) < 0) {
		nlmsg_free(msg);
		error_setg(errp, "memdisp: out of memory");
		goto fail_free;
	}
	r.arg = k;
	if (mk_request(msg, k->name, &r, errp) < 0)
		goto fail_free;
	/* Listed first so that IOMMUs of this view may target itself. */
	k->next = mk.list;
	mk.list = k;
	if (mk_push_full(k, &err) < 0) {
		error_propagate(errp, err);
		goto fail_del;
	}
	k->listener.name = "memdisp-kernel-mirror";
	k->listener.priority = 1000;
	k->listener.region_add = mk_region_add;
	k->listener.region_del = mk_region_del;
	k->listener.log_start = mk_log_change;
	k->listener.log_stop = mk_log_change;
	k->listener.commit = mk_commit;
	/* The replay's region_add calls duplicate what was pushed: skip. */
	k->detaching = true;
	memory_listener_register(&k->listener, as);
	k->detaching = false;
	k->ndels = k->nadds = 0;
	return k;

fail_del:
	mk.list = k->next;
	msg = mk_msg(MEMDISP_CMD_AS_DEL, 0);
	if (msg && nla_put_u32(msg, MEMDISP_A_AS_ID, k->id) == 0)
		mk_request(msg, k->name, NULL, NULL);
	else
		nlmsg_free(msg);
fail_free:
	free(k);
fail_close:
	if (!mk.list)
		mk_close();
	return NULL;
}

void memdisp_kernel_detach(MemdispKernelAS *kas)
{
	MemdispKernelAS **pp;
	struct nl_msg *msg;

	if (!kas)
		return;
	kas->detaching = true;
	memory_listener_unregister(&kas->listener);
	for (pp = &mk.list; *pp; pp = &(*pp)->next)
		if (*pp == kas) {
			*pp = kas->next;
			break;
		}
	if (mk.list) {
		msg = mk_msg(MEMDISP_CMD_AS_DEL, 0);
		if (msg && nla_put_u32(msg, MEMDISP_A_AS_ID, kas->id) == 0)
			mk_request(msg, kas->name, NULL, NULL);
		else
			nlmsg_free(msg);
	} else {
		mk_close();
	}
	if (kas->err)
		error_free(kas->err);
	free(kas->dels);
	free(kas->adds);
	free(kas);
}

MemdispKernelAS *memdisp_kernel_find(AddressSpace *as)
{
	return mk_find_as(as);
}

uint32_t memdisp_kernel_as_id(const MemdispKernelAS *kas)
{
	return kas->id;
}

uint64_t memdisp_kernel_generation(const MemdispKernelAS *kas)
{
	return kas->gen;
}

int memdisp_kernel_check(MemdispKernelAS *kas, Error **errp)
{
	if (!kas->err && !kas->need_resync)
		return 0;
	if (kas->err)
		error_setg(errp, "%s", error_get_pretty(kas->err));
	else
		error_setg(errp, "memdisp: '%s' is out of sync with the kernel",
			   kas->name);
	return -1;
}

int memdisp_kernel_resync(MemdispKernelAS *kas, Error **errp)
{
	kas->need_resync = true;
	mk_flush(kas);
	return memdisp_kernel_check(kas, errp);
}

int memdisp_kernel_event_fd(void)
{
	return mk.ev ? nl_socket_get_fd(mk.ev) : -1;
}

int memdisp_kernel_process_events(int timeout_ms, Error **errp)
{
	return mk_events(timeout_ms, errp);
}

void memdisp_kernel_set_iommu_target(IOMMUMemoryRegion *iommu,
				     AddressSpace *target)
{
	struct mk_iommu *io = mk_iommu_lookup(iommu, true);

	if (io && !io->id)
		io->target = target;
}

uint32_t memdisp_kernel_iommu_id(IOMMUMemoryRegion *iommu)
{
	struct mk_iommu *io = mk_iommu_lookup(iommu, false);

	return io ? io->id : 0;
}

static int mk_xlat_reply(struct nlmsghdr *h, void *arg)
{
	struct memdisp_kernel_xlat *x = arg;
	struct nlattr *tb[MEMDISP_A_MAX + 1];
	struct nlattr *xt[MEMDISP_XLAT_A_MAX + 1];

	if (mk_parse(h, tb) < 0 || !tb[MEMDISP_A_XLAT] ||
	    nla_parse_nested(xt, MEMDISP_XLAT_A_MAX, tb[MEMDISP_A_XLAT],
			     NULL) < 0 || !xt[MEMDISP_XLAT_A_STATUS])
		return -EPROTO;
	memset(x, 0, sizeof(*x));
#define U32(f, a) do { if (xt[a]) x->f = nla_get_u32(xt[a]); } while (0)
#define U64(f, a) do { if (xt[a]) x->f = nla_get_u64(xt[a]); } while (0)
	U32(status, MEMDISP_XLAT_A_STATUS);
	U32(type, MEMDISP_XLAT_A_TYPE);
	U64(region_id, MEMDISP_XLAT_A_REGION_ID);
	U64(offset, MEMDISP_XLAT_A_OFFSET);
	U64(len, MEMDISP_XLAT_A_LEN);
	U32(perm, MEMDISP_XLAT_A_PERM);
	U32(sec_flags, MEMDISP_XLAT_A_SEC_FLAGS);
	U64(hva, MEMDISP_XLAT_A_HVA);
	U32(as_id, MEMDISP_XLAT_A_AS_ID);
	U64(addr, MEMDISP_XLAT_A_ADDR);
	U32(iommu_id, MEMDISP_XLAT_A_IOMMU_ID);
	U64(iova, MEMDISP_XLAT_A_IOVA);
	U32(depth, MEMDISP_XLAT_A_DEPTH);
#undef U32
#undef U64
	return 0;
}

int memdisp_kernel_translate(MemdispKernelAS *kas, uint64_t addr,
			     uint64_t len, bool is_write,
			     struct memdisp_kernel_xlat *out, Error **errp)
{
	struct mk_reply r = { mk_xlat_reply, out };
	struct nl_msg *msg = mk_msg(MEMDISP_CMD_TRANSLATE, 0);

	if (!msg || nla_put_u32(msg, MEMDISP_A_AS_ID, kas->id) < 0 ||
	    nla_put_u64(msg, MEMDISP_A_ADDR, addr) < 0 ||
	    nla_put_u64(msg, MEMDISP_A_LEN, len) < 0 ||
	    (is_write && nla_put_flag(msg, MEMDISP_A_WRITE) < 0)) {
		nlmsg_free(msg);
		error_setg(errp, "memdisp: out of memory");
		return -1;
	}
	return mk_request(msg, kas->name, &r, errp) < 0 ? -1 : 0;
}

void memdisp_kernel_get_stats(struct memdisp_kernel_stats *st)
{
	*st = mk.st;
}

