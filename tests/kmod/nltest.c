// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memdisp-nltest: exercises every command of the memdisp generic netlink
 * family, success and failure paths (errno and extended-ACK message), and
 * checks translations against a userspace model.  Prints TAP.  Runs as
 * root inside the test VM with memdisp.ko loaded.
 *
 * Messages are built with libnl; replies and ACKs are read raw so that the
 * errno and extack of every request can be checked exactly.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/memdisp.h>

#include "../common/tap.h"
#include "../common/delta_model.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

typedef uint64_t u64;
typedef uint32_t u32;

static int family;
static int mcgrp;
/* ---- TAP (tests/common/tap.h) ------------------------------------------ */

static void report(bool ok, const char *name)
{
	tap(ok, "%s", name);
}

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		diag("%s:%d: check failed: %s", __FILE__, __LINE__, #cond); \
		return false;						\
	}								\
} while (0)

/* ---- sockets and requests ----------------------------------------------- */

struct reply {
	int err;			/* 0 or -errno */
	char extack[256];		/* NLMSGERR_ATTR_MSG */
	int miss_type;			/* NLMSGERR_ATTR_MISS_TYPE or -1 */
	unsigned char *msgs;		/* genetlink replies, back to back */
	size_t len;
	int nmsgs;
};

static void reply_free(struct reply *r)
{
	free(r->msgs);
	memset(r, 0, sizeof(*r));
}

static struct nl_sock *sock_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, big = 64 << 20;

	if (!sk || genl_connect(sk)) {
		diag("cannot connect a generic netlink socket");
		exit(1);
	}
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	/* root in the VM: lift the buffer limits for 1M-section transfers */
	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_SNDBUFFORCE, &big,
		       sizeof(big)))
		setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_SNDBUF, &big,
			   sizeof(big));
	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUFFORCE, &big,
		       sizeof(big)))
		setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUF, &big,
			   sizeof(big));
	return sk;
}

static struct nl_msg *req(int cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc_size(1 << 20);

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			       NLM_F_REQUEST | NLM_F_ACK | flags, cmd,
			       MEMDISP_GENL_VERSION)) {
		diag("out of memory");
		exit(1);
	}
	return m;
}

static unsigned char rxbuf[1 << 21];

static void parse_err(struct nlmsghdr *h, struct reply *r)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	struct nlattr *a;
	size_t off, len;

	r->err = e->error;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	off = NLMSG_ALIGN(off);
	if (off >= h->nlmsg_len - NLMSG_HDRLEN)
		return;
	len = h->nlmsg_len - NLMSG_HDRLEN - off;
	for (a = (struct nlattr *)((char *)e + off);
	     len >= sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			snprintf(r->extack, sizeof(r->extack), "%.*s",
				 (int)(a->nla_len - sizeof(*a)),
				 (char *)(a + 1));
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MISS_TYPE)
			r->miss_type = *(u32 *)(a + 1);
	}
}

/* Send @m (consumed) and read until its ACK, error or dump end. */
static int xfer(struct nl_sock *sk, struct nl_msg *m, struct reply *r)
{
	u32 seq;
	bool done = false;
	int ret;

	memset(r, 0, sizeof(*r));
	r->miss_type = -1;
	ret = nl_send_auto(sk, m);
	seq = nlmsg_hdr(m)->nlmsg_seq;
	nlmsg_free(m);
	if (ret < 0) {
		r->err = -EMSGSIZE;
		snprintf(r->extack, sizeof(r->extack), "send failed: %s",
			 nl_geterror(ret));
		return r->err;
	}
	while (!done) {
		ssize_t n = recv(nl_socket_get_fd(sk), rxbuf, sizeof(rxbuf), 0);
		struct nlmsghdr *h;
		int rem;

		if (n < 0) {
			r->err = -errno;
			snprintf(r->extack, sizeof(r->extack), "recv: %s",
				 strerror(errno));
			return r->err;
		}
		rem = n;
		for (h = (struct nlmsghdr *)rxbuf; NLMSG_OK(h, rem);
		     h = NLMSG_NEXT(h, rem)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				parse_err(h, r);
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			r->msgs = realloc(r->msgs, r->len + h->nlmsg_len);
			memcpy(r->msgs + r->len, h, h->nlmsg_len);
			r->len += NLMSG_ALIGN(h->nlmsg_len);
			r->nmsgs++;	/* for a doit, the ACK follows */
		}
	}
	return r->err;
}

/* Attributes of reply message @i. */
static bool reply_attrs(struct reply *r, int i, struct nlattr **tb, int max)
{
	size_t off = 0;
	struct nlmsghdr *h;

	if (i >= r->nmsgs)
		return false;
	for (;;) {
		h = (struct nlmsghdr *)(r->msgs + off);
		if (!i--)
			break;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return genlmsg_parse(h, 0, tb, max, NULL) == 0;
}

static bool nested(struct nlattr *a, struct nlattr **tb, int max)
{
	return a && nla_parse_nested(tb, max, a, NULL) == 0;
}

#define EXPECT_ERR(r, e, msg) do {					\
	if ((r)->err != (e)) {						\
		diag("%s:%d: expected %s, got %d (%s)", __FILE__, __LINE__, \
		     #e, (r)->err, (r)->extack);			\
		return false;						\
	}								\
	if ((msg) && !strstr((r)->extack, (msg) ? (msg) : "")) {	\
		diag("%s:%d: extack '%s' lacks '%s'", __FILE__, __LINE__, \
		     (r)->extack, (const char *)(msg));		\
		return false;						\
	}								\
} while (0)

/* ---- helpers for commands ----------------------------------------------- */

static struct nl_sock *sk;	/* the main (owner) socket */

static u32 as_new(struct nl_sock *s, const char *name, u32 flags)
{
	struct nl_msg *m = req(MEMDISP_CMD_AS_NEW, 0);
	struct nlattr *tb[MEMDISP_A_MAX + 1];
	struct reply r;
	u32 id = 0;

	nla_put_string(m, MEMDISP_A_AS_NAME, name);
	if (flags)
		nla_put_u32(m, MEMDISP_A_AS_FLAGS, flags);
	if (!xfer(s, m, &r) && reply_attrs(&r, 0, tb, MEMDISP_A_MAX) &&
	    tb[MEMDISP_A_AS_ID])
		id = nla_get_u32(tb[MEMDISP_A_AS_ID]);
	else
		diag("AS_NEW failed: %d %s", r.err, r.extack);
	reply_free(&r);
	return id;
}

static int as_del(struct nl_sock *s, u32 id, struct reply *r)
{
	struct nl_msg *m = req(MEMDISP_CMD_AS_DEL, 0);

	nla_put_u32(m, MEMDISP_A_AS_ID, id);
	return xfer(s, m, r);
}

static void put_sec(struct nl_msg *m, const struct sec *s)
{
	struct nlattr *n = nla_nest_start(m, NLA_F_NESTED | MEMDISP_A_SECTION);

	nla_put_u64(m, MEMDISP_SEC_A_START, s->start);
	nla_put_u64(m, MEMDISP_SEC_A_LAST, s->last);
	nla_put_u32(m, MEMDISP_SEC_A_TYPE, s->type);
	if (s->flags)
		nla_put_u32(m, MEMDISP_SEC_A_FLAGS, s->flags);
	if (s->region)
		nla_put_u64(m, MEMDISP_SEC_A_REGION_ID, s->region);
	if (s->offset)
		nla_put_u64(m, MEMDISP_SEC_A_OFFSET, s->offset);
	if (s->hva)
		nla_put_u64(m, MEMDISP_SEC_A_HVA, s->hva);
	if (s->type == MEMDISP_SEC_IOMMU)
		nla_put_u32(m, MEMDISP_SEC_A_IOMMU_ID, s->iommu);
	nla_nest_end(m, n);
}

static int map_set(struct nl_sock *s, u32 as, u64 gen, const struct sec *v,
		   u32 n, struct reply *r)
{
	struct nl_msg *m = req(MEMDISP_CMD_MAP_SET, 0);
	u32 i;

	nla_put_u32(m, MEMDISP_A_AS_ID, as);
	nla_put_u64(m, MEMDISP_A_GENERATION, gen);
	for (i = 0; i < n; i++)
		put_sec(m, &v[i]);
	return xfer(s, m, r);
}

struct asinfo {
	u64 gen, mem;
	u32 nr, flags, owner;
	char name[MEMDISP_NAME_MAX];
};

static int as_get(struct nl_sock *s, u32 id, struct asinfo *ai)
{
	struct nl_msg *m = req(MEMDISP_CMD_AS_GET, 0);
	struct nlattr *tb[MEMDISP_A_MAX + 1];
	struct reply r;
	int ret;

	nla_put_u32(m, MEMDISP_A_AS_ID, id);
	ret = xfer(s, m, &r);
	if (!ret && reply_attrs(&r, 0, tb, MEMDISP_A_MAX)) {
		ai->gen = nla_get_u64(tb[MEMDISP_A_GENERATION]);
		ai->nr = nla_get_u32(tb[MEMDISP_A_AS_NR_SECTIONS]);
		ai->mem = nla_get_u64(tb[MEMDISP_A_AS_MEM_BYTES]);
		ai->flags = nla_get_u32(tb[MEMDISP_A_AS_FLAGS]);
		ai->owner = nla_get_u32(tb[MEMDISP_A_AS_OWNER_PORTID]);
		snprintf(ai->name, sizeof(ai->name), "%s",
			 nla_get_string(tb[MEMDISP_A_AS_NAME]));
	}
	reply_free(&r);
	return ret;
}

struct xres {
	int err;
	u32 status, type, perm, as_id, iommu, depth, flags;
	u64 region, offset, len, hva, addr, iova;
	bool has_hva;
};

static struct xres translate(struct nl_sock *s, u32 as, u64 addr, u64 len,
			     bool write)
{
	struct nl_msg *m = req(MEMDISP_CMD_TRANSLATE, 0);
	struct nlattr *tb[MEMDISP_A_MAX + 1], *x[MEMDISP_XLAT_A_MAX + 1];
	struct xres o = { 0 };
	struct reply r;

	nla_put_u32(m, MEMDISP_A_AS_ID, as);
	nla_put_u64(m, MEMDISP_A_ADDR, addr);
	nla_put_u64(m, MEMDISP_A_LEN, len);
	if (write)
		nla_put_flag(m, MEMDISP_A_WRITE);
	o.err = xfer(s, m, &r);
	if (!o.err) {
		if (!reply_attrs(&r, 0, tb, MEMDISP_A_MAX) ||
		    !nested(tb[MEMDISP_A_XLAT], x, MEMDISP_XLAT_A_MAX)) {
			o.err = -EBADMSG;
		} else {
#define G32(a) (x[a] ? nla_get_u32(x[a]) : 0)
#define G64(a) (x[a] ? nla_get_u64(x[a]) : 0)
			o.status = G32(MEMDISP_XLAT_A_STATUS);
			o.type = G32(MEMDISP_XLAT_A_TYPE);
			o.perm = G32(MEMDISP_XLAT_A_PERM);
			o.as_id = G32(MEMDISP_XLAT_A_AS_ID);
			o.iommu = G32(MEMDISP_XLAT_A_IOMMU_ID);
			o.depth = G32(MEMDISP_XLAT_A_DEPTH);
			o.flags = G32(MEMDISP_XLAT_A_SEC_FLAGS);
			o.region = G64(MEMDISP_XLAT_A_REGION_ID);
			o.offset = G64(MEMDISP_XLAT_A_OFFSET);
			o.len = G64(MEMDISP_XLAT_A_LEN);
			o.hva = G64(MEMDISP_XLAT_A_HVA);
			o.addr = G64(MEMDISP_XLAT_A_ADDR);
			o.iova = G64(MEMDISP_XLAT_A_IOVA);
			o.has_hva = x[MEMDISP_XLAT_A_HVA] != NULL;
		}
	}
	reply_free(&r);
	return o;
}

static u64 stat_get(struct nl_sock *s, int which)
{
	struct nl_msg *m = req(MEMDISP_CMD_STATS_GET, 0);
	struct nlattr *tb[MEMDISP_A_MAX + 1], *st[MEMDISP_STATS_A_MAX + 1];
	struct reply r;
	u64 v = ~0ULL;

	if (!xfer(s, m, &r) && reply_attrs(&r, 0, tb, MEMDISP_A_MAX) &&
	    nested(tb[MEMDISP_A_STATS], st, MEMDISP_STATS_A_MAX) && st[which])
		v = nla_get_u64(st[which]);
	reply_free(&r);
	return v;
}

/* ---- userspace model of a map ------------------------------------------- */

static u64 rng_state = 88172645463325252ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u64 below(u64 n)
{
	return n ? rnd() % n : 0;
}

/* Random sorted map of up to @max sections. */
static u32 random_map(struct sec *v, u32 max)
{
	u64 cur = below(0x1000);
	u32 i;

	for (i = 0; i < max; i++) {
		u64 len = 1 + below(0x10000);

		v[i].start = cur;
		v[i].last = cur + len - 1;
		v[i].type = below(4);	/* no IOMMU here */
		v[i].flags = below(8);
		v[i].region = 1 + below(1000);
		v[i].offset = rnd();
		v[i].hva = (v[i].type <= MEMDISP_SEC_ROMD && below(4)) ?
			   (rnd() & ~0xfffULL) : 0;
		v[i].iommu = 0;
		cur = v[i].last + 1 + (below(3) ? below(0x2000) : 0);
	}
	return max;
}

static const struct sec *model_find(const struct sec *v, u32 n, u64 a,
				    const struct sec **next)
{
	u32 lo = 0, hi = n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (v[mid].last < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	*next = lo < n ? &v[lo] : NULL;
	if (lo < n && v[lo].start <= a)
		return &v[lo];
	return NULL;
}

/* Compare one kernel translation with the model. */
static bool check_xlat(u32 as, const struct sec *v, u32 n, u64 a, u64 len,
		       bool w)
{
	const struct sec *next, *s = model_find(v, n, a, &next);
	struct xres x = translate(sk, as, a, len, w);
	u64 lm1 = len - 1;

	CHECK(x.err == 0);
	if (!s) {
		if (next && next->start - a - 1 < lm1)
			lm1 = next->start - a - 1;
		if (x.status != MEMDISP_XLAT_UNASSIGNED || x.len != lm1 + 1) {
			diag("addr %llx: want unassigned len %llx, got status %u len %llx",
			     (unsigned long long)a, (unsigned long long)lm1 + 1,
			     x.status, (unsigned long long)x.len);
			return false;
		}
		return true;
	}
	if (s->last - a < lm1)
		lm1 = s->last - a;
	if (x.status != MEMDISP_XLAT_OK || x.len != lm1 + 1 ||
	    x.type != s->type || x.region != s->region ||
	    x.offset != s->offset + (a - s->start) || x.flags != s->flags ||
	    x.perm != ((s->type == MEMDISP_SEC_ROM ||
			(s->flags & MEMDISP_SEC_F_READONLY)) ?
		       MEMDISP_PERM_READ : MEMDISP_PERM_RW) ||
	    x.has_hva != (s->hva != 0) ||
	    (s->hva && x.hva != s->hva + (a - s->start)) || x.as_id != as ||
	    x.addr != a || x.depth != 0) {
		diag("addr %llx: mismatch (status %u type %u/%u region %llu/%llu len %llx/%llx)",
		     (unsigned long long)a, x.status, x.type, s->type,
		     (unsigned long long)x.region, (unsigned long long)s->region,
		     (unsigned long long)x.len, (unsigned long long)lm1 + 1);
		return false;
	}
	return true;
}

static u64 pick_addr(const struct sec *v, u32 n)
{
	const struct sec *s = &v[below(n)];

	switch (below(5)) {
	case 0:
		return s->start;
	case 1:
		return s->last;
	case 2:
		return s->last + 1;
	case 3:
		return s->start - 1;
	default:
		return s->start + below(s->last - s->start + 1);
	}
}

/* ---- tests --------------------------------------------------------------- */

static bool t_as_new_get(void)
{
	struct asinfo ai;
	u32 id = as_new(sk, "pci-dma", 0);

	CHECK(id);
	CHECK(as_get(sk, id, &ai) == 0);
	CHECK(!strcmp(ai.name, "pci-dma"));
	CHECK(ai.gen == 0 && ai.nr == 0 && ai.flags == 0);
	CHECK(ai.owner == nl_socket_get_local_port(sk));
	return true;
}

static bool t_as_new_errors(void)
{
	struct nl_msg *m;
	struct reply r;

	m = req(MEMDISP_CMD_AS_NEW, 0);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, NULL);
	CHECK(r.miss_type == MEMDISP_A_AS_NAME);
	reply_free(&r);

	m = req(MEMDISP_CMD_AS_NEW, 0);
	nla_put_string(m, MEMDISP_A_AS_NAME, "");
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, "empty name");
	reply_free(&r);

	m = req(MEMDISP_CMD_AS_NEW, 0);
	nla_put_string(m, MEMDISP_A_AS_NAME, "a");
	nla_put_string(m, MEMDISP_A_AS_NAME, "b");
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, "duplicate attribute");
	reply_free(&r);

	m = req(MEMDISP_CMD_AS_NEW, 0);
	nla_put_string(m, MEMDISP_A_AS_NAME, "a");
	nla_put_u64(m, MEMDISP_A_GENERATION, 1);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, "not valid for this command");
	reply_free(&r);

	m = req(MEMDISP_CMD_AS_NEW, 0);
	nla_put_string(m, MEMDISP_A_AS_NAME, "a");
	nla_put_u32(m, MEMDISP_A_MAX + 5, 1);	/* unknown to the policy */
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, NULL);
	CHECK(r.extack[0]);
	reply_free(&r);

	m = req(MEMDISP_CMD_AS_NEW, 0);	/* reply-only attribute */
	nla_put_string(m, MEMDISP_A_AS_NAME, "a");
	nla_put_u32(m, MEMDISP_A_AS_NR_SECTIONS, 1);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, NULL);
	reply_free(&r);

	m = req(MEMDISP_CMD_AS_NEW, 0);
	nla_put_string(m, MEMDISP_A_AS_NAME,
		       "0123456789012345678901234567890123456789012345678901234567890123456789");
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, NULL);
	reply_free(&r);

	m = req(MEMDISP_CMD_AS_NEW, 0);
	nla_put_string(m, MEMDISP_A_AS_NAME, "a");
	nla_put_u32(m, MEMDISP_A_AS_FLAGS, 0x80);
	xfer(sk, m, &r);
	CHECK(r.err == -EINVAL);
	reply_free(&r);

	m = req(MEMDISP_CMD_EVT_MAP_CHANGED, 0);	/* events are not commands */
	xfer(sk, m, &r);
	CHECK(r.err == -EOPNOTSUPP);
	reply_free(&r);
	return true;
}

static bool t_as_get_missing(void)
{
	struct asinfo ai;
	struct nl_msg *m;
	struct reply r;

	CHECK(as_get(sk, 999999, &ai) == -ENOENT);
	m = req(MEMDISP_CMD_AS_GET, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, 999999);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -ENOENT, "no such address space");
	reply_free(&r);
	m = req(MEMDISP_CMD_AS_GET, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, 0);	/* policy: ids start at 1 */
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -ERANGE, NULL);
	reply_free(&r);
	return true;
}

static bool t_as_dump(void)
{
	u32 a = as_new(sk, "dump-a", 0), b = as_new(sk, "dump-b", 0);
	struct nlattr *tb[MEMDISP_A_MAX + 1];
	bool seen_a = false, seen_b = false;
	struct nl_msg *m;
	struct reply r;
	int i;

	CHECK(a && b);
	m = req(MEMDISP_CMD_AS_GET, NLM_F_DUMP);
	CHECK(xfer(sk, m, &r) == 0);
	for (i = 0; i < r.nmsgs; i++) {
		CHECK(reply_attrs(&r, i, tb, MEMDISP_A_MAX));
		if (nla_get_u32(tb[MEMDISP_A_AS_ID]) == a)
			seen_a = !strcmp(nla_get_string(tb[MEMDISP_A_AS_NAME]), "dump-a");
		if (nla_get_u32(tb[MEMDISP_A_AS_ID]) == b)
			seen_b = true;
	}
	reply_free(&r);
	CHECK(seen_a && seen_b);
	CHECK(as_del(sk, a, &r) == 0);
	reply_free(&r);
	CHECK(as_del(sk, b, &r) == 0);
	reply_free(&r);
	return true;
}

static u32 g_as;	/* address space for the map tests */

static bool t_map_set_small(void)
{
	struct sec v[3] = {
		{ .start = 0, .last = 0x9ffff, .type = MEMDISP_SEC_RAM,
		  .region = 1, .hva = 0x7f0000000000ULL },
		{ .start = 0xa0000, .last = 0xbffff, .type = MEMDISP_SEC_MMIO,
		  .region = 2 },
		{ .start = 0xfffc0000, .last = 0xffffffff,
		  .type = MEMDISP_SEC_ROM, .region = 3, .offset = 0x1000,
		  .hva = 0x7f1000000000ULL },
	};
	struct nlattr *tb[MEMDISP_A_MAX + 1];
	struct asinfo ai;
	struct reply r;

	g_as = as_new(sk, "system", 0);
	CHECK(g_as);
	CHECK(map_set(sk, g_as, 0, v, 3, &r) == 0);
	CHECK(reply_attrs(&r, 0, tb, MEMDISP_A_MAX));
	CHECK(nla_get_u64(tb[MEMDISP_A_GENERATION]) == 1);
	reply_free(&r);
	CHECK(as_get(sk, g_as, &ai) == 0);
	CHECK(ai.gen == 1 && ai.nr == 3 && ai.mem > 3 * 8);
	CHECK(check_xlat(g_as, v, 3, 0x1234, 8, false));
	CHECK(check_xlat(g_as, v, 3, 0x9fffc, 8, true));	/* clipped */
	CHECK(check_xlat(g_as, v, 3, 0xc0000, 0x100, false));	/* gap */
	CHECK(check_xlat(g_as, v, 3, 0xfffffff0, 0x100, true));	/* ROM */
	CHECK(check_xlat(g_as, v, 3, 0x100000000ULL, 1, false));	/* above */
	return true;
}

static bool t_map_errors(void)
{
	struct sec good = { .start = 0x1000, .last = 0x1fff,
			    .type = MEMDISP_SEC_RAM };
	struct sec v[2];
	struct asinfo ai;
	struct nl_msg *m;
	struct nlattr *n;
	struct reply r;

	/* stale generation */
	map_set(sk, g_as, 0, &good, 1, &r);
	EXPECT_ERR(&r, -ESTALE, "stale generation");
	reply_free(&r);
	/* unsorted */
	v[0] = good;
	v[1] = good;
	v[1].start = 0;
	v[1].last = 0xfff;
	map_set(sk, g_as, 1, v, 2, &r);
	EXPECT_ERR(&r, -EINVAL, "unsorted or overlapping");
	reply_free(&r);
	/* overlapping */
	v[1].start = 0x1fff;
	v[1].last = 0x2fff;
	map_set(sk, g_as, 1, v, 2, &r);
	EXPECT_ERR(&r, -EINVAL, "unsorted or overlapping");
	reply_free(&r);
	/* last < start */
	v[0].last = 0xfff;
	map_set(sk, g_as, 1, v, 1, &r);
	EXPECT_ERR(&r, -EINVAL, "last below start");
	reply_free(&r);
	/* host address on MMIO */
	v[0] = good;
	v[0].type = MEMDISP_SEC_MMIO;
	v[0].hva = 0x1000;
	map_set(sk, g_as, 1, v, 1, &r);
	EXPECT_ERR(&r, -EINVAL, "host address only");
	reply_free(&r);
	/* IOMMU section without an IOMMU id */
	m = req(MEMDISP_CMD_MAP_SET, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, g_as);
	nla_put_u64(m, MEMDISP_A_GENERATION, 1);
	n = nla_nest_start(m, NLA_F_NESTED | MEMDISP_A_SECTION);
	nla_put_u64(m, MEMDISP_SEC_A_START, 0);
	nla_put_u64(m, MEMDISP_SEC_A_LAST, 1);
	nla_put_u32(m, MEMDISP_SEC_A_TYPE, MEMDISP_SEC_IOMMU);
	nla_nest_end(m, n);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, "needs an IOMMU id");
	reply_free(&r);
	/* IOMMU id on RAM */
	m = req(MEMDISP_CMD_MAP_SET, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, g_as);
	nla_put_u64(m, MEMDISP_A_GENERATION, 1);
	n = nla_nest_start(m, NLA_F_NESTED | MEMDISP_A_SECTION);
	nla_put_u64(m, MEMDISP_SEC_A_START, 0);
	nla_put_u64(m, MEMDISP_SEC_A_LAST, 1);
	nla_put_u32(m, MEMDISP_SEC_A_TYPE, MEMDISP_SEC_RAM);
	nla_put_u32(m, MEMDISP_SEC_A_IOMMU_ID, 3);
	nla_nest_end(m, n);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, "only for IOMMU sections");
	reply_free(&r);
	/* duplicate attribute inside a section */
	m = req(MEMDISP_CMD_MAP_SET, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, g_as);
	nla_put_u64(m, MEMDISP_A_GENERATION, 1);
	n = nla_nest_start(m, NLA_F_NESTED | MEMDISP_A_SECTION);
	nla_put_u64(m, MEMDISP_SEC_A_START, 0);
	nla_put_u64(m, MEMDISP_SEC_A_START, 0);
	nla_put_u64(m, MEMDISP_SEC_A_LAST, 1);
	nla_put_u32(m, MEMDISP_SEC_A_TYPE, MEMDISP_SEC_RAM);
	nla_nest_end(m, n);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, "duplicate section attribute");
	reply_free(&r);
	/* missing type */
	m = req(MEMDISP_CMD_MAP_SET, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, g_as);
	nla_put_u64(m, MEMDISP_A_GENERATION, 1);
	n = nla_nest_start(m, NLA_F_NESTED | MEMDISP_A_SECTION);
	nla_put_u64(m, MEMDISP_SEC_A_START, 0);
	nla_put_u64(m, MEMDISP_SEC_A_LAST, 1);
	nla_nest_end(m, n);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, "needs start, last and type");
	reply_free(&r);
	/* bad type value (policy) */
	m = req(MEMDISP_CMD_MAP_SET, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, g_as);
	nla_put_u64(m, MEMDISP_A_GENERATION, 1);
	n = nla_nest_start(m, NLA_F_NESTED | MEMDISP_A_SECTION);
	nla_put_u64(m, MEMDISP_SEC_A_START, 0);
	nla_put_u64(m, MEMDISP_SEC_A_LAST, 1);
	nla_put_u32(m, MEMDISP_SEC_A_TYPE, 17);
	nla_nest_end(m, n);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -ERANGE, NULL);
	reply_free(&r);
	/* nest without NLA_F_NESTED */
	m = req(MEMDISP_CMD_MAP_SET, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, g_as);
	nla_put_u64(m, MEMDISP_A_GENERATION, 1);
	n = nla_nest_start(m, MEMDISP_A_SECTION);
	n->nla_type &= ~NLA_F_NESTED;	/* libnl may set it on its own */
	nla_put_u64(m, MEMDISP_SEC_A_START, 0);
	nla_put_u64(m, MEMDISP_SEC_A_LAST, 1);
	nla_put_u32(m, MEMDISP_SEC_A_TYPE, 0);
	nla_nest_end(m, n);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, "NLA_F_NESTED");
	reply_free(&r);
	/* missing generation */
	m = req(MEMDISP_CMD_MAP_SET, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, g_as);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, NULL);
	CHECK(r.miss_type == MEMDISP_A_GENERATION);
	reply_free(&r);
	/* nothing changed */
	CHECK(as_get(sk, g_as, &ai) == 0);
	CHECK(ai.gen == 1 && ai.nr == 3);
	return true;
}

static struct sec *g_v;
static u32 g_n;

static bool t_map_random_translate(void)
{
	struct reply r;
	u32 i;

	g_n = 2000;
	g_v = calloc(g_n, sizeof(*g_v));
	CHECK(g_v);
	random_map(g_v, g_n);
	CHECK(map_set(sk, g_as, 1, g_v, g_n, &r) == 0);
	reply_free(&r);
	for (i = 0; i < 5000; i++) {
		u64 len = below(4) ? 1ULL << below(4) : 1 + below(0x40000);

		if (!check_xlat(g_as, g_v, g_n, pick_addr(g_v, g_n), len,
				below(2)))
			return false;
	}
	return true;
}

static bool t_map_get_dump(void)
{
	struct nlattr *tb[MEMDISP_A_MAX + 1], *s[MEMDISP_SEC_A_MAX + 1];
	struct nl_msg *m = req(MEMDISP_CMD_MAP_GET, NLM_F_DUMP);
	struct reply r;
	int i;

	nla_put_u32(m, MEMDISP_A_AS_ID, g_as);
	CHECK(xfer(sk, m, &r) == 0);
	CHECK(r.nmsgs == (int)g_n);
	for (i = 0; i < r.nmsgs; i++) {
		const struct sec *v = &g_v[i];

		CHECK(reply_attrs(&r, i, tb, MEMDISP_A_MAX));
		CHECK(nla_get_u64(tb[MEMDISP_A_GENERATION]) == 2);
		CHECK(nested(tb[MEMDISP_A_SECTION], s, MEMDISP_SEC_A_MAX));
		CHECK(nla_get_u64(s[MEMDISP_SEC_A_START]) == v->start);
		CHECK(nla_get_u64(s[MEMDISP_SEC_A_LAST]) == v->last);
		CHECK(nla_get_u32(s[MEMDISP_SEC_A_TYPE]) == v->type);
		CHECK(nla_get_u64(s[MEMDISP_SEC_A_REGION_ID]) == v->region);
		CHECK(nla_get_u64(s[MEMDISP_SEC_A_OFFSET]) == v->offset);
		CHECK((s[MEMDISP_SEC_A_HVA] ? nla_get_u64(s[MEMDISP_SEC_A_HVA]) : 0) ==
		      v->hva);
	}
	reply_free(&r);
	m = req(MEMDISP_CMD_MAP_GET, NLM_F_DUMP);
	nla_put_u32(m, MEMDISP_A_AS_ID, 999999);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -ENOENT, "no such address space");
	reply_free(&r);
	return true;
}


static int send_delta(u32 as, u64 gen, const u64 (*rm)[2], u32 nrm,
		      const struct sec *add, u32 nadd, struct reply *r)
{
	struct nl_msg *m = req(MEMDISP_CMD_MAP_DELTA, 0);
	u32 i;

	nla_put_u32(m, MEMDISP_A_AS_ID, as);
	nla_put_u64(m, MEMDISP_A_GENERATION, gen);
	for (i = 0; i < nrm; i++) {
		struct nlattr *n = nla_nest_start(m, NLA_F_NESTED | MEMDISP_A_REMOVE);

		nla_put_u64(m, MEMDISP_A_START, rm[i][0]);
		nla_put_u64(m, MEMDISP_A_LAST, rm[i][1]);
		nla_nest_end(m, n);
	}
	for (i = 0; i < nadd; i++)
		put_sec(m, &add[i]);
	return xfer(sk, m, r);
}

static bool t_map_delta(void)
{
	u64 rm[40][2];
	struct sec add[40], *out;
	u64 gen = 2;
	u32 round, i, nrm, nadd, nout;
	struct asinfo ai;
	struct reply r;

	out = calloc(g_n + 200, sizeof(*out));
	CHECK(out);
	for (round = 0; round < 20; round++) {
		/* removals: sorted random ranges that cut sections */
		u64 cur = below(0x10000);
		u64 top = g_v[g_n - 1].last;

		nrm = 1 + below(20);
		for (i = 0; i < nrm; i++) {
			rm[i][0] = cur;
			rm[i][1] = cur + below(0x30000);
			cur = rm[i][1] + 1 + below(top / nrm);
		}
		/* additions inside the first removed range only: never overlap */
		nadd = 0;
		for (i = 0; i < nrm && nadd < 40; i++) {
			if (below(2))
				continue;
			add[nadd] = (struct sec){
				.start = rm[i][0], .last = rm[i][1],
				.type = MEMDISP_SEC_MMIO, .region = 5000 + round,
			};
			nadd++;
		}
		nout = model_delta(g_v, g_n, (const u64 (*)[2])rm, nrm, add,
				   nadd, out);
		if (send_delta(g_as, gen, (const u64 (*)[2])rm, nrm, add, nadd, &r)) {
			diag("delta refused: %d %s", r.err, r.extack);
			return false;
		}
		reply_free(&r);
		gen++;
		memcpy(g_v, out, nout * sizeof(*out));
		g_n = nout;
		CHECK(as_get(sk, g_as, &ai) == 0);
		CHECK(ai.gen == gen && ai.nr == g_n);
		for (i = 0; i < 300; i++)
			if (!check_xlat(g_as, g_v, g_n, pick_addr(g_v, g_n),
					1 + below(0x100), below(2)))
				return false;
	}
	free(out);
	/* stale */
	send_delta(g_as, gen - 1, NULL, 0, NULL, 0, &r);
	EXPECT_ERR(&r, -ESTALE, "stale generation");
	reply_free(&r);
	/* an addition overlapping a kept section */
	add[0] = g_v[g_n / 2];
	add[0].last = add[0].start;
	send_delta(g_as, gen, NULL, 0, add, 1, &r);
	EXPECT_ERR(&r, -EEXIST, "overlaps");
	reply_free(&r);
	/* unsorted removals */
	rm[0][0] = 100;
	rm[0][1] = 200;
	rm[1][0] = 50;
	rm[1][1] = 60;
	send_delta(g_as, gen, (const u64 (*)[2])rm, 2, NULL, 0, &r);
	EXPECT_ERR(&r, -EINVAL, "unsorted");
	reply_free(&r);
	CHECK(as_get(sk, g_as, &ai) == 0);
	CHECK(ai.gen == gen && ai.nr == g_n);
	return true;
}

/* Chunked publication of @n sections [i * 16, i * 16 + 9]. */
static int publish_chunked(u32 as, u64 gen, u32 n, u32 chunk, u32 send,
			   u32 *txn_out, bool commit)
{
	struct nlattr *tb[MEMDISP_A_MAX + 1];
	struct nl_msg *m = req(MEMDISP_CMD_MAP_BEGIN, 0);
	struct reply r;
	u32 txn, i = 0;
	int ret;

	nla_put_u32(m, MEMDISP_A_AS_ID, as);
	nla_put_u64(m, MEMDISP_A_GENERATION, gen);
	nla_put_u32(m, MEMDISP_A_TXN_COUNT, n);
	ret = xfer(sk, m, &r);
	if (ret || !reply_attrs(&r, 0, tb, MEMDISP_A_MAX)) {
		diag("MAP_BEGIN: %d %s", r.err, r.extack);
		reply_free(&r);
		return ret ? ret : -EBADMSG;
	}
	txn = nla_get_u32(tb[MEMDISP_A_TXN_ID]);
	reply_free(&r);
	*txn_out = txn;
	while (i < send) {
		u32 j;

		m = req(MEMDISP_CMD_MAP_CHUNK, 0);
		nla_put_u32(m, MEMDISP_A_AS_ID, as);
		nla_put_u32(m, MEMDISP_A_TXN_ID, txn);
		for (j = 0; j < chunk && i < send; j++, i++) {
			struct sec s = {
				.start = (u64)i * 16, .last = (u64)i * 16 + 9,
				.type = i % 4, .region = i, .offset = i * 3,
			};
			put_sec(m, &s);
		}
		ret = xfer(sk, m, &r);
		if (ret) {
			diag("MAP_CHUNK at %u: %d %s", i, r.err, r.extack);
			reply_free(&r);
			return ret;
		}
		reply_free(&r);
	}
	if (!commit)
		return 0;
	m = req(MEMDISP_CMD_MAP_COMMIT, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, as);
	nla_put_u32(m, MEMDISP_A_TXN_ID, txn);
	ret = xfer(sk, m, &r);
	if (ret)
		diag("MAP_COMMIT: %d %s", r.err, r.extack);
	reply_free(&r);
	return ret;
}

static bool t_txn_1m(void)
{
	u32 as = as_new(sk, "big", 0), txn, i, n = 1 << 20;
	struct asinfo ai;
	struct reply r;

	CHECK(as);
	CHECK(publish_chunked(as, 0, n, 8000, n, &txn, true) == 0);
	CHECK(as_get(sk, as, &ai) == 0);
	CHECK(ai.gen == 1 && ai.nr == n);
	diag("1M-section map: %llu bytes in the kernel (%.1f per section)",
	     (unsigned long long)ai.mem, (double)ai.mem / n);
	for (i = 0; i < 3000; i++) {
		u64 k = below(n), a = k * 16 + below(16);
		struct xres x = translate(sk, as, a, 4, false);

		if (a % 16 < 10) {
			CHECK(x.status == MEMDISP_XLAT_OK && x.region == k &&
			      x.type == k % 4 && x.offset == k * 3 + a % 16 &&
			      x.len == (u64)(10 - a % 16 < 4 ? 10 - a % 16 : 4));
		} else {
			CHECK(x.status == MEMDISP_XLAT_UNASSIGNED &&
			      x.len == (u64)(16 - a % 16 < 4 ? 16 - a % 16 : 4));
		}
	}
	CHECK(as_del(sk, as, &r) == 0);
	reply_free(&r);
	return true;
}

static int txn_cmd(int cmd, u32 as, u32 txn, struct reply *r)
{
	struct nl_msg *m = req(cmd, 0);

	nla_put_u32(m, MEMDISP_A_AS_ID, as);
	nla_put_u32(m, MEMDISP_A_TXN_ID, txn);
	return xfer(sk, m, r);
}

static bool t_txn_errors(void)
{
	u32 as = as_new(sk, "txn", 0), txn, t2;
	u64 live = stat_get(sk, MEMDISP_STATS_A_LIVE_TXNS);
	struct asinfo ai;
	struct nl_msg *m;
	struct reply r;
	struct sec s = { .start = 0, .last = 5, .type = MEMDISP_SEC_RAM };

	CHECK(as);
	/* truncated: commit with fewer sections than announced */
	CHECK(publish_chunked(as, 0, 100, 30, 60, &txn, false) == 0);
	txn_cmd(MEMDISP_CMD_MAP_COMMIT, as, txn, &r);
	EXPECT_ERR(&r, -EINVAL, "truncated");
	reply_free(&r);
	txn_cmd(MEMDISP_CMD_MAP_COMMIT, as, txn, &r);	/* it is gone */
	EXPECT_ERR(&r, -ENOENT, "no such transaction");
	reply_free(&r);
	/* more sections than announced */
	CHECK(publish_chunked(as, 0, 10, 30, 30, &txn, false) == -E2BIG);
	txn_cmd(MEMDISP_CMD_MAP_ABORT, as, txn, &r);	/* spoiled, gone */
	EXPECT_ERR(&r, -ENOENT, NULL);
	reply_free(&r);
	/* busy, abort */
	CHECK(publish_chunked(as, 0, 10, 5, 5, &txn, false) == 0);
	CHECK(publish_chunked(as, 0, 10, 5, 5, &t2, false) == -EBUSY);
	txn_cmd(MEMDISP_CMD_MAP_CHUNK, as, txn + 1, &r);
	EXPECT_ERR(&r, -ENOENT, "no such transaction");
	reply_free(&r);
	/* a chunk breaking the order spoils the transaction */
	m = req(MEMDISP_CMD_MAP_CHUNK, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, as);
	nla_put_u32(m, MEMDISP_A_TXN_ID, txn);
	put_sec(m, &s);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, "unsorted or overlapping");
	reply_free(&r);
	CHECK(txn_cmd(MEMDISP_CMD_MAP_ABORT, as, txn, &r) == -ENOENT);
	reply_free(&r);
	/* abort a healthy one */
	CHECK(publish_chunked(as, 0, 10, 5, 5, &txn, false) == 0);
	CHECK(txn_cmd(MEMDISP_CMD_MAP_ABORT, as, txn, &r) == 0);
	reply_free(&r);
	/* stale at commit: a MAP_SET got in between */
	CHECK(publish_chunked(as, 0, 10, 5, 10, &txn, false) == 0);
	CHECK(map_set(sk, as, 0, &s, 1, &r) == 0);
	reply_free(&r);
	txn_cmd(MEMDISP_CMD_MAP_COMMIT, as, txn, &r);
	EXPECT_ERR(&r, -ESTALE, "stale");
	reply_free(&r);
	/* stale at begin; absurd count */
	CHECK(publish_chunked(as, 0, 10, 5, 10, &txn, false) == -ESTALE);
	m = req(MEMDISP_CMD_MAP_BEGIN, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, as);
	nla_put_u64(m, MEMDISP_A_GENERATION, 1);
	nla_put_u32(m, MEMDISP_A_TXN_COUNT, 0xffffffff);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -E2BIG, "max_sections");
	reply_free(&r);
	CHECK(as_get(sk, as, &ai) == 0);
	CHECK(ai.gen == 1 && ai.nr == 1);
	CHECK(stat_get(sk, MEMDISP_STATS_A_LIVE_TXNS) == live);
	CHECK(as_del(sk, as, &r) == 0);
	reply_free(&r);
	return true;
}

/* Wait until a live-object counter stops moving (RCU-deferred frees). */
static u64 stat_settle(int which)
{
	u64 v = stat_get(sk, which), w;
	int i;

	for (i = 0; i < 100; i++) {
		usleep(50000);
		w = stat_get(sk, which);
		if (w == v)
			break;
		v = w;
	}
	return v;
}

/* An emulator that exits mid-transaction leaks nothing. */
static bool t_owner_exit(void)
{
	u64 live_as = stat_settle(MEMDISP_STATS_A_LIVE_AS);
	u64 live_txn = stat_get(sk, MEMDISP_STATS_A_LIVE_TXNS);
	struct nl_sock *other = sock_open(), *save = sk;
	u32 as, txn, i;
	struct asinfo ai;

	sk = other;
	as = as_new(other, "owned", 0);
	CHECK(as);
	CHECK(publish_chunked(as, 0, 1000, 100, 300, &txn, false) == 0);
	sk = save;
	CHECK(stat_get(sk, MEMDISP_STATS_A_LIVE_TXNS) == live_txn + 1);
	nl_socket_free(other);
	/* the release notifier runs synchronously in close() */
	CHECK(as_get(sk, as, &ai) == -ENOENT);
	for (i = 0; i < 100 && stat_get(sk, MEMDISP_STATS_A_LIVE_AS) != live_as; i++)
		usleep(20000);	/* the object itself goes after a grace period */
	CHECK(stat_get(sk, MEMDISP_STATS_A_LIVE_AS) == live_as);
	CHECK(stat_get(sk, MEMDISP_STATS_A_LIVE_TXNS) == live_txn);
	return true;
}

/* ---- IOMMU and events ---------------------------------------------------- */

static struct nl_sock *ev;	/* subscribed to the events group */

static void ev_drain(void)
{
	char buf[8192];

	while (recv(nl_socket_get_fd(ev), buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* Wait up to @ms for an event of @cmd; fill tb. */
static bool ev_wait(int cmd, int ms, u32 *a, u64 *b, u32 *c)
{
	static unsigned char buf[65536];
	struct pollfd p = { .fd = nl_socket_get_fd(ev), .events = POLLIN };

	while (poll(&p, 1, ms) > 0) {
		ssize_t n = recv(p.fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;
		int rem = n;

		for (h = (struct nlmsghdr *)buf; n > 0 && NLMSG_OK(h, rem);
		     h = NLMSG_NEXT(h, rem)) {
			struct genlmsghdr *g = NLMSG_DATA(h);
			struct nlattr *tb[MEMDISP_A_MAX + 1];

			if (h->nlmsg_type != family || g->cmd != cmd ||
			    genlmsg_parse(h, 0, tb, MEMDISP_A_MAX, NULL))
				continue;
			if (cmd == MEMDISP_CMD_EVT_IOTLB_MISS) {
				*a = nla_get_u32(tb[MEMDISP_A_IOMMU_ID]);
				*b = nla_get_u64(tb[MEMDISP_A_IOVA]);
				*c = nla_get_u32(tb[MEMDISP_A_PERM]);
			} else {
				*a = nla_get_u32(tb[MEMDISP_A_AS_ID]);
				*b = nla_get_u64(tb[MEMDISP_A_GENERATION]);
				*c = tb[MEMDISP_A_AS_DEAD] != NULL;
			}
			return true;
		}
	}
	return false;
}

static int iotlb(int cmd, u32 iommu, u64 iova, u64 xlat, u64 mask, u32 perm,
		 struct reply *r)
{
	struct nl_msg *m = req(cmd, 0);

	nla_put_u32(m, MEMDISP_A_IOMMU_ID, iommu);
	if (cmd == MEMDISP_CMD_IOTLB_UPDATE) {
		struct nlattr *n = nla_nest_start(m, NLA_F_NESTED | MEMDISP_A_IOTLB);

		nla_put_u64(m, MEMDISP_IOTLB_A_IOVA, iova);
		nla_put_u64(m, MEMDISP_IOTLB_A_XLAT, xlat);
		nla_put_u64(m, MEMDISP_IOTLB_A_MASK, mask);
		nla_put_u32(m, MEMDISP_IOTLB_A_PERM, perm);
		nla_nest_end(m, n);
	} else if (cmd == MEMDISP_CMD_IOTLB_INVAL) {
		nla_put_u64(m, MEMDISP_A_START, iova);
		nla_put_u64(m, MEMDISP_A_LAST, xlat);
	}
	return xfer(sk, m, r);
}

static u32 iommu_new(u32 target)
{
	struct nl_msg *m = req(MEMDISP_CMD_IOMMU_NEW, 0);
	struct nlattr *tb[MEMDISP_A_MAX + 1];
	struct reply r;
	u32 id = 0;

	nla_put_u32(m, MEMDISP_A_AS_ID, target);
	if (!xfer(sk, m, &r) && reply_attrs(&r, 0, tb, MEMDISP_A_MAX))
		id = nla_get_u32(tb[MEMDISP_A_IOMMU_ID]);
	else
		diag("IOMMU_NEW: %d %s", r.err, r.extack);
	reply_free(&r);
	return id;
}

static u32 g_dev, g_mem, g_iommu;

static bool t_map_changed_event(void)
{
	struct sec s = { .start = 0, .last = 0xffffffffULL,
			 .type = MEMDISP_SEC_RAM, .region = 77,
			 .hva = 0x7e0000000000ULL };
	struct reply r;
	u32 a, c;
	u64 b;

	ev_drain();
	g_mem = as_new(sk, "memory", 0);
	CHECK(g_mem);
	CHECK(map_set(sk, g_mem, 0, &s, 1, &r) == 0);
	reply_free(&r);
	CHECK(ev_wait(MEMDISP_CMD_EVT_MAP_CHANGED, 2000, &a, &b, &c));
	CHECK(a == g_mem && b == 1 && !c);
	return true;
}

static bool t_iommu(void)
{
	struct sec s;
	struct reply r;
	struct xres x;
	u32 a, c;
	u64 b;

	g_iommu = iommu_new(g_mem);
	CHECK(g_iommu);
	g_dev = as_new(sk, "dev-dma", 0);
	CHECK(g_dev);
	s = (struct sec){ .start = 0, .last = (1ULL << 32) - 1,
			  .type = MEMDISP_SEC_IOMMU, .iommu = g_iommu,
			  .offset = 0x100000 };
	CHECK(map_set(sk, g_dev, 0, &s, 1, &r) == 0);
	reply_free(&r);
	ev_drain();
	/* miss -> event once */
	x = translate(sk, g_dev, 0x2345, 8, true);
	CHECK(x.err == 0 && x.status == MEMDISP_XLAT_IOTLB_MISS);
	CHECK(x.iommu == g_iommu && x.iova == 0x102345 &&
	      x.perm == MEMDISP_PERM_WRITE);
	CHECK(ev_wait(MEMDISP_CMD_EVT_IOTLB_MISS, 2000, &a, &b, &c));
	CHECK(a == g_iommu && b == 0x102000 && c == MEMDISP_PERM_WRITE);
	x = translate(sk, g_dev, 0x2ff0, 8, true);
	CHECK(x.status == MEMDISP_XLAT_IOTLB_MISS);
	CHECK(!ev_wait(MEMDISP_CMD_EVT_IOTLB_MISS, 300, &a, &b, &c));
	/* fill */
	CHECK(iotlb(MEMDISP_CMD_IOTLB_UPDATE, g_iommu, 0x102000, 0x55000,
		    0xfff, MEMDISP_PERM_RW, &r) == 0);
	reply_free(&r);
	x = translate(sk, g_dev, 0x2345, 0x2000, true);
	CHECK(x.err == 0 && x.status == MEMDISP_XLAT_OK);
	CHECK(x.depth == 1 && x.as_id == g_mem && x.addr == 0x55345 &&
	      x.region == 77 && x.offset == 0x55345 &&
	      x.len == 0x1000 - 0x345 && x.perm == MEMDISP_PERM_RW &&
	      x.hva == 0x7e0000000000ULL + 0x55345);
	/* read-only entry denies writes */
	CHECK(iotlb(MEMDISP_CMD_IOTLB_UPDATE, g_iommu, 0x200000, 0x400000,
		    0x1fffff, MEMDISP_PERM_READ, &r) == 0);
	reply_free(&r);
	x = translate(sk, g_dev, 0x100010, 4, true);
	CHECK(x.status == MEMDISP_XLAT_DENIED && x.iommu == g_iommu);
	x = translate(sk, g_dev, 0x100010, 4, false);
	CHECK(x.status == MEMDISP_XLAT_OK && x.addr == 0x400010 &&
	      x.perm == MEMDISP_PERM_READ);
	/* invalidate -> miss again, new event */
	ev_drain();
	CHECK(iotlb(MEMDISP_CMD_IOTLB_INVAL, g_iommu, 0x102800, 0x102800, 0, 0,
		    &r) == 0);
	reply_free(&r);
	x = translate(sk, g_dev, 0x2345, 8, false);
	CHECK(x.status == MEMDISP_XLAT_IOTLB_MISS);
	CHECK(ev_wait(MEMDISP_CMD_EVT_IOTLB_MISS, 2000, &a, &b, &c));
	CHECK(a == g_iommu && b == 0x102000 && c == MEMDISP_PERM_READ);
	x = translate(sk, g_dev, 0x100010, 4, false);
	CHECK(x.status == MEMDISP_XLAT_OK);
	/* flush */
	CHECK(iotlb(MEMDISP_CMD_IOTLB_FLUSH, g_iommu, 0, 0, 0, 0, &r) == 0);
	reply_free(&r);
	x = translate(sk, g_dev, 0x100010, 4, false);
	CHECK(x.status == MEMDISP_XLAT_IOTLB_MISS);
	CHECK(stat_get(sk, MEMDISP_STATS_A_IOTLB_HITS) >= 3);
	CHECK(stat_get(sk, MEMDISP_STATS_A_IOTLB_MISSES) >= 4);
	return true;
}

static bool t_iotlb_errors(void)
{
	struct nl_msg *m;
	struct reply r;

	iotlb(MEMDISP_CMD_IOTLB_UPDATE, g_iommu, 0x1000, 0, 0xffe, 1, &r);
	EXPECT_ERR(&r, -EINVAL, "power of two");
	reply_free(&r);
	iotlb(MEMDISP_CMD_IOTLB_UPDATE, g_iommu, 0x1800, 0, 0xfff, 1, &r);
	EXPECT_ERR(&r, -EINVAL, "iova not aligned");
	reply_free(&r);
	iotlb(MEMDISP_CMD_IOTLB_UPDATE, g_iommu, 0x1000, 0x10, 0xfff, 1, &r);
	EXPECT_ERR(&r, -EINVAL, "translated address not aligned");
	reply_free(&r);
	iotlb(MEMDISP_CMD_IOTLB_UPDATE, g_iommu, 0x1000, 0, 0xfff, 4, &r);
	EXPECT_ERR(&r, -ERANGE, NULL);
	reply_free(&r);
	iotlb(MEMDISP_CMD_IOTLB_UPDATE, 999999, 0x1000, 0, 0xfff, 1, &r);
	EXPECT_ERR(&r, -ENOENT, "no such IOMMU");
	reply_free(&r);
	iotlb(MEMDISP_CMD_IOTLB_INVAL, g_iommu, 0x2000, 0x1000, 0, 0, &r);
	EXPECT_ERR(&r, -EINVAL, "last below start");
	reply_free(&r);
	m = req(MEMDISP_CMD_IOTLB_UPDATE, 0);
	nla_put_u32(m, MEMDISP_A_IOMMU_ID, g_iommu);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, "no IOTLB entry");
	reply_free(&r);
	m = req(MEMDISP_CMD_IOMMU_NEW, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, 999999);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -ENOENT, "no such address space");
	reply_free(&r);
	return true;
}

static bool t_iommu_cycle_and_del(void)
{
	u32 self = iommu_new(g_dev);
	struct sec s[2];
	struct reply r;
	struct xres x;
	struct asinfo ai;

	CHECK(self);
	/* dev: [0, 4G) through g_iommu, [4G, 8G) through an IOMMU into itself */
	CHECK(as_get(sk, g_dev, &ai) == 0);
	s[0] = (struct sec){ .start = 0, .last = (1ULL << 32) - 1,
			     .type = MEMDISP_SEC_IOMMU, .iommu = g_iommu,
			     .offset = 0x100000 };
	s[1] = (struct sec){ .start = 1ULL << 32, .last = (2ULL << 32) - 1,
			     .type = MEMDISP_SEC_IOMMU, .iommu = self };
	CHECK(map_set(sk, g_dev, ai.gen, s, 2, &r) == 0);
	reply_free(&r);
	/* identity-ish: iova x -> 4G + x, so it comes back to section 1 */
	CHECK(iotlb(MEMDISP_CMD_IOTLB_UPDATE, self, 0, 1ULL << 32,
		    (1ULL << 32) - 1, MEMDISP_PERM_RW, &r) == 0);
	reply_free(&r);
	x = translate(sk, g_dev, (1ULL << 32) + 0x10, 4, false);
	CHECK(x.err == 0 && x.status == MEMDISP_XLAT_LOOP &&
	      x.depth == MEMDISP_MAX_DEPTH);
	/* destroy it: its sections become unassigned */
	{
		struct nl_msg *m = req(MEMDISP_CMD_IOMMU_DEL, 0);

		nla_put_u32(m, MEMDISP_A_IOMMU_ID, self);
		CHECK(xfer(sk, m, &r) == 0);
		reply_free(&r);
		m = req(MEMDISP_CMD_IOMMU_DEL, 0);
		nla_put_u32(m, MEMDISP_A_IOMMU_ID, self);
		xfer(sk, m, &r);
		EXPECT_ERR(&r, -ENOENT, "no such IOMMU");
		reply_free(&r);
	}
	x = translate(sk, g_dev, (1ULL << 32) + 0x10, 4, false);
	CHECK(x.status == MEMDISP_XLAT_UNASSIGNED);
	return true;
}

/* The module's miss_slots parameter as the module rounds it, or 0. */
static u32 miss_slots(void)
{
	FILE *f = fopen("/sys/module/memdisp/parameters/miss_slots", "r");
	unsigned int v = 0;
	u32 n = 8;

	if (!f)
		return 0;
	if (fscanf(f, "%u", &v) != 1)
		v = 0;
	fclose(f);
	if (!v)
		return 0;
	if (v > 65536)
		v = 65536;
	while (n < v)
		n <<= 1;
	return n;
}

static void iommu_del(u32 id)
{
	struct nl_msg *m = req(MEMDISP_CMD_IOMMU_DEL, 0);
	struct reply r;

	nla_put_u32(m, MEMDISP_A_IOMMU_ID, id);
	xfer(sk, m, &r);
	reply_free(&r);
}

/*
 * The miss table's bound: with miss_slots pages missing and unfilled, each
 * raises exactly one event; a further page raises none and is counted in
 * miss_dropped; filling one page frees its slot for the next.
 */
static bool t_miss_bound(void)
{
	u32 n = miss_slots(), mem, dev, mmu, i, got = 0, a, c;
	u64 drop0, ev0, b, page0 = 1ULL << 20, seen_last = 0;
	static bool seen[65536];
	struct sec s;
	struct reply r;
	struct xres x;
	bool ok = true;

	CHECK(n >= 8);
	memset(seen, 0, sizeof(seen));
	mem = as_new(sk, "miss-mem", 0);
	CHECK(mem);
	mmu = iommu_new(mem);
	CHECK(mmu);
	s = (struct sec){ .start = 0, .last = (1ULL << 32) - 1,
			  .type = MEMDISP_SEC_RAM, .region = 5 };
	CHECK(map_set(sk, mem, 0, &s, 1, &r) == 0);
	reply_free(&r);
	dev = as_new(sk, "miss-dev", 0);
	CHECK(dev);
	s = (struct sec){ .start = 0, .last = (1ULL << 40) - 1,
			  .type = MEMDISP_SEC_IOMMU, .iommu = mmu };
	CHECK(map_set(sk, dev, 0, &s, 1, &r) == 0);
	reply_free(&r);
	drop0 = stat_settle(MEMDISP_STATS_A_MISS_DROPPED);
	ev0 = stat_settle(MEMDISP_STATS_A_MISS_EVENTS);
	ev_drain();
	/* n + 5 distinct pages, each missed twice */
	for (i = 0; i < n + 5; i++) {
		u64 iova = page0 + ((u64)i << MEMDISP_MISS_PAGE_SHIFT);

		x = translate(sk, dev, iova + 8, 4, false);
		ok = ok && x.err == 0 && x.status == MEMDISP_XLAT_IOTLB_MISS &&
		     x.iova == iova + 8;
		x = translate(sk, dev, iova + 16, 4, false);
		ok = ok && x.status == MEMDISP_XLAT_IOTLB_MISS;
	}
	CHECK(ok);
	while (ev_wait(MEMDISP_CMD_EVT_IOTLB_MISS, 1000, &a, &b, &c)) {
		if (a != mmu)
			continue;
		/* one event per page, for the first n pages only */
		CHECK(b >= page0 && b < page0 + ((u64)n << MEMDISP_MISS_PAGE_SHIFT));
		i = (b - page0) >> MEMDISP_MISS_PAGE_SHIFT;
		CHECK(!seen[i]);
		seen[i] = true;
		got++;
	}
	diag("miss_slots %u: %u events, dropped %llu", n, got,
	     (unsigned long long)(stat_get(sk, MEMDISP_STATS_A_MISS_DROPPED) - drop0));
	CHECK(got == n);
	CHECK(stat_get(sk, MEMDISP_STATS_A_MISS_DROPPED) == drop0 + 2 * 5);
	CHECK(stat_settle(MEMDISP_STATS_A_MISS_EVENTS) == ev0 + n);
	/* filling page 0 frees its slot: the first dropped page now reports */
	CHECK(iotlb(MEMDISP_CMD_IOTLB_UPDATE, mmu, page0, 0x7000, 0xfff,
		    MEMDISP_PERM_RW, &r) == 0);
	reply_free(&r);
	x = translate(sk, dev, page0 + 8, 4, false);
	CHECK(x.status == MEMDISP_XLAT_OK && x.depth == 1 && x.addr == 0x7008 &&
	      x.region == 5);
	b = page0 + ((u64)n << MEMDISP_MISS_PAGE_SHIFT);
	x = translate(sk, dev, b, 4, true);
	CHECK(x.status == MEMDISP_XLAT_IOTLB_MISS);
	CHECK(ev_wait(MEMDISP_CMD_EVT_IOTLB_MISS, 2000, &a, &seen_last, &c));
	CHECK(a == mmu && seen_last == b && c == MEMDISP_PERM_WRITE);
	CHECK(stat_get(sk, MEMDISP_STATS_A_MISS_DROPPED) == drop0 + 2 * 5);
	/* a flush frees every slot */
	CHECK(iotlb(MEMDISP_CMD_IOTLB_FLUSH, mmu, 0, 0, 0, 0, &r) == 0);
	reply_free(&r);
	b = page0 + ((u64)(n + 1) << MEMDISP_MISS_PAGE_SHIFT);
	x = translate(sk, dev, b, 4, false);
	CHECK(x.status == MEMDISP_XLAT_IOTLB_MISS);
	CHECK(ev_wait(MEMDISP_CMD_EVT_IOTLB_MISS, 2000, &a, &seen_last, &c));
	CHECK(a == mmu && seen_last == b);
	CHECK(as_del(sk, dev, &r) == 0);
	reply_free(&r);
	iommu_del(mmu);
	CHECK(as_del(sk, mem, &r) == 0);
	reply_free(&r);
	return true;
}

/* Fill an IOMMU with @n 4 KiB entries in one message. */
static int iotlb_fill(u32 iommu, u32 n, struct reply *r)
{
	struct nl_msg *m = req(MEMDISP_CMD_IOTLB_UPDATE, 0);
	u32 i;

	nla_put_u32(m, MEMDISP_A_IOMMU_ID, iommu);
	for (i = 0; i < n; i++) {
		struct nlattr *a = nla_nest_start(m, NLA_F_NESTED | MEMDISP_A_IOTLB);

		nla_put_u64(m, MEMDISP_IOTLB_A_IOVA, (u64)i << 13);
		nla_put_u64(m, MEMDISP_IOTLB_A_XLAT, 0x80000000ULL + ((u64)i << 12));
		nla_put_u64(m, MEMDISP_IOTLB_A_MASK, 0xfff);
		nla_put_u32(m, MEMDISP_IOTLB_A_PERM, MEMDISP_PERM_RW);
		nla_nest_end(m, a);
	}
	return xfer(sk, m, r);
}

/*
 * Big IOTLBs (beyond the 4096 ranges at which Debian 6.1's maple tree in
 * RCU mode oopses on destruction): fill, translate, flush, refill, destroy.
 */
static bool t_iotlb_big(void)
{
	u64 live = stat_settle(MEMDISP_STATS_A_LIVE_IOTLB);
	u32 tgt = as_new(sk, "big-tgt", 0), src = as_new(sk, "big-src", 0);
	u32 iommu, i, n = 6000;
	struct nl_msg *m;
	struct sec s;
	struct reply r;
	struct xres x;

	CHECK(tgt && src);
	iommu = iommu_new(tgt);
	CHECK(iommu);
	s = (struct sec){ .start = 0, .last = ~0ULL, .type = MEMDISP_SEC_RAM };
	CHECK(map_set(sk, tgt, 0, &s, 1, &r) == 0);
	reply_free(&r);
	s = (struct sec){ .start = 0, .last = ~0ULL, .type = MEMDISP_SEC_IOMMU,
			  .iommu = iommu };
	CHECK(map_set(sk, src, 0, &s, 1, &r) == 0);
	reply_free(&r);
	CHECK(iotlb_fill(iommu, n, &r) == 0);
	reply_free(&r);
	CHECK(stat_get(sk, MEMDISP_STATS_A_LIVE_IOTLB) == live + n);
	for (i = 0; i < 200; i++) {
		u64 k = below(n), off = below(0x2000);

		x = translate(sk, src, (k << 13) + off, 1, below(2));
		if (off < 0x1000)
			CHECK(x.status == MEMDISP_XLAT_OK &&
			      x.addr == 0x80000000ULL + (k << 12) + off);
		else
			CHECK(x.status == MEMDISP_XLAT_IOTLB_MISS);
	}
	CHECK(iotlb(MEMDISP_CMD_IOTLB_FLUSH, iommu, 0, 0, 0, 0, &r) == 0);
	reply_free(&r);
	CHECK(stat_get(sk, MEMDISP_STATS_A_LIVE_IOTLB) == live);
	CHECK(translate(sk, src, 0, 1, false).status == MEMDISP_XLAT_IOTLB_MISS);
	CHECK(iotlb_fill(iommu, n, &r) == 0);
	reply_free(&r);
	m = req(MEMDISP_CMD_IOMMU_DEL, 0);
	nla_put_u32(m, MEMDISP_A_IOMMU_ID, iommu);
	CHECK(xfer(sk, m, &r) == 0);
	reply_free(&r);
	CHECK(stat_settle(MEMDISP_STATS_A_LIVE_IOTLB) == live);
	CHECK(as_del(sk, src, &r) == 0);
	reply_free(&r);
	CHECK(as_del(sk, tgt, &r) == 0);
	reply_free(&r);
	return true;
}

static bool t_translate_errors(void)
{
	struct nl_msg *m = req(MEMDISP_CMD_TRANSLATE, 0);
	struct reply r;

	nla_put_u32(m, MEMDISP_A_AS_ID, g_as);
	nla_put_u64(m, MEMDISP_A_ADDR, 0);
	nla_put_u64(m, MEMDISP_A_LEN, 0);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -ERANGE, NULL);
	reply_free(&r);
	m = req(MEMDISP_CMD_TRANSLATE, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, g_as);
	nla_put_u64(m, MEMDISP_A_ADDR, 0);
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, NULL);
	CHECK(r.miss_type == MEMDISP_A_LEN);
	reply_free(&r);
	return true;
}

/* As an unprivileged uid on its own socket: what can it see and do? */
static bool t_permissions(void)
{
	u32 pub = as_new(sk, "public", MEMDISP_AS_F_PUBLIC);
	struct sec s = { .start = 0, .last = 0xfff, .type = MEMDISP_SEC_RAM,
			 .hva = 0x7000000000ULL, .region = 9 };
	struct reply r;
	pid_t pid;
	int status;

	CHECK(pub);
	CHECK(map_set(sk, pub, 0, &s, 1, &r) == 0);
	reply_free(&r);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct asinfo ai;
		struct xres x;
		int bad = 0;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		sk = sock_open();
		if (as_get(sk, g_as, &ai) != -ENOENT)
			bad |= 1;	/* private: invisible */
		if (as_get(sk, pub, &ai) != 0)
			bad |= 2;	/* public: visible */
		x = translate(sk, pub, 0x10, 4, false);
		if (x.err || x.status != MEMDISP_XLAT_OK || x.has_hva ||
		    x.region != 9)
			bad |= 4;	/* no host address for others */
		if (map_set(sk, pub, 1, &s, 1, &r) != -EPERM ||
		    !strstr(r.extack, "only the owner"))
			bad |= 8;
		reply_free(&r);
		if (map_set(sk, g_as, 0, &s, 1, &r) != -ENOENT)
			bad |= 16;
		reply_free(&r);
		if (as_del(sk, pub, &r) != -EPERM)
			bad |= 32;
		reply_free(&r);
		if (iotlb(MEMDISP_CMD_IOTLB_FLUSH, g_iommu, 0, 0, 0, 0, &r) != -EPERM)
			bad |= 64;
		reply_free(&r);
		nl_socket_free(sk);
		_exit(bad);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		diag("child status %#x", status);
		return false;
	}
	/* the owner sees its host address */
	CHECK(translate(sk, pub, 0x10, 4, false).hva == 0x7000000010ULL);
	CHECK(as_del(sk, pub, &r) == 0);
	reply_free(&r);
	return true;
}

static bool t_as_del(void)
{
	struct reply r;
	struct asinfo ai;
	u32 a, b, c;
	u64 gen;

	ev_drain();
	CHECK(as_del(sk, g_as, &r) == 0);
	reply_free(&r);
	CHECK(ev_wait(MEMDISP_CMD_EVT_MAP_CHANGED, 2000, &a, &gen, &c));
	CHECK(a == g_as && c == 1);
	CHECK(as_get(sk, g_as, &ai) == -ENOENT);
	as_del(sk, g_as, &r);
	EXPECT_ERR(&r, -ENOENT, "no such address space");
	reply_free(&r);
	/* the IOMMU keeps its destroyed target: translations see nothing */
	CHECK(as_del(sk, g_mem, &r) == 0);
	reply_free(&r);
	CHECK(iotlb(MEMDISP_CMD_IOTLB_UPDATE, g_iommu, 0x102000, 0x55000,
		    0xfff, MEMDISP_PERM_RW, &r) == 0);
	reply_free(&r);
	CHECK(translate(sk, g_dev, 0x2345, 4, false).status ==
	      MEMDISP_XLAT_UNASSIGNED);
	(void)b;
	return true;
}

static bool t_cycles_no_leak(void)
{
	struct sec s = { .start = 0, .last = 0xfff, .type = MEMDISP_SEC_RAM };
	u64 live, maps;
	struct reply r;
	int i;

	/* objects of earlier tests go after a grace period: let them settle */
	live = stat_settle(MEMDISP_STATS_A_LIVE_AS);
	maps = stat_settle(MEMDISP_STATS_A_LIVE_MAPS);

	for (i = 0; i < 10000; i++) {
		u32 id = as_new(sk, "cycle", 0);

		CHECK(id);
		if (i % 10 == 0) {
			CHECK(map_set(sk, id, 0, &s, 1, &r) == 0);
			reply_free(&r);
		}
		CHECK(as_del(sk, id, &r) == 0);
		reply_free(&r);
	}
	for (i = 0; i < 200; i++) {
		if (stat_get(sk, MEMDISP_STATS_A_LIVE_AS) == live &&
		    stat_get(sk, MEMDISP_STATS_A_LIVE_MAPS) == maps)
			break;
		usleep(20000);
	}
	diag("after 10000 cycles: live AS %llu (was %llu), maps %llu (was %llu)",
	     (unsigned long long)stat_get(sk, MEMDISP_STATS_A_LIVE_AS),
	     (unsigned long long)live,
	     (unsigned long long)stat_get(sk, MEMDISP_STATS_A_LIVE_MAPS),
	     (unsigned long long)maps);
	CHECK(stat_get(sk, MEMDISP_STATS_A_LIVE_AS) == live);
	CHECK(stat_get(sk, MEMDISP_STATS_A_LIVE_MAPS) == maps);
	return true;
}

static bool t_limit_as_per_owner(void)
{
	struct nl_sock *other = sock_open();
	struct nl_msg *m;
	struct reply r;
	int i, max = MEMDISP_DEF_MAX_AS_PER_OWNER;

	for (i = 0; i < max; i++)
		CHECK(as_new(other, "lim", 0));
	m = req(MEMDISP_CMD_AS_NEW, 0);
	nla_put_string(m, MEMDISP_A_AS_NAME, "lim");
	xfer(other, m, &r);
	EXPECT_ERR(&r, -ENOSPC, "max_as_per_owner");
	reply_free(&r);
	nl_socket_free(other);
	return true;
}

static bool t_noop(void)
{
	struct sec s = { .start = 5, .last = 1, .type = MEMDISP_SEC_RAM };
	struct nl_msg *m = req(MEMDISP_CMD_NOOP, 0);
	struct reply r;

	put_sec(m, &s);		/* contents are not interpreted */
	CHECK(xfer(sk, m, &r) == 0);
	reply_free(&r);
	m = req(MEMDISP_CMD_NOOP, 0);
	nla_put_string(m, MEMDISP_A_AS_NAME, "x");
	xfer(sk, m, &r);
	EXPECT_ERR(&r, -EINVAL, "not valid for this command");
	reply_free(&r);
	return true;
}

static bool t_stats(void)
{
	u64 before = stat_get(sk, MEMDISP_STATS_A_LOOKUPS);

	CHECK(before != ~0ULL);
	translate(sk, g_dev, 0, 1, false);
	CHECK(stat_get(sk, MEMDISP_STATS_A_LOOKUPS) == before + 1);
	CHECK(stat_get(sk, MEMDISP_STATS_A_LIVE_IOMMUS) >= 1);
	CHECK(stat_get(sk, MEMDISP_STATS_A_PUBLISHES) >= 10);
	CHECK(stat_get(sk, MEMDISP_STATS_A_MISS_EVENTS) >= 2);
	return true;
}

/* ---- publish benchmark ("memdisp-nltest bench") ------------------------ */

#include <time.h>

#define BENCH_CHUNK 8000

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Send one message (consumed); return its size in bytes, or 0 on error. */
static size_t bench_send(struct nl_msg *m, struct reply *r)
{
	size_t len = nlmsg_hdr(m)->nlmsg_len;

	if (xfer(sk, m, r)) {
		diag("bench: request failed: %d %s", r->err, r->extack);
		reply_free(r);
		return 0;
	}
	return len;
}

/*
 * Publish @n sections into @as (one MAP_SET up to BENCH_CHUNK, else a
 * transaction), or with @noop the same messages as NOOPs: the transport
 * floor.  Returns bytes sent, 0 on error.
 */
static size_t bench_publish(u32 as, u64 *gen, const struct sec *v, u32 n,
			    bool noop)
{
	struct nlattr *tb[MEMDISP_A_MAX + 1];
	struct nl_msg *m;
	struct reply r;
	size_t bytes = 0, b;
	u32 i = 0, j, txn = 1;

	if (n <= BENCH_CHUNK) {
		m = req(noop ? MEMDISP_CMD_NOOP : MEMDISP_CMD_MAP_SET, 0);
		nla_put_u32(m, MEMDISP_A_AS_ID, as);
		nla_put_u64(m, MEMDISP_A_GENERATION, *gen);
		for (j = 0; j < n; j++)
			put_sec(m, &v[j]);
		b = bench_send(m, &r);
		reply_free(&r);
		*gen += !noop;
		return b;
	}
	m = req(noop ? MEMDISP_CMD_NOOP : MEMDISP_CMD_MAP_BEGIN, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, as);
	nla_put_u64(m, MEMDISP_A_GENERATION, *gen);
	nla_put_u32(m, MEMDISP_A_TXN_COUNT, n);
	b = bench_send(m, &r);
	if (!b)
		return 0;
	bytes += b;
	if (!noop && reply_attrs(&r, 0, tb, MEMDISP_A_MAX))
		txn = nla_get_u32(tb[MEMDISP_A_TXN_ID]);
	reply_free(&r);
	while (i < n) {
		m = req(noop ? MEMDISP_CMD_NOOP : MEMDISP_CMD_MAP_CHUNK, 0);
		nla_put_u32(m, MEMDISP_A_AS_ID, as);
		nla_put_u32(m, MEMDISP_A_TXN_ID, txn);
		for (j = 0; j < BENCH_CHUNK && i < n; j++, i++)
			put_sec(m, &v[i]);
		b = bench_send(m, &r);
		reply_free(&r);
		if (!b)
			return 0;
		bytes += b;
	}
	m = req(noop ? MEMDISP_CMD_NOOP : MEMDISP_CMD_MAP_COMMIT, 0);
	nla_put_u32(m, MEMDISP_A_AS_ID, as);
	nla_put_u32(m, MEMDISP_A_TXN_ID, txn);
	b = bench_send(m, &r);
	reply_free(&r);
	if (!b)
		return 0;
	*gen += !noop;
	return bytes + b;
}

static int bench_main(void)
{
	static const u32 sizes[] = { 1024, 100000 };
	unsigned int k;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		u32 n = sizes[k], as = as_new(sk, "bench", 0);
		struct sec *v = calloc(n, sizeof(*v));
		u64 gen = 0, best = ~0ULL, floor = ~0ULL, t;
		size_t bytes = 0;
		struct asinfo ai;
		struct reply r;
		int rep;

		if (!as || !v)
			return 1;
		random_map(v, n);
		for (rep = 0; rep < 5; rep++) {
			t = now_ns();
			bytes = bench_publish(as, &gen, v, n, false);
			t = now_ns() - t;
			if (!bytes)
				return 1;
			best = t < best ? t : best;
			t = now_ns();
			if (!bench_publish(as, &gen, v, n, true))
				return 1;
			t = now_ns() - t;
			floor = t < floor ? t : floor;
		}
		if (as_get(sk, as, &ai) || ai.nr != n)
			return 1;
		printf("bench: kmod_publish_%u %.1f us\n", n, best / 1e3);
		printf("bench: kmod_publish_floor_noop_%u %.1f us\n", n, floor / 1e3);
		printf("bench: kmod_publish_ratio_over_floor_%u %.2f x\n", n,
		       (double)best / floor);
		printf("bench: kmod_wire_bytes_per_section_%u %.1f B\n", n,
		       (double)bytes / n);
		printf("bench: kmod_kernel_bytes_per_section_%u %.1f B\n", n,
		       (double)ai.mem / n);
		as_del(sk, as, &r);
		reply_free(&r);
		free(v);
	}
	return 0;
}

int main(int argc, char **argv)
{
	sk = sock_open();
	family = genl_ctrl_resolve(sk, MEMDISP_GENL_NAME);
	if (argc > 1 && !strcmp(argv[1], "bench")) {
		if (family < 0) {
			fprintf(stderr, "memdisp-nltest: family %s not registered\n",
				MEMDISP_GENL_NAME);
			return 1;
		}
		return bench_main();
	}
	printf("TAP version 13\n");
	if (family < 0) {
		printf("1..1\nnot ok 1 - family %s registered (is memdisp.ko loaded?)\n",
		       MEMDISP_GENL_NAME);
		return 1;
	}
	mcgrp = genl_ctrl_resolve_grp(sk, MEMDISP_GENL_NAME, MEMDISP_MCGRP_EVENTS);
	ev = sock_open();
	if (mcgrp < 0 || nl_socket_add_membership(ev, mcgrp)) {
		printf("1..1\nnot ok 1 - events multicast group\n");
		return 1;
	}
	report(true, "family and events group resolve");
	report(t_as_new_get(), "AS_NEW and AS_GET");
	report(t_as_new_errors(), "AS_NEW refuses missing/empty/duplicate/unknown/misplaced attributes");
	report(t_as_get_missing(), "AS_GET of a missing address space");
	report(t_as_dump(), "AS_GET dump and AS_DEL");
	report(t_map_set_small(), "MAP_SET small map and translations");
	report(t_map_errors(), "MAP_SET refuses stale, unsorted, overlapping, malformed sections");
	report(t_map_random_translate(), "5000 translations on a random 2000-section map vs model");
	report(t_map_get_dump(), "MAP_GET dump matches the published map");
	report(t_map_delta(), "MAP_DELTA trims, splits and adds like the model; refuses stale/overlap");
	report(t_txn_1m(), "chunked publication of 1M sections");
	report(t_txn_errors(), "transactions: truncated, overfull, busy, spoiled, aborted, stale");
	report(t_owner_exit(), "owner socket closed mid-transaction frees everything");
	report(t_map_changed_event(), "map-changed event on the multicast group");
	report(t_iommu(), "IOMMU: miss event once per page, fill, deny, invalidate, flush");
	report(t_iotlb_errors(), "IOTLB/IOMMU commands refuse bad input");
	report(t_iommu_cycle_and_del(), "IOMMU cycle detected; IOMMU_DEL");
	report(t_miss_bound(), "miss events: one per page up to miss_slots pages, then counted as dropped");
	report(t_translate_errors(), "TRANSLATE refuses zero or missing length");
	report(t_iotlb_big(), "6000-entry IOTLB: translate, flush, refill, destroy");
	report(t_permissions(), "unprivileged uid: private invisible, public read-only, no host addresses");
	report(t_stats(), "STATS_GET counters");
	report(t_noop(), "NOOP validates attributes and does nothing");
	report(t_as_del(), "AS_DEL: event, gone, IOMMU into a dead address space");
	report(t_limit_as_per_owner(), "max_as_per_owner enforced");
	report(t_cycles_no_leak(), "10000 create/destroy cycles leak nothing");
	printf("1..%d\n", tap_n);
	nl_socket_free(ev);
	nl_socket_free(sk);
	return tap_fail ? 1 : 0;
}
