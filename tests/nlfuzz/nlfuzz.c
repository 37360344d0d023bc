// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nlfuzz - a seeded generic-netlink fuzzer for memdisp.ko (issue 4: "a
 * kernel module that no input can crash").
 *
 *   nlfuzz [-s SEED] [-r ROUNDS] [-i ITERS_PER_ROUND] [-l] [-v]
 *
 * (-l: the module was loaded with tiny limits; -E2BIG/-ENOSPC are then
 * valid answers to otherwise valid requests.  -v: print every error.)
 *
 * Raw NETLINK_GENERIC sockets, no libnl: every byte of every request is ours
 * to break.  First a fixed corpus of hand-written cases (regressions), then
 * ROUNDS rounds; each round opens several sockets, creates address spaces
 * and IOMMUs, and runs ITERS random actions: valid publications (one message,
 * chunked, delta) that keep a userspace model of every map, translations
 * checked against the model, and mutated requests of every command (dropped,
 * duplicated, retyped, truncated, oversized, mis-nested attributes, u64
 * extremes, swapped order, broken lengths, random bytes, bad headers),
 * faulty transactions (missing, duplicated, out-of-order chunks, stale base,
 * abandoned, owner socket closed mid-way), stale IOMMU ids, interrupted
 * dumps, and the same attacks from a child running as uid 1000 and from a
 * child in a new network namespace.
 *
 * Every reply must be an ACK or a negative errno from a known set carrying
 * an extended-ACK message (the few core errors that never carry one are
 * listed in errno_needs_msg()).  After each round every socket is closed
 * and the module's live-object counters must return to zero; during the
 * round every published map must dump exactly as the model holds it and
 * translate as the model says.  Prints TAP; exit status 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/memdisp.h>

#include "../common/tap.h"
#include "../common/delta_model.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define MB_MAX		(256 * 1024)
#define RX_MAX		(256 * 1024)
#define MAX_SECS	96
#define MAX_AS		8
#define NSOCK		4

/* ---- random ------------------------------------------------------------ */

static u64 rng_state;

static u64 rnd(void)
{
	/* splitmix64: reproducible from the seed alone */
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u32 rn(u32 n)
{
	return n ? (u32)(rnd() % n) : 0;
}

static bool chance(u32 pct)
{
	return rn(100) < pct;
}

static const u64 u64_extremes[] = {
	0, 1, 2, 0xfff, 0x1000, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
	0xfffffffffffff000ULL, 0xfffffffffffffffeULL, 0xffffffffffffffffULL,
	0xffffffffULL, 0x100000000ULL,
};

static u64 u64_extreme(void)
{
	return u64_extremes[rn(sizeof(u64_extremes) / sizeof(u64_extremes[0]))];
}

/* ---- results ----------------------------------------------------------- */

static bool verbose;
static unsigned int n_req, n_ack, n_err, n_nomsg_ok;
static unsigned int fail_reply, fail_model, fail_leak, fail_expect;
static unsigned int fail_child_uid, fail_child_ns;
static char first_fail[4][512];


static void note_fail(unsigned int *ctr, int slot, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (*ctr < 5)
		diag("FAIL: %s", buf);
	if (slot >= 0 && !first_fail[slot][0])
		snprintf(first_fail[slot], sizeof(first_fail[slot]), "%s", buf);
	(*ctr)++;
}

/* ---- message building -------------------------------------------------- */

struct mb {
	u32 len;
	bool raw;		/* header-level garbage: no extack expected */
	bool no_reply;		/* the kernel may drop it silently */
	char what[128];		/* mutation description for diagnostics */
	u8 buf[MB_MAX];
};

static int g_fam;

static struct nlmsghdr *mb_nlh(struct mb *m)
{
	return (struct nlmsghdr *)m->buf;
}

static void mb_init(struct mb *m, u8 cmd, u16 flags)
{
	struct nlmsghdr *nlh = mb_nlh(m);
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->raw = false;
	m->no_reply = false;
	m->what[0] = 0;
	nlh->nlmsg_type = g_fam;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = MEMDISP_GENL_VERSION;
	nlh->nlmsg_len = m->len;
}

static void mb_put(struct mb *m, u16 type, const void *d, u32 len)
{
	struct nlattr *a;

	if (m->len + NLA_ALIGN(NLA_HDRLEN + len) > MB_MAX)
		return;
	a = (struct nlattr *)(m->buf + m->len);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(a + 1, d, len);
	memset(m->buf + m->len + NLA_HDRLEN + len, 0,
	       NLA_ALIGN(NLA_HDRLEN + len) - NLA_HDRLEN - len);
	m->len += NLA_ALIGN(NLA_HDRLEN + len);
	mb_nlh(m)->nlmsg_len = m->len;
}

static void mb_u32(struct mb *m, u16 type, u32 v)
{
	mb_put(m, type, &v, 4);
}

static void mb_u64(struct mb *m, u16 type, u64 v)
{
	mb_put(m, type, &v, 8);
}

static u32 mb_nest(struct mb *m, u16 type)
{
	u32 off = m->len;

	mb_put(m, type | NLA_F_NESTED, NULL, 0);
	return off;
}

static void mb_nest_end(struct mb *m, u32 off)
{
	((struct nlattr *)(m->buf + off))->nla_len = m->len - off;
}

/* ---- sockets and replies ----------------------------------------------- */

static const struct nlattr *nest_attr(const struct nlattr *n, int type);

struct sk {
	int fd;
	u32 seq;
	bool open;
};

typedef void (*msg_cb)(const struct nlmsghdr *nlh, void *ctx);

struct rep {
	int err;		/* 0 ACK/DONE, < 0 errno, 1 no reply */
	bool has_msg;
	char msg[256];
	unsigned int nmsgs;
	bool dump_done;
};

static u8 rxbuf[RX_MAX];

static int sk_open(struct sk *s)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 10 };
	int one = 1;

	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(s->fd);
		return -errno;
	}
	setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	s->seq = 1000 + rn(1000);
	s->open = true;
	return 0;
}

static void sk_close(struct sk *s)
{
	if (s->open)
		close(s->fd);
	s->open = false;
}

/* Parse the extack TLVs that follow an error or DONE payload. */
static void parse_ext(const u8 *p, int len, struct rep *r, u32 reqlen)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		int alen = a->nla_len;

		if (alen < NLA_HDRLEN || alen > len) {
			snprintf(r->msg, sizeof(r->msg), "<malformed extack TLV>");
			r->err = -10000;
			return;
		}
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			if (alen == NLA_HDRLEN || p[alen - 1] != 0) {
				snprintf(r->msg, sizeof(r->msg), "<unterminated extack>");
				r->err = -10000;
				return;
			}
			snprintf(r->msg, sizeof(r->msg), "%s", (const char *)(a + 1));
			r->has_msg = true;
			break;
		case NLMSGERR_ATTR_OFFS:
			if (alen >= NLA_HDRLEN + 4 &&
			    *(const u32 *)(a + 1) >= reqlen) {
				snprintf(r->msg, sizeof(r->msg),
					 "<extack offset %u beyond request %u>",
					 *(const u32 *)(a + 1), reqlen);
				r->err = -10000;
				return;
			}
			break;
		}
		len -= NLA_ALIGN(alen);
		p += NLA_ALIGN(alen);
	}
}

/* Well-formed attributes (recursively for nests) in [p, p + len). */
static bool attrs_ok(const u8 *p, int len, int depth)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return false;
		if ((a->nla_type & NLA_F_NESTED) && depth < 4 &&
		    !attrs_ok(p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, depth + 1))
			return false;
		len -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return len == 0 || len < 0 ? true : false;
}

/*
 * Send @m on @s and read until its ACK, error or DONE.  Checks every
 * message of the answer: right sequence number, sane lengths, errno in
 * range, well-formed attributes.  Returns false on a protocol violation.
 */
static bool xfer(struct sk *s, struct mb *m, struct rep *r, msg_cb cb, void *ctx)
{
	struct nlmsghdr *nlh = mb_nlh(m);
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	u32 seq = ++s->seq;
	u32 sent_len = m->len;
	bool is_dump = nlh->nlmsg_flags & NLM_F_DUMP;

	memset(r, 0, sizeof(*r));
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = 0;
	n_req++;
	if (sendto(s->fd, m->buf, sent_len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0) {
		r->err = -errno;
		snprintf(r->msg, sizeof(r->msg), "send: %s", strerror(errno));
		return r->err == -ENOBUFS || r->err == -EMSGSIZE || m->raw;
	}
	if (m->no_reply)
		return true;
	for (;;) {
		ssize_t n = recv(s->fd, rxbuf, sizeof(rxbuf), 0);
		const struct nlmsghdr *h;
		int rem;

		if (n < 0) {
			r->err = 1;
			snprintf(r->msg, sizeof(r->msg), "recv: %s", strerror(errno));
			return false;
		}
		rem = (int)n;
		for (h = (const struct nlmsghdr *)rxbuf; NLMSG_OK(h, rem);
		     h = NLMSG_NEXT(h, rem)) {
			const u8 *pl = NLMSG_DATA(h);
			int plen = h->nlmsg_len - NLMSG_HDRLEN;

			if (h->nlmsg_seq != seq) {
				snprintf(r->msg, sizeof(r->msg),
					 "stray message seq %u (want %u) type %u",
					 h->nlmsg_seq, seq, h->nlmsg_type);
				r->err = -10000;
				return false;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = (const void *)pl;

				if (plen < (int)sizeof(*e))
					return false;
				r->err = e->error;
				if (h->nlmsg_flags & NLM_F_ACK_TLVS)
					parse_ext(pl + sizeof(*e),
						  plen - (int)sizeof(*e), r, sent_len);
				return r->err <= 0 && r->err >= -4095;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				if (plen < 4)
					return false;
				r->err = *(const int *)pl;
				r->dump_done = true;
				if (h->nlmsg_flags & NLM_F_ACK_TLVS)
					parse_ext(pl + 4, plen - 4, r, sent_len);
				return is_dump && r->err <= 0 && r->err >= -4095;
			}
			if (h->nlmsg_type != g_fam || plen < (int)GENL_HDRLEN ||
			    !attrs_ok(pl + GENL_HDRLEN, plen - GENL_HDRLEN, 0)) {
				snprintf(r->msg, sizeof(r->msg),
					 "malformed reply type %u len %u",
					 h->nlmsg_type, h->nlmsg_len);
				r->err = -10000;
				return false;
			}
			r->nmsgs++;
			if (cb)
				cb(h, ctx);
		}
		if (rem) {
			snprintf(r->msg, sizeof(r->msg), "trailing %d bytes", rem);
			r->err = -10000;
			return false;
		}
	}
}

/*
 * Errors that the core sends without a message (never memdisp's own):
 * an unknown command or a dump of a command that has none (-EOPNOTSUPP),
 * memory shortage.  (A header shorter than genetlink's is flagged raw.)
 */
static bool errno_needs_msg(int err)
{
	return err != -ENOMEM && err != -EOPNOTSUPP && err != -ENOBUFS;
}

static bool errno_known(int err)
{
	switch (-err) {
	case 0: case EINVAL: case ENOENT: case EPERM: case ESTALE: case EBUSY:
	case E2BIG: case ENOSPC: case EEXIST: case ERANGE: case EOPNOTSUPP:
	case ENOMEM: case EMSGSIZE: case ENOBUFS:
		return true;
	}
	return false;
}

static const char *cmd_name(int cmd)
{
	static const char *const n[] = {
		"UNSPEC", "AS_NEW", "AS_DEL", "AS_GET", "MAP_SET", "MAP_BEGIN",
		"MAP_CHUNK", "MAP_COMMIT", "MAP_ABORT", "MAP_DELTA", "MAP_GET",
		"IOMMU_NEW", "IOMMU_DEL", "IOTLB_UPDATE", "IOTLB_INVAL",
		"IOTLB_FLUSH", "TRANSLATE", "STATS_GET", "EVT_MISS", "EVT_MAP",
		"NOOP",
	};

	return cmd >= 0 && cmd < (int)(sizeof(n) / sizeof(n[0])) ? n[cmd] : "?";
}

static int mb_cmd(struct mb *m)
{
	return m->buf[NLMSG_HDRLEN];
}

/*
 * One request: send, check the reply's form, count.  Returns the errno
 * (0 on ACK) or 1 when there was no valid answer.
 */
static int req(struct sk *s, struct mb *m, struct rep *r, msg_cb cb, void *ctx)
{
	struct rep tmp;
	bool ok;

	if (!r)
		r = &tmp;
	ok = xfer(s, m, r, cb, ctx);
	if (m->no_reply)
		return 0;
	if (!ok) {
		note_fail(&fail_reply, 0, "%s%s%s: bad answer err=%d '%s'",
			  cmd_name(mb_cmd(m)), m->what[0] ? " " : "", m->what,
			  r->err, r->msg);
		return 1;
	}
	if (r->err == 0) {
		n_ack++;
		return 0;
	}
	n_err++;
	if (!errno_known(r->err))
		note_fail(&fail_reply, 0, "%s %s: unexpected errno %d (%s)",
			  cmd_name(mb_cmd(m)), m->what, r->err, strerror(-r->err));
	if (!r->has_msg) {
		if (!errno_needs_msg(r->err) || m->raw) {
			n_nomsg_ok++;
			if (verbose)
				diag("no message (allowed): %s %s -> %d",
				     cmd_name(mb_cmd(m)), m->what, r->err);
		} else
			note_fail(&fail_reply, 0,
				  "%s %s: errno %d (%s) without an extack message",
				  cmd_name(mb_cmd(m)), m->what, r->err,
				  strerror(-r->err));
	}
	if (verbose)
		diag("%s %s -> %d %s", cmd_name(mb_cmd(m)), m->what, r->err, r->msg);
	return r->err;
}

static int g_mcgrp = -1;

/* The "events" group id from a CTRL_ATTR_MCAST_GROUPS nest. */
static void find_mcgrp(const struct nlattr *groups)
{
	const u8 *p = (const u8 *)(groups + 1);
	int len = groups->nla_len - NLA_HDRLEN;

	while (len >= NLA_HDRLEN) {
		const struct nlattr *g = (const void *)p;
		const struct nlattr *name, *id;

		if (g->nla_len < NLA_HDRLEN || g->nla_len > len)
			return;
		name = nest_attr(g, CTRL_ATTR_MCAST_GRP_NAME);
		id = nest_attr(g, CTRL_ATTR_MCAST_GRP_ID);
		if (name && id && !strcmp((const char *)(name + 1), MEMDISP_MCGRP_EVENTS))
			g_mcgrp = *(const u32 *)(id + 1);
		len -= NLA_ALIGN(g->nla_len);
		p += NLA_ALIGN(g->nla_len);
	}
}

static int resolve_family(struct sk *s)
{
	static struct mb m;
	struct rep r;
	int fam = -1;
	ssize_t n;
	const struct nlmsghdr *h;

	memset(&m, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m.len = NLMSG_HDRLEN + GENL_HDRLEN;
	mb_nlh(&m)->nlmsg_type = GENL_ID_CTRL;
	mb_nlh(&m)->nlmsg_flags = NLM_F_REQUEST;
	mb_nlh(&m)->nlmsg_len = m.len;
	m.buf[NLMSG_HDRLEN] = CTRL_CMD_GETFAMILY;
	m.buf[NLMSG_HDRLEN + 1] = 1;
	mb_put(&m, CTRL_ATTR_FAMILY_NAME, MEMDISP_GENL_NAME,
	       sizeof(MEMDISP_GENL_NAME));
	(void)r;
	if (send(s->fd, m.buf, m.len, 0) < 0)
		return -1;
	n = recv(s->fd, rxbuf, sizeof(rxbuf), 0);
	if (n <= 0)
		return -1;
	h = (const struct nlmsghdr *)rxbuf;
	if (h->nlmsg_type == GENL_ID_CTRL) {
		const u8 *p = (const u8 *)NLMSG_DATA(h) + GENL_HDRLEN;
		int len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

		while (len >= NLA_HDRLEN) {
			const struct nlattr *a = (const void *)p;

			if (a->nla_len < NLA_HDRLEN)
				break;
			if (a->nla_type == CTRL_ATTR_FAMILY_ID)
				fam = *(const u16 *)(a + 1);
			if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS)
				find_mcgrp(a);
			len -= NLA_ALIGN(a->nla_len);
			p += NLA_ALIGN(a->nla_len);
		}
	}
	return fam;
}

/* ---- reply decoding ---------------------------------------------------- */

static const struct nlattr *find_attr(const u8 *p, int len, int type)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		len -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

static const struct nlattr *msg_attr(const struct nlmsghdr *h, int type)
{
	return find_attr((const u8 *)NLMSG_DATA(h) + GENL_HDRLEN,
			 h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, type);
}

static const struct nlattr *nest_attr(const struct nlattr *n, int type)
{
	return n ? find_attr((const u8 *)(n + 1), n->nla_len - NLA_HDRLEN, type) :
		   NULL;
}

static u64 a_u64(const struct nlattr *a, u64 def)
{
	if (!a)
		return def;
	if (a->nla_len >= NLA_HDRLEN + 8) {
		u64 v;

		memcpy(&v, a + 1, 8);
		return v;
	}
	if (a->nla_len >= NLA_HDRLEN + 4)
		return *(const u32 *)(a + 1);
	return def;
}

/* First-message values of a reply (AS id, generation, txn id, IOMMU id). */
struct vals {
	u32 as_id, txn_id, iommu_id;
	u64 gen;
	u64 stats[MEMDISP_STATS_A_MAX + 1];
	u64 xl[MEMDISP_XLAT_A_MAX + 1];
	bool xhas[MEMDISP_XLAT_A_MAX + 1];
};

static void vals_cb(const struct nlmsghdr *h, void *ctx)
{
	struct vals *v = ctx;
	const struct nlattr *n;
	int i;

	v->as_id = a_u64(msg_attr(h, MEMDISP_A_AS_ID), 0);
	v->txn_id = a_u64(msg_attr(h, MEMDISP_A_TXN_ID), 0);
	v->iommu_id = a_u64(msg_attr(h, MEMDISP_A_IOMMU_ID), 0);
	v->gen = a_u64(msg_attr(h, MEMDISP_A_GENERATION), ~0ULL);
	n = msg_attr(h, MEMDISP_A_STATS);
	for (i = 1; n && i <= MEMDISP_STATS_A_MAX; i++)
		v->stats[i] = a_u64(nest_attr(n, i), ~0ULL);
	n = msg_attr(h, MEMDISP_A_XLAT);
	for (i = 1; n && i <= MEMDISP_XLAT_A_MAX; i++) {
		const struct nlattr *a = nest_attr(n, i);

		v->xhas[i] = a != NULL;
		v->xl[i] = a_u64(a, 0);
	}
}

/* ---- events ------------------------------------------------------------ */

static unsigned int ev_map, ev_miss, ev_overrun;

static int listener_open(struct sk *s)
{
	int grp = g_mcgrp;

	if (grp < 0 || sk_open(s))
		return -1;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp))) {
		sk_close(s);
		return -1;
	}
	return 0;
}

/*
 * Read every queued event: each must be a well-formed memdisp event.
 * @only_as: if not 0, map-changed events may name only this address space
 * (a listener in another namespace).  Returns the number of bad events.
 */
static unsigned int listener_drain(struct sk *s, u32 only_as)
{
	unsigned int bad = 0;

	for (;;) {
		ssize_t n = recv(s->fd, rxbuf, sizeof(rxbuf), MSG_DONTWAIT);
		const struct nlmsghdr *h;
		int rem;

		if (n < 0) {
			if (errno == ENOBUFS) {	/* overrun: events were dropped */
				ev_overrun++;
				continue;
			}
			break;
		}
		rem = (int)n;
		for (h = (const void *)rxbuf; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
			const u8 *pl = NLMSG_DATA(h);
			int plen = h->nlmsg_len - NLMSG_HDRLEN;
			u8 cmd = plen >= (int)GENL_HDRLEN ? pl[0] : 0;

			if (h->nlmsg_type != g_fam || plen < (int)GENL_HDRLEN ||
			    !attrs_ok(pl + GENL_HDRLEN, plen - GENL_HDRLEN, 0) ||
			    (cmd != MEMDISP_CMD_EVT_MAP_CHANGED &&
			     cmd != MEMDISP_CMD_EVT_IOTLB_MISS)) {
				bad++;
				continue;
			}
			if (cmd == MEMDISP_CMD_EVT_MAP_CHANGED) {
				u32 id = a_u64(msg_attr(h, MEMDISP_A_AS_ID), 0);

				ev_map++;
				if (!id || !msg_attr(h, MEMDISP_A_GENERATION) ||
				    (only_as && id != only_as))
					bad++;
			} else {
				ev_miss++;
				if (!msg_attr(h, MEMDISP_A_IOMMU_ID) ||
				    !msg_attr(h, MEMDISP_A_IOVA) ||
				    (a_u64(msg_attr(h, MEMDISP_A_IOVA), 1) &
				     ((1ULL << MEMDISP_MISS_PAGE_SHIFT) - 1)))
					bad++;
			}
		}
		if (rem)
			bad++;
	}
	return bad;
}

/* ---- the model --------------------------------------------------------- */

struct asm_ {
	u32 id;
	int owner;		/* socket index */
	bool alive, pub;
	u64 gen;
	u32 n;
	struct sec s[MAX_SECS * 2 + 8];
	u32 txn;		/* open transaction (0 none) */
};

static struct sk socks[NSOCK];
static struct sk g_listen;		/* joined to the events group */
static unsigned int bad_events;
static struct asm_ ases[MAX_AS];
static u32 nas;
static u32 iommus[8], niommu;		/* live IOMMU ids (owner socket 0) */
static u32 dead_iommus[8], ndead_iommu;
static u32 dead_as[16], ndead_as;

static struct asm_ *pick_as(void)
{
	u32 i, k = rn(MAX_AS);

	for (i = 0; i < nas; i++) {
		struct asm_ *a = &ases[(k + i) % nas];

		if (a->alive)
			return a;
	}
	return NULL;
}

static u32 pick_iommu_id(void)
{
	if (niommu && chance(60))
		return iommus[rn(niommu)];
	if (ndead_iommu && chance(60))
		return dead_iommus[rn(ndead_iommu)];
	return chance(50) ? 1 + rn(100) : (u32)u64_extreme() | 1;
}

static u32 bogus_as_id(void)
{
	if (ndead_as && chance(60))
		return dead_as[rn(ndead_as)];
	return chance(50) ? 100000 + rn(1000) : (u32)u64_extreme();
}

/* Random sorted, non-overlapping sections. */
static u32 gen_sections(struct sec *v, u32 max)
{
	u32 n = rn(max + 1), i;
	u64 cur = chance(20) ? 0 : rn(1 << 20);
	int scale = rn(4);

	for (i = 0; i < n; i++) {
		u64 gap = scale == 0 ? rn(4) : scale == 1 ? rn(0x1000) :
			  scale == 2 ? ((u64)rn(1 << 16) << 12) : rnd() >> (8 + rn(40));
		u64 size = scale == 0 ? 1 + rn(4) : scale == 1 ? 1 + rn(0x2000) :
			   ((u64)(1 + rn(256)) << 12);
		struct sec *s = &v[i];

		if (i && cur + gap < cur)
			break;
		cur += i ? gap : 0;
		if (cur + size - 1 < cur || (chance(3) && i == n - 1))
			size = ~0ULL - cur + 1;	/* up to the top of the space */
		memset(s, 0, sizeof(*s));
		s->start = cur;
		s->last = cur + size - 1;
		s->type = rn(__MEMDISP_SEC_TYPE_MAX);
		s->flags = rn(MEMDISP_SEC_F_ALL + 1);
		s->region = chance(30) ? u64_extreme() : rnd();
		s->offset = chance(30) ? u64_extreme() : rnd() >> rn(64);
		if (s->type <= MEMDISP_SEC_ROMD && chance(70))
			s->hva = chance(20) ? u64_extreme() : (rnd() & ~0xfffULL);
		if (s->type == MEMDISP_SEC_IOMMU)
			s->iommu = pick_iommu_id();
		if (s->last == ~0ULL) {
			i++;
			break;
		}
		cur = s->last + 1;
	}
	return i;
}

static void put_sec(struct mb *m, const struct sec *s)
{
	u32 n = mb_nest(m, MEMDISP_A_SECTION);

	mb_u64(m, MEMDISP_SEC_A_START, s->start);
	mb_u64(m, MEMDISP_SEC_A_LAST, s->last);
	mb_u32(m, MEMDISP_SEC_A_TYPE, s->type);
	if (s->flags || chance(50))
		mb_u32(m, MEMDISP_SEC_A_FLAGS, s->flags);
	if (s->region || chance(50))
		mb_u64(m, MEMDISP_SEC_A_REGION_ID, s->region);
	if (s->offset || chance(50))
		mb_u64(m, MEMDISP_SEC_A_OFFSET, s->offset);
	if (s->hva)
		mb_u64(m, MEMDISP_SEC_A_HVA, s->hva);
	if (s->type == MEMDISP_SEC_IOMMU)
		mb_u32(m, MEMDISP_SEC_A_IOMMU_ID, s->iommu);
	mb_nest_end(m, n);
}

/* Decode one MAP_GET dump message into a section. */
struct dumpctx {
	struct sec s[MAX_SECS * 2 + 8];
	u32 n;
	u64 gen;
	bool bad;
	u32 as_id;
};

static void dump_cb(const struct nlmsghdr *h, void *ctx)
{
	struct dumpctx *d = ctx;
	const struct nlattr *n = msg_attr(h, MEMDISP_A_SECTION);
	struct sec s = { 0 };

	if (!n || a_u64(msg_attr(h, MEMDISP_A_AS_ID), 0) != d->as_id ||
	    d->n >= sizeof(d->s) / sizeof(d->s[0])) {
		d->bad = true;
		return;
	}
	d->gen = a_u64(msg_attr(h, MEMDISP_A_GENERATION), ~0ULL);
	s.start = a_u64(nest_attr(n, MEMDISP_SEC_A_START), 1);
	s.last = a_u64(nest_attr(n, MEMDISP_SEC_A_LAST), 0);
	s.type = a_u64(nest_attr(n, MEMDISP_SEC_A_TYPE), 99);
	s.flags = a_u64(nest_attr(n, MEMDISP_SEC_A_FLAGS), 0);
	s.region = a_u64(nest_attr(n, MEMDISP_SEC_A_REGION_ID), 0);
	s.offset = a_u64(nest_attr(n, MEMDISP_SEC_A_OFFSET), 0);
	s.hva = a_u64(nest_attr(n, MEMDISP_SEC_A_HVA), 0);
	s.iommu = a_u64(nest_attr(n, MEMDISP_SEC_A_IOMMU_ID), 0);
	d->s[d->n++] = s;
}

static struct mb g_m;
static struct dumpctx g_dump;

static int as_get_gen(struct sk *s, u32 id, u64 *gen)
{
	struct vals v = { 0 };
	struct rep r;
	int ret;

	mb_init(&g_m, MEMDISP_CMD_AS_GET, 0);
	mb_u32(&g_m, MEMDISP_A_AS_ID, id);
	ret = req(s, &g_m, &r, vals_cb, &v);
	if (!ret)
		*gen = v.gen;
	return ret;
}

static int dump_map(struct sk *s, u32 id, struct dumpctx *d)
{
	struct rep r;

	memset(d, 0, sizeof(*d));
	d->as_id = id;
	mb_init(&g_m, MEMDISP_CMD_MAP_GET, NLM_F_DUMP);
	mb_u32(&g_m, MEMDISP_A_AS_ID, id);
	return req(s, &g_m, &r, dump_cb, d);
}

/* Compare the kernel's map with the model (exact, host addresses included). */
static bool check_map(struct asm_ *a, const char *when)
{
	struct sk *s = &socks[a->owner];
	u64 gen = 0;
	u32 i;

	if (as_get_gen(s, a->id, &gen) || gen != a->gen) {
		note_fail(&fail_model, 1, "%s: AS %u generation %" PRIu64
			  " (model %" PRIu64 ")", when, a->id, gen, a->gen);
		return false;
	}
	if (chance(30)) {
		/* a fresh socket: its first dump buffers are small (multi-part) */
		static struct sk f;
		int ret;

		if (sk_open(&f))
			return false;
		ret = dump_map(&f, a->id, &g_dump);
		sk_close(&f);
		if (ret)
			g_dump.bad = true;
	} else if (dump_map(s, a->id, &g_dump)) {
		g_dump.bad = true;
	}
	if (g_dump.bad || g_dump.n != a->n ||
	    (a->n && g_dump.gen != a->gen)) {
		note_fail(&fail_model, 1, "%s: AS %u dump: %u sections (model %u)%s",
			  when, a->id, g_dump.n, a->n, g_dump.bad ? " malformed" : "");
		return false;
	}
	for (i = 0; i < a->n; i++) {
		const struct sec *k = &g_dump.s[i], *m = &a->s[i];

		if (k->start != m->start || k->last != m->last ||
		    k->type != m->type || k->flags != m->flags ||
		    k->region != m->region || k->offset != m->offset ||
		    k->hva != m->hva || k->iommu != m->iommu) {
			note_fail(&fail_model, 1,
				  "%s: AS %u section %u [%#" PRIx64 ",%#" PRIx64
				  "] differs from the model [%#" PRIx64 ",%#" PRIx64 "]",
				  when, a->id, i, k->start, k->last, m->start, m->last);
			return false;
		}
	}
	return true;
}

/* Replace the model of @a by the kernel's map (after an accepted mutation). */
static void resync(struct asm_ *a)
{
	struct sk *s = &socks[a->owner];
	u64 gen;
	u32 i;

	if (as_get_gen(s, a->id, &gen)) {
		a->alive = false;
		if (ndead_as < 16)
			dead_as[ndead_as++] = a->id;
		return;
	}
	if (dump_map(s, a->id, &g_dump) || g_dump.bad) {
		note_fail(&fail_model, 1, "resync: cannot dump AS %u", a->id);
		return;
	}
	for (i = 0; i < g_dump.n; i++) {
		const struct sec *k = &g_dump.s[i];

		if (k->last < k->start || (i && k->start <= g_dump.s[i - 1].last) ||
		    k->type >= __MEMDISP_SEC_TYPE_MAX) {
			note_fail(&fail_model, 1,
				  "resync: AS %u holds an invalid map (section %u)",
				  a->id, i);
			return;
		}
	}
	memcpy(a->s, g_dump.s, g_dump.n * sizeof(a->s[0]));
	a->n = g_dump.n;
	a->gen = gen;
}

/* Translate random addresses and compare with the model. */
static void check_xlat(struct asm_ *a, unsigned int count)
{
	struct sk *s = &socks[a->owner];
	unsigned int k;

	for (k = 0; k < count; k++) {
		struct vals v = { 0 };
		const struct sec *hit = NULL;
		u64 addr, len, next = 0, lm1;
		bool write = chance(50);
		u32 i;

		if (a->n && chance(75)) {
			const struct sec *x = &a->s[rn(a->n)];

			addr = chance(30) ? x->start : chance(30) ? x->last :
			       x->start + rnd() % (x->last - x->start + 1 ? x->last - x->start + 1 : ~0ULL);
			if (chance(20) && x->last != ~0ULL)
				addr = x->last + 1;
			if (chance(10) && x->start)
				addr = x->start - 1;
		} else {
			addr = chance(50) ? rnd() : u64_extreme();
		}
		len = chance(50) ? 1ULL << rn(4) : chance(50) ? rnd() >> rn(64) | 1 :
		      u64_extreme() | 1;
		mb_init(&g_m, MEMDISP_CMD_TRANSLATE, 0);
		mb_u32(&g_m, MEMDISP_A_AS_ID, a->id);
		mb_u64(&g_m, MEMDISP_A_ADDR, addr);
		mb_u64(&g_m, MEMDISP_A_LEN, len);
		if (write)
			mb_put(&g_m, MEMDISP_A_WRITE, NULL, 0);
		if (req(s, &g_m, NULL, vals_cb, &v)) {
			note_fail(&fail_model, 1, "translate AS %u %#" PRIx64
				  " refused", a->id, addr);
			continue;
		}
		for (i = 0; i < a->n; i++) {
			if (a->s[i].start > addr) {
				next = a->s[i].start;
				break;
			}
			if (a->s[i].last >= addr) {
				hit = &a->s[i];
				break;
			}
		}
		lm1 = len - 1;
		if (!hit) {
			if (next && next - addr - 1 < lm1)
				lm1 = next - addr - 1;
			if (v.xl[MEMDISP_XLAT_A_STATUS] != MEMDISP_XLAT_UNASSIGNED ||
			    v.xl[MEMDISP_XLAT_A_LEN] != lm1 + 1 ||
			    v.xhas[MEMDISP_XLAT_A_TYPE])
				note_fail(&fail_model, 1,
					  "translate AS %u %#" PRIx64 " len %#" PRIx64
					  ": status %" PRIu64 " len %#" PRIx64
					  ", model unassigned len %#" PRIx64,
					  a->id, addr, len, v.xl[MEMDISP_XLAT_A_STATUS],
					  v.xl[MEMDISP_XLAT_A_LEN], lm1 + 1);
			continue;
		}
		if (hit->type == MEMDISP_SEC_IOMMU) {
			if (v.xl[MEMDISP_XLAT_A_STATUS] > MEMDISP_XLAT_LOOP)
				note_fail(&fail_model, 1, "translate: bad status %" PRIu64,
					  v.xl[MEMDISP_XLAT_A_STATUS]);
			continue;
		}
		if (hit->last - addr < lm1)
			lm1 = hit->last - addr;
		if (v.xl[MEMDISP_XLAT_A_STATUS] != MEMDISP_XLAT_OK ||
		    v.xl[MEMDISP_XLAT_A_TYPE] != hit->type ||
		    v.xl[MEMDISP_XLAT_A_REGION_ID] != hit->region ||
		    v.xl[MEMDISP_XLAT_A_OFFSET] != hit->offset + (addr - hit->start) ||
		    v.xl[MEMDISP_XLAT_A_LEN] != lm1 + 1 ||
		    v.xl[MEMDISP_XLAT_A_SEC_FLAGS] != hit->flags ||
		    v.xl[MEMDISP_XLAT_A_HVA] !=
		    (hit->hva ? hit->hva + (addr - hit->start) : 0) ||
		    v.xl[MEMDISP_XLAT_A_PERM] !=
		    (hit->type == MEMDISP_SEC_ROM ||
		     (hit->flags & MEMDISP_SEC_F_READONLY) ?
		     MEMDISP_PERM_READ : MEMDISP_PERM_RW))
			note_fail(&fail_model, 1,
				  "translate AS %u %#" PRIx64 " len %#" PRIx64
				  ": status %" PRIu64 " type %" PRIu64 " offset %#" PRIx64
				  " len %#" PRIx64 " (model section [%#" PRIx64 ",%#"
				  PRIx64 "] type %u offset %#" PRIx64 ")",
				  a->id, addr, len, v.xl[MEMDISP_XLAT_A_STATUS],
				  v.xl[MEMDISP_XLAT_A_TYPE], v.xl[MEMDISP_XLAT_A_OFFSET],
				  v.xl[MEMDISP_XLAT_A_LEN], hit->start, hit->last,
				  hit->type, hit->offset);
	}
}

/* ---- valid operations (keep the state deep) ---------------------------- */

static struct sec g_secs[MAX_SECS * 2 + 8];

/* -l: the module runs with tiny limits; a limit's errno is a valid answer */
static bool limits_mode;

static void expect(int got, int want, const char *what)
{
	if (limits_mode && (got == -E2BIG || got == -ENOSPC))
		return;
	if (got != want)
		note_fail(&fail_expect, 2, "%s: got %d, expected %d", what, got, want);
}

static int do_map_set(struct sk *s, struct asm_ *a, const struct sec *v, u32 n,
		      u64 base)
{
	struct vals x = { 0 };
	u32 i;

	mb_init(&g_m, MEMDISP_CMD_MAP_SET, 0);
	mb_u32(&g_m, MEMDISP_A_AS_ID, a->id);
	mb_u64(&g_m, MEMDISP_A_GENERATION, base);
	for (i = 0; i < n; i++)
		put_sec(&g_m, &v[i]);
	return req(s, &g_m, NULL, vals_cb, &x);
}

static void valid_set(struct asm_ *a)
{
	static struct sec v[MAX_SECS];	/* not g_secs: chunked() holds that */
	u32 n = gen_sections(v, MAX_SECS);
	int ret = do_map_set(&socks[a->owner], a, v, n, a->gen);

	expect(ret, 0, "valid MAP_SET");
	if (!ret) {
		memcpy(a->s, v, n * sizeof(v[0]));
		a->n = n;
		a->gen++;
	}
}

static int txn_begin(struct sk *s, struct asm_ *a, u64 base, u32 count, u32 *txn)
{
	struct vals x = { 0 };
	int ret;

	mb_init(&g_m, MEMDISP_CMD_MAP_BEGIN, 0);
	mb_u32(&g_m, MEMDISP_A_AS_ID, a->id);
	mb_u64(&g_m, MEMDISP_A_GENERATION, base);
	mb_u32(&g_m, MEMDISP_A_TXN_COUNT, count);
	ret = req(s, &g_m, NULL, vals_cb, &x);
	*txn = x.txn_id;
	return ret;
}

static int txn_chunk(struct sk *s, struct asm_ *a, u32 txn, const struct sec *v,
		     u32 n)
{
	u32 i;

	mb_init(&g_m, MEMDISP_CMD_MAP_CHUNK, 0);
	mb_u32(&g_m, MEMDISP_A_AS_ID, a->id);
	mb_u32(&g_m, MEMDISP_A_TXN_ID, txn);
	for (i = 0; i < n; i++)
		put_sec(&g_m, &v[i]);
	return req(s, &g_m, NULL, NULL, NULL);
}

static int txn_end(struct sk *s, struct asm_ *a, u32 txn, u8 cmd)
{
	mb_init(&g_m, cmd, 0);
	mb_u32(&g_m, MEMDISP_A_AS_ID, a->id);
	mb_u32(&g_m, MEMDISP_A_TXN_ID, txn);
	return req(s, &g_m, NULL, NULL, NULL);
}

/*
 * A chunked publication, valid or with one fault; the expected outcome of
 * every step is checked.
 */
static void chunked(struct asm_ *a)
{
	struct sk *s = &socks[a->owner];
	u32 n = gen_sections(g_secs, MAX_SECS), txn, i, per, fault = rn(9);
	u64 base = a->gen;
	int ret;

	if (a->txn) {
		ret = txn_end(s, a, a->txn, MEMDISP_CMD_MAP_ABORT);
		if (ret && ret != -ENOENT)
			expect(ret, 0, "MAP_ABORT of an abandoned transaction");
		a->txn = 0;
	}
	if (fault == 1 && n < 2)
		fault = 0;
	per = 1 + rn(n ? n : 1);
	if (fault == 7)
		base = a->gen + 1 + rn(3);	/* stale at begin */
	ret = txn_begin(s, a, base, fault == 6 ? n + 1 + rn(5) : n, &txn);
	if (fault == 7) {
		expect(ret, -ESTALE, "MAP_BEGIN stale generation");
		return;
	}
	expect(ret, 0, "MAP_BEGIN");
	if (ret)
		return;
	/* a second begin on the same AS must be refused */
	if (chance(20)) {
		u32 t2;

		expect(txn_begin(s, a, a->gen, 1, &t2), -EBUSY,
		       "second MAP_BEGIN");
	}
	for (i = 0; i < n; i += per) {
		u32 k = n - i < per ? n - i : per;

		if (fault == 1 && i == 0 && n > per)
			continue;	/* first chunk missing: commit is truncated */
		ret = txn_chunk(s, a, txn, g_secs + i, k);
		expect(ret, 0, "MAP_CHUNK");
		if (ret)
			return;
		if (fault == 2 && i == 0) {	/* the same chunk again */
			/* overlap, or more sections than announced */
			ret = txn_chunk(s, a, txn, g_secs + i, k);
			expect(ret == -E2BIG ? -EINVAL : ret, -EINVAL,
			       "duplicate MAP_CHUNK");
			expect(txn_end(s, a, txn, MEMDISP_CMD_MAP_COMMIT), -ENOENT,
			       "MAP_COMMIT after a bad chunk");
			return;
		}
		if (fault == 3 && i + per < n && i > 0) {	/* an earlier chunk now */
			expect(txn_chunk(s, a, txn, g_secs, 1), -EINVAL,
			       "out-of-order MAP_CHUNK");
			expect(txn_end(s, a, txn, MEMDISP_CMD_MAP_ABORT), -ENOENT,
			       "MAP_ABORT after a bad chunk");
			return;
		}
		if (fault == 4 && chance(30)) {
			/* abandoned: left open, the socket's close frees it */
			a->txn = txn;
			return;
		}
	}
	if (fault == 5) {	/* stale: someone published in between */
		u64 g0 = a->gen;

		valid_set(a);
		if (a->gen != g0) {
			expect(txn_end(s, a, txn, MEMDISP_CMD_MAP_COMMIT), -ESTALE,
			       "MAP_COMMIT stale");
			return;
		}
		/* (-l: that publication hit a limit; commit as usual) */
	}
	if (fault == 8) {
		expect(txn_end(s, a, txn + 1 + rn(5), MEMDISP_CMD_MAP_COMMIT),
		       -ENOENT, "MAP_COMMIT wrong txn id");
		expect(txn_end(s, a, txn, MEMDISP_CMD_MAP_ABORT), 0, "MAP_ABORT");
		return;
	}
	if (fault == 4) {
		a->txn = txn;
		return;
	}
	ret = txn_end(s, a, txn, MEMDISP_CMD_MAP_COMMIT);
	if (fault == 6 || (fault == 1 && n > per)) {
		expect(ret, -EINVAL, "MAP_COMMIT truncated");
		return;
	}
	expect(ret, 0, "MAP_COMMIT");
	if (!ret) {
		memcpy(a->s, g_secs, n * sizeof(g_secs[0]));
		a->n = n;
		a->gen++;
	}
}


static void delta(struct asm_ *a, bool absent)
{
	struct sk *s = &socks[a->owner];
	static struct sec add[MAX_SECS], out[MAX_SECS * 4 + 8];
	u64 rm[16][2];
	u32 nrm = rn(5), nadd, i, w;
	u64 cur = 0;
	int ret;

	for (i = 0; i < nrm; i++) {
		if (!absent && a->n && chance(70)) {
			const struct sec *x = &a->s[rn(a->n)];

			rm[i][0] = x->start + (chance(50) ? 0 : rn(4));
			rm[i][1] = chance(50) ? x->last : rm[i][0] + rn(0x3000);
		} else {
			rm[i][0] = rnd() >> rn(64);
			rm[i][1] = rm[i][0] + (rnd() >> rn(64));
		}
		if (rm[i][1] < rm[i][0])
			rm[i][1] = ~0ULL;
		if (i && rm[i][0] <= cur) {
			if (cur == ~0ULL)
				break;
			rm[i][0] = cur + 1;
			if (rm[i][1] < rm[i][0])
				rm[i][1] = rm[i][0];
		}
		cur = rm[i][1];
	}
	nrm = i;
	/* sort check: ranges must ascend (built so above, but clamp) */
	nadd = gen_sections(add, absent ? 0 : 6);
	w = model_delta(a->s, a->n, (const u64 (*)[2])rm, nrm, add, nadd, out);
	if (w != ~0U && w > MAX_SECS * 2)
		return;		/* keep the model bounded: not sent */
	mb_init(&g_m, MEMDISP_CMD_MAP_DELTA, 0);
	mb_u32(&g_m, MEMDISP_A_AS_ID, a->id);
	mb_u64(&g_m, MEMDISP_A_GENERATION, a->gen);
	for (i = 0; i < nrm; i++) {
		u32 n = mb_nest(&g_m, MEMDISP_A_REMOVE);

		mb_u64(&g_m, MEMDISP_A_START, rm[i][0]);
		mb_u64(&g_m, MEMDISP_A_LAST, rm[i][1]);
		mb_nest_end(&g_m, n);
	}
	for (i = 0; i < nadd; i++)
		put_sec(&g_m, &add[i]);
	ret = req(s, &g_m, NULL, NULL, NULL);
	if (w == ~0U) {
		expect(ret, -EEXIST, "MAP_DELTA with an overlapping addition");
		return;
	}
	expect(ret, 0, absent ? "MAP_DELTA removing absent ranges" : "MAP_DELTA");
	if (!ret) {
		memcpy(a->s, out, w * sizeof(out[0]));
		a->n = w;
		a->gen++;
	}
}

static int as_new(struct sk *s, const char *name, u32 flags, u32 *id)
{
	struct vals x = { 0 };
	int ret;

	mb_init(&g_m, MEMDISP_CMD_AS_NEW, 0);
	mb_put(&g_m, MEMDISP_A_AS_NAME, name, strlen(name) + 1);
	if (flags)
		mb_u32(&g_m, MEMDISP_A_AS_FLAGS, flags);
	ret = req(s, &g_m, NULL, vals_cb, &x);
	*id = x.as_id;
	return ret;
}

static int iommu_new(struct sk *s, u32 as, u32 *id)
{
	struct vals x = { 0 };
	int ret;

	mb_init(&g_m, MEMDISP_CMD_IOMMU_NEW, 0);
	mb_u32(&g_m, MEMDISP_A_AS_ID, as);
	ret = req(s, &g_m, NULL, vals_cb, &x);
	*id = x.iommu_id;
	return ret;
}

static void put_iotlb(struct mb *m, bool valid)
{
	u32 n = mb_nest(m, MEMDISP_A_IOTLB);
	u32 shift = valid ? (chance(5) ? 64 : 12 + rn(20)) : rn(65);
	u64 mask = shift >= 64 ? ~0ULL : (1ULL << shift) - 1;	/* ~0: everything */

	if (!valid && chance(30))
		mask = rnd();
	mb_u64(m, MEMDISP_IOTLB_A_IOVA, (valid ? rnd() : u64_extreme()) & ~mask);
	mb_u64(m, MEMDISP_IOTLB_A_XLAT, (rnd() >> rn(32)) & ~(valid ? mask : 0));
	mb_u64(m, MEMDISP_IOTLB_A_MASK, mask);
	mb_u32(m, MEMDISP_IOTLB_A_PERM, valid ? rn(4) : rn(6));
	mb_nest_end(m, n);
}

static const struct sec *model_find(const struct asm_ *a, u64 addr)
{
	u32 i;

	for (i = 0; i < a->n; i++)
		if (a->s[i].start <= addr && addr <= a->s[i].last)
			return &a->s[i];
	return NULL;
}

/*
 * Wire an IOMMU section of @a to IOMMU @io (target @b), map one page of
 * it with a random permission and translate through it: the result must
 * be what the IOTLB entry and @b's model say.
 */
static void iommu_path(struct asm_ *a, struct asm_ *b)
{
	struct sk *s = &socks[0];
	static struct sec out[MAX_SECS * 4 + 8];
	struct sec add = { .type = MEMDISP_SEC_IOMMU };
	u64 rm[1][2], x, iova, tgt, addr;
	u32 io, perm = rn(4), w, n;
	bool write = chance(50);
	struct vals v = { 0 };
	const struct sec *hit;
	int ret;

	if (iommu_new(s, b->id, &io) || !io)
		return;		/* (-l: IOMMU limit) */
	if (niommu < 8)
		iommus[niommu++] = io;
	x = (rnd() >> rn(48)) & ~0xffffULL;
	if (x > ~0ULL - 0x10000)
		x = 0;
	iova = (rnd() >> rn(50)) & ~0xfffULL;
	tgt = chance(60) && b->n ? b->s[rn(b->n)].start & ~0xfffULL :
	      (rnd() >> rn(50)) & ~0xfffULL;
	rm[0][0] = x;
	rm[0][1] = x + 0xffff;
	add.start = x;
	add.last = x + 0xffff;
	add.offset = iova;
	add.iommu = io;
	add.region = rnd();
	w = model_delta(a->s, a->n, (const u64 (*)[2])rm, 1, &add, 1, out);
	if (w == ~0U || w > MAX_SECS * 2)
		return;
	mb_init(&g_m, MEMDISP_CMD_MAP_DELTA, 0);
	mb_u32(&g_m, MEMDISP_A_AS_ID, a->id);
	mb_u64(&g_m, MEMDISP_A_GENERATION, a->gen);
	n = mb_nest(&g_m, MEMDISP_A_REMOVE);
	mb_u64(&g_m, MEMDISP_A_START, rm[0][0]);
	mb_u64(&g_m, MEMDISP_A_LAST, rm[0][1]);
	mb_nest_end(&g_m, n);
	put_sec(&g_m, &add);
	ret = req(s, &g_m, NULL, NULL, NULL);
	expect(ret, 0, "MAP_DELTA adding an IOMMU section");
	if (ret)
		return;
	memcpy(a->s, out, w * sizeof(out[0]));
	a->n = w;
	a->gen++;
	mb_init(&g_m, MEMDISP_CMD_IOTLB_UPDATE, 0);
	mb_u32(&g_m, MEMDISP_A_IOMMU_ID, io);
	n = mb_nest(&g_m, MEMDISP_A_IOTLB);
	mb_u64(&g_m, MEMDISP_IOTLB_A_IOVA, iova);
	mb_u64(&g_m, MEMDISP_IOTLB_A_XLAT, tgt);
	mb_u64(&g_m, MEMDISP_IOTLB_A_MASK, 0xfff);
	mb_u32(&g_m, MEMDISP_IOTLB_A_PERM, perm);
	mb_nest_end(&g_m, n);
	ret = req(s, &g_m, NULL, NULL, NULL);
	expect(ret, 0, "IOTLB_UPDATE of one page");
	if (ret)
		return;
	addr = x + rn(0x1000);
	mb_init(&g_m, MEMDISP_CMD_TRANSLATE, 0);
	mb_u32(&g_m, MEMDISP_A_AS_ID, a->id);
	mb_u64(&g_m, MEMDISP_A_ADDR, addr);
	mb_u64(&g_m, MEMDISP_A_LEN, 1 + rn(16));
	if (write)
		mb_put(&g_m, MEMDISP_A_WRITE, NULL, 0);
	if (req(s, &g_m, NULL, vals_cb, &v)) {
		note_fail(&fail_model, 1, "translate through IOMMU %u refused", io);
		return;
	}
	if (perm == MEMDISP_PERM_NONE) {
		if (v.xl[MEMDISP_XLAT_A_STATUS] != MEMDISP_XLAT_IOTLB_MISS ||
		    v.xl[MEMDISP_XLAT_A_IOMMU_ID] != io)
			note_fail(&fail_model, 1, "unmapped IOVA: status %" PRIu64
				  ", expected a miss on IOMMU %u",
				  v.xl[MEMDISP_XLAT_A_STATUS], io);
		return;
	}
	if (!(perm & (write ? MEMDISP_PERM_WRITE : MEMDISP_PERM_READ))) {
		if (v.xl[MEMDISP_XLAT_A_STATUS] != MEMDISP_XLAT_DENIED)
			note_fail(&fail_model, 1, "IOTLB perm %u %s: status %" PRIu64
				  ", expected denied", perm, write ? "write" : "read",
				  v.xl[MEMDISP_XLAT_A_STATUS]);
		return;
	}
	tgt += addr - x;
	hit = model_find(b, tgt);
	if (v.xl[MEMDISP_XLAT_A_DEPTH] < 1 || v.xl[MEMDISP_XLAT_A_ADDR] != tgt ||
	    v.xl[MEMDISP_XLAT_A_AS_ID] != b->id) {
		if (!(hit && hit->type == MEMDISP_SEC_IOMMU))
			note_fail(&fail_model, 1, "IOMMU walk ended in AS %" PRIu64
				  " at %#" PRIx64 " depth %" PRIu64 ", expected AS %u at %#"
				  PRIx64, v.xl[MEMDISP_XLAT_A_AS_ID],
				  v.xl[MEMDISP_XLAT_A_ADDR], v.xl[MEMDISP_XLAT_A_DEPTH],
				  b->id, tgt);
		return;
	}
	if (hit && hit->type == MEMDISP_SEC_IOMMU)
		return;		/* a further hop: not modelled */
	if (!hit ? v.xl[MEMDISP_XLAT_A_STATUS] != MEMDISP_XLAT_UNASSIGNED :
	    (v.xl[MEMDISP_XLAT_A_STATUS] != MEMDISP_XLAT_OK ||
	     v.xl[MEMDISP_XLAT_A_REGION_ID] != hit->region ||
	     v.xl[MEMDISP_XLAT_A_OFFSET] != hit->offset + (tgt - hit->start)))
		note_fail(&fail_model, 1, "through IOMMU %u to AS %u %#" PRIx64
			  ": status %" PRIu64 " region %#" PRIx64 " offset %#" PRIx64,
			  io, b->id, tgt, v.xl[MEMDISP_XLAT_A_STATUS],
			  v.xl[MEMDISP_XLAT_A_REGION_ID], v.xl[MEMDISP_XLAT_A_OFFSET]);
}

/* ---- building any command's request (valid form) ----------------------- */

static void build_request(struct mb *m, int cmd, struct asm_ *a)
{
	u32 id = a && chance(85) ? a->id : bogus_as_id();
	u32 i, n;

	mb_init(m, cmd, 0);
	switch (cmd) {
	case MEMDISP_CMD_AS_NEW: {
		char name[80];

		snprintf(name, sizeof(name), "fz%" PRIx64, rnd() >> rn(64));
		mb_put(m, MEMDISP_A_AS_NAME, name, strlen(name) + 1);
		if (chance(50))
			mb_u32(m, MEMDISP_A_AS_FLAGS, rn(2));
		break;
	}
	case MEMDISP_CMD_AS_DEL:
		mb_u32(m, MEMDISP_A_AS_ID, bogus_as_id());
		break;
	case MEMDISP_CMD_AS_GET:
		if (chance(40))
			mb_nlh(m)->nlmsg_flags |= NLM_F_DUMP;
		else
			mb_u32(m, MEMDISP_A_AS_ID, id);
		break;
	case MEMDISP_CMD_MAP_GET:
		mb_nlh(m)->nlmsg_flags |= NLM_F_DUMP;
		mb_u32(m, MEMDISP_A_AS_ID, id);
		break;
	case MEMDISP_CMD_MAP_SET:
	case MEMDISP_CMD_NOOP:
		mb_u32(m, MEMDISP_A_AS_ID, id);
		mb_u64(m, MEMDISP_A_GENERATION, a ? a->gen + (chance(80) ? 0 : rn(3)) :
		       u64_extreme());
		n = gen_sections(g_secs, 8);
		for (i = 0; i < n; i++)
			put_sec(m, &g_secs[i]);
		break;
	case MEMDISP_CMD_MAP_BEGIN:
		mb_u32(m, MEMDISP_A_AS_ID, id);
		mb_u64(m, MEMDISP_A_GENERATION, a ? a->gen : 0);
		mb_u32(m, MEMDISP_A_TXN_COUNT, chance(70) ? rn(8) : (u32)u64_extreme());
		break;
	case MEMDISP_CMD_MAP_CHUNK:
		mb_u32(m, MEMDISP_A_AS_ID, id);
		mb_u32(m, MEMDISP_A_TXN_ID, a && a->txn ? a->txn : 1 + rn(10));
		n = gen_sections(g_secs, 4);
		for (i = 0; i < n; i++)
			put_sec(m, &g_secs[i]);
		break;
	case MEMDISP_CMD_MAP_COMMIT:
	case MEMDISP_CMD_MAP_ABORT:
		mb_u32(m, MEMDISP_A_AS_ID, id);
		mb_u32(m, MEMDISP_A_TXN_ID, a && a->txn ? a->txn : 1 + rn(10));
		break;
	case MEMDISP_CMD_MAP_DELTA:
		mb_u32(m, MEMDISP_A_AS_ID, id);
		mb_u64(m, MEMDISP_A_GENERATION, a ? a->gen : 0);
		for (i = rn(3); i; i--) {
			u32 nn = mb_nest(m, MEMDISP_A_REMOVE);
			u64 s0 = rnd() >> rn(64);

			mb_u64(m, MEMDISP_A_START, s0);
			mb_u64(m, MEMDISP_A_LAST, s0 + rn(0x10000));
			mb_nest_end(m, nn);
		}
		n = gen_sections(g_secs, 3);
		for (i = 0; i < n; i++)
			put_sec(m, &g_secs[i]);
		break;
	case MEMDISP_CMD_IOMMU_NEW:
		mb_u32(m, MEMDISP_A_AS_ID, id);
		break;
	case MEMDISP_CMD_IOMMU_DEL:
	case MEMDISP_CMD_IOTLB_FLUSH:
		mb_u32(m, MEMDISP_A_IOMMU_ID, pick_iommu_id());
		break;
	case MEMDISP_CMD_IOTLB_UPDATE:
		mb_u32(m, MEMDISP_A_IOMMU_ID, pick_iommu_id());
		for (i = 1 + rn(4); i; i--)
			put_iotlb(m, chance(70));
		break;
	case MEMDISP_CMD_IOTLB_INVAL: {
		u64 s0 = chance(50) ? rnd() : u64_extreme();

		mb_u32(m, MEMDISP_A_IOMMU_ID, pick_iommu_id());
		if (chance(10))
			s0 = 0;		/* and last ~0: the whole space */
		mb_u64(m, MEMDISP_A_START, s0);
		mb_u64(m, MEMDISP_A_LAST, !s0 && chance(50) ? ~0ULL :
		       chance(80) ? s0 + (rnd() >> rn(64)) : s0 - 1);
		break;
	}
	case MEMDISP_CMD_TRANSLATE:
		mb_u32(m, MEMDISP_A_AS_ID, id);
		mb_u64(m, MEMDISP_A_ADDR, chance(50) ? rnd() : u64_extreme());
		mb_u64(m, MEMDISP_A_LEN, chance(50) ? 1 + rn(8) : u64_extreme());
		if (chance(50))
			mb_put(m, MEMDISP_A_WRITE, NULL, 0);
		break;
	default:
		break;
	}
}

/* ---- mutation ---------------------------------------------------------- */

struct aref {
	u32 off;
	int parent;
};

static int index_attrs(struct mb *m, u32 off, u32 end, int parent,
		       struct aref *v, int n, int max, int depth)
{
	while (off + NLA_HDRLEN <= end && n < max) {
		struct nlattr *a = (struct nlattr *)(m->buf + off);
		int me = n;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end)
			break;
		v[n].off = off;
		v[n].parent = parent;
		n++;
		if ((a->nla_type & NLA_F_NESTED) && depth < 3)
			n = index_attrs(m, off + NLA_HDRLEN, off + a->nla_len, me,
					v, n, max, depth + 1);
		off += NLA_ALIGN(a->nla_len);
	}
	return n;
}

/* Replace @del bytes at @off by @ins; every enclosing length grows by delta. */
static bool mb_splice(struct mb *m, const struct aref *v, int parent, u32 off,
		   u32 del, const u8 *ins, u32 inslen)
{
	int d = (int)inslen - (int)del;

	if (m->len + inslen > MB_MAX || off + del > m->len)
		return false;
	memmove(m->buf + off + inslen, m->buf + off + del, m->len - off - del);
	if (inslen)
		memcpy(m->buf + off, ins, inslen);
	m->len += d;
	for (; parent >= 0; parent = v[parent].parent) {
		struct nlattr *a = (struct nlattr *)(m->buf + v[parent].off);

		a->nla_len += d;
	}
	mb_nlh(m)->nlmsg_len = m->len;
	return true;
}

static u32 span(struct mb *m, u32 off)
{
	return NLA_ALIGN(((struct nlattr *)(m->buf + off))->nla_len);
}

/* A new attribute (header + payload, padded) in @out; returns its size. */
static u32 make_attr(u8 *out, u16 type, const void *d, u32 len)
{
	struct nlattr *a = (struct nlattr *)out;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(out + NLA_HDRLEN, d, len);
	memset(out + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	return NLA_HDRLEN + NLA_ALIGN(len);
}

static void mutate_once(struct mb *m)
{
	static struct aref v[4096];
	static u8 tmp[4096];
	int n = index_attrs(m, NLMSG_HDRLEN + GENL_HDRLEN, m->len, -1, v, 0,
			    4096, 0);
	int op = rn(17), i;
	struct nlattr *a;
	u8 pl[64];
	u32 len, k;
	char *w = m->what + strlen(m->what);
	size_t room = sizeof(m->what) - strlen(m->what);

	if (!n && op < 12)
		op = 12 + rn(5);
	i = n ? (int)rn(n) : 0;
	a = n ? (struct nlattr *)(m->buf + v[i].off) : NULL;
	switch (op) {
	case 0:		/* drop */
		snprintf(w, room, "drop#%d ", i);
		mb_splice(m, v, v[i].parent, v[i].off, span(m, v[i].off), NULL, 0);
		break;
	case 1:		/* duplicate */
		snprintf(w, room, "dup#%d ", i);
		len = span(m, v[i].off);
		if (len <= sizeof(tmp)) {
			memcpy(tmp, m->buf + v[i].off, len);
			mb_splice(m, v, v[i].parent, v[i].off + len, 0, tmp, len);
		}
		break;
	case 2:		/* retype (unknown, other, zero) */
		k = chance(30) ? MEMDISP_A_MAX + 1 + rn(40) : rn(MEMDISP_A_MAX + 2);
		snprintf(w, room, "type#%d=%u ", i, k);
		a->nla_type = (a->nla_type & NLA_F_NESTED) | k;
		break;
	case 3:		/* nested flag toggled (nested where flat and back) */
		snprintf(w, room, "nestflag#%d ", i);
		a->nla_type ^= NLA_F_NESTED;
		break;
	case 4:		/* truncated or oversized payload of random bytes */
		len = chance(50) ? rn(8) : 8 + rn(56);
		for (k = 0; k < len; k++)
			pl[k] = rnd();
		snprintf(w, room, "len#%d=%u ", i, len);
		k = make_attr(tmp, a->nla_type, pl, len);
		mb_splice(m, v, v[i].parent, v[i].off, span(m, v[i].off), tmp, k);
		break;
	case 5:		/* u64 extreme */
	case 6: {
		u64 x = u64_extreme();

		if (a->nla_type & NLA_F_NESTED)
			goto flat;
		len = a->nla_len - NLA_HDRLEN;
		snprintf(w, room, "val#%d=%#" PRIx64 " ", i, x);
		if (len == 8)
			memcpy(a + 1, &x, 8);
		else if (len == 4)
			*(u32 *)(a + 1) = (u32)x;
		break;
	}
	case 7:		/* nested where flat: wrap a u64 in a nest */
		snprintf(w, room, "wrap#%d ", i);
		{
			u64 x = rnd();

			len = make_attr(pl, 1 + rn(MEMDISP_A_MAX), &x, 8);
			k = make_attr(tmp, (a->nla_type & NLA_TYPE_MASK) | NLA_F_NESTED,
				      pl, len);
			mb_splice(m, v, v[i].parent, v[i].off, span(m, v[i].off), tmp, k);
		}
		break;
	case 8:		/* flat where nested */
flat:
		snprintf(w, room, "flat#%d ", i);
		{
			u64 x = rnd();

			k = make_attr(tmp, a->nla_type & (chance(50) ? NLA_TYPE_MASK :
							   0xffff), &x, 8);
			mb_splice(m, v, v[i].parent, v[i].off, span(m, v[i].off), tmp, k);
		}
		break;
	case 9:		/* broken nla_len, bytes left in place */
		k = chance(50) ? rn(NLA_HDRLEN) : a->nla_len + 1 + rn(1000);
		snprintf(w, room, "nla_len#%d=%u ", i, k);
		a->nla_len = k;
		break;
	case 10: {	/* unknown attribute inserted */
		u64 x = rnd();
		u16 t = MEMDISP_A_MAX + 1 + rn(100);

		snprintf(w, room, "unknown#%d=%u ", i, t);
		k = make_attr(tmp, t, &x, rn(9));
		mb_splice(m, v, v[i].parent, v[i].off, 0, tmp, k);
		break;
	}
	case 11: {	/* swap with the next sibling (unsorted order) */
		int j;
		u32 l1, l2;

		for (j = i + 1; j < n && v[j].parent != v[i].parent; j++)
			;
		if (j >= n)
			break;
		l1 = span(m, v[i].off);
		l2 = span(m, v[j].off);
		if (v[j].off != v[i].off + l1 || l1 + l2 > sizeof(tmp))
			break;
		snprintf(w, room, "swap#%d ", i);
		memcpy(tmp, m->buf + v[j].off, l2);
		memcpy(tmp + l2, m->buf + v[i].off, l1);
		memcpy(m->buf + v[i].off, tmp, l1 + l2);
		break;
	}
	case 12:	/* genl command */
		k = chance(50) ? rn(__MEMDISP_CMD_MAX + 3) : rn(256);
		snprintf(w, room, "cmd=%u ", k);
		m->buf[NLMSG_HDRLEN] = k;
		break;
	case 13:	/* header flags: dump where there is none, no ack, ... */
		snprintf(w, room, "flags ");
		mb_nlh(m)->nlmsg_flags ^= chance(50) ? NLM_F_DUMP : (1 << rn(12));
		mb_nlh(m)->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
		break;
	case 14:	/* genl version / reserved */
		snprintf(w, room, "genlhdr ");
		m->buf[NLMSG_HDRLEN + 1 + rn(3)] = rnd();
		break;
	case 15:	/* truncated message (cut at a random byte) */
		k = rn(m->len + 1);
		if (k < NLMSG_HDRLEN)
			k = NLMSG_HDRLEN;
		snprintf(w, room, "cut=%u ", k);
		m->len = k;
		mb_nlh(m)->nlmsg_len = k;
		/* genetlink refuses a short header with a bare -EINVAL */
		if (k < NLMSG_HDRLEN + GENL_HDRLEN)
			m->raw = true;
		break;
	case 16:	/* random bytes body */
		len = rn(200);
		snprintf(w, room, "random=%u ", len);
		m->len = NLMSG_HDRLEN + GENL_HDRLEN;
		for (k = 0; k < len; k++)
			m->buf[m->len + k] = rnd();
		m->len += len;
		mb_nlh(m)->nlmsg_len = m->len;
		break;
	}
}

/* ---- fixed corpus (regressions) ---------------------------------------- */


static bool err_msg(struct sk *s, struct mb *m, int want, const char *msg)
{
	struct rep r;
	int got = req(s, m, &r, NULL, NULL);

	if (got != want || !r.has_msg || (msg && !strstr(r.msg, msg))) {
		diag("got %d '%s', want %d '%s'", got, r.has_msg ? r.msg : "(no message)",
		     want, msg ? msg : "");
		return false;
	}
	return true;
}

static void corpus(void)
{
	struct sk *s = &socks[1];
	struct mb *m = &g_m;
	u32 id = 0, txn, k;
	bool ok;

	if (as_new(s, "corpus", 0, &id) || !id) {
		tap(false, "corpus: AS_NEW");
		return;
	}
	/* dump start errors: errno and message reach the caller (6.1 gap) */
	mb_init(m, MEMDISP_CMD_AS_GET, NLM_F_DUMP);
	mb_u32(m, MEMDISP_A_AS_ID, id);
	mb_u32(m, MEMDISP_A_AS_ID, id);
	tap(err_msg(s, m, -EINVAL, "duplicate attribute"),
	    "corpus: AS_GET dump with a duplicate attribute: -EINVAL with its extack");
	mb_init(m, MEMDISP_CMD_AS_GET, NLM_F_DUMP);
	mb_u32(m, MEMDISP_A_TXN_ID, 1);
	tap(err_msg(s, m, -EINVAL, "attribute not valid"),
	    "corpus: AS_GET dump with a foreign attribute: -EINVAL with its extack");
	mb_init(m, MEMDISP_CMD_MAP_GET, NLM_F_DUMP);
	tap(err_msg(s, m, -EINVAL, "missing address-space id"),
	    "corpus: MAP_GET dump without an id: -EINVAL with its extack");
	mb_init(m, MEMDISP_CMD_MAP_GET, NLM_F_DUMP);
	mb_u32(m, MEMDISP_A_AS_ID, 999999);
	tap(err_msg(s, m, -ENOENT, "no such address space"),
	    "corpus: MAP_GET dump of a missing AS: -ENOENT with its extack");
	/* and the socket is still in sync: a dump still works afterwards */
	tap(dump_map(s, id, &g_dump) == 0 && g_dump.n == 0,
	    "corpus: dumps work after refused dump starts");
	/* policy errors of a dump (core's own) */
	mb_init(m, MEMDISP_CMD_MAP_GET, NLM_F_DUMP);
	mb_u64(m, MEMDISP_A_AS_ID, id);
	tap(err_msg(s, m, -EINVAL, NULL) || err_msg(s, m, -ERANGE, NULL),
	    "corpus: MAP_GET dump with a wrong-size id refused with a message");
	/* transactions */
	ok = txn_begin(s, &(struct asm_){ .id = id }, 0, 2, &txn) == 0;
	mb_init(m, MEMDISP_CMD_MAP_COMMIT, 0);
	mb_u32(m, MEMDISP_A_AS_ID, id);
	mb_u32(m, MEMDISP_A_TXN_ID, txn);
	ok = ok && err_msg(s, m, -EINVAL, "truncated");
	mb_init(m, MEMDISP_CMD_MAP_ABORT, 0);
	mb_u32(m, MEMDISP_A_AS_ID, id);
	mb_u32(m, MEMDISP_A_TXN_ID, txn);
	ok = ok && err_msg(s, m, -ENOENT, "no such transaction");
	tap(ok, "corpus: truncated commit refused, transaction gone");
	/* section nest without NLA_F_NESTED */
	mb_init(m, MEMDISP_CMD_MAP_SET, 0);
	mb_u32(m, MEMDISP_A_AS_ID, id);
	mb_u64(m, MEMDISP_A_GENERATION, 0);
	mb_put(m, MEMDISP_A_SECTION, "\x0c\x00\x01\x00\0\0\0\0\0\0\0\0", 12);
	tap(err_msg(s, m, -EINVAL, NULL), "corpus: flat section refused with a message");
	/* last < start, u64 extremes */
	{
		struct sec x = { .start = ~0ULL, .last = 0, .type = MEMDISP_SEC_RAM };

		mb_init(m, MEMDISP_CMD_MAP_SET, 0);
		mb_u32(m, MEMDISP_A_AS_ID, id);
		mb_u64(m, MEMDISP_A_GENERATION, 0);
		put_sec(m, &x);
		tap(err_msg(s, m, -EINVAL, "last below start"),
		    "corpus: section last below start refused");
	}
	{
		struct sec x[2] = {
			{ .start = 0, .last = ~0ULL, .type = MEMDISP_SEC_RAM, .hva = 0x1000 },
		};
		u64 gen = 9;

		tap(do_map_set(s, &(struct asm_){ .id = id }, x, 1, 0) == 0 &&
		    as_get_gen(s, id, &gen) == 0 && gen == 1,
		    "corpus: one section covering the whole 64-bit space");
		x[0].last = 0x1000;
		x[1] = (struct sec){ .start = 0x1000, .last = 0x2000, .type = 3 };
		mb_init(m, MEMDISP_CMD_MAP_SET, 0);
		mb_u32(m, MEMDISP_A_AS_ID, id);
		mb_u64(m, MEMDISP_A_GENERATION, 1);
		put_sec(m, &x[0]);
		put_sec(m, &x[1]);
		tap(err_msg(s, m, -EINVAL, "overlapping"),
		    "corpus: overlapping sections refused");
	}
	/* required attributes missing: errno, message naming the attribute */
	mb_init(m, MEMDISP_CMD_MAP_SET, 0);
	mb_u32(m, MEMDISP_A_AS_ID, id);
	tap(err_msg(s, m, -EINVAL, "missing base generation"),
	    "corpus: MAP_SET without a generation: the message names it");
	mb_init(m, MEMDISP_CMD_TRANSLATE, 0);
	mb_u32(m, MEMDISP_A_AS_ID, id);
	mb_u64(m, MEMDISP_A_ADDR, 0);
	tap(err_msg(s, m, -EINVAL, "missing length"),
	    "corpus: TRANSLATE without a length: the message names it");
	mb_init(m, MEMDISP_CMD_IOTLB_FLUSH, 0);
	tap(err_msg(s, m, -EINVAL, "missing IOMMU id"),
	    "corpus: IOTLB_FLUSH without an IOMMU id: the message names it");
	/* absurd counts */
	mb_init(m, MEMDISP_CMD_MAP_BEGIN, 0);
	mb_u32(m, MEMDISP_A_AS_ID, id);
	mb_u64(m, MEMDISP_A_GENERATION, 1);
	mb_u32(m, MEMDISP_A_TXN_COUNT, 0xffffffff);
	tap(err_msg(s, m, -E2BIG, "max_sections"),
	    "corpus: MAP_BEGIN announcing 2^32-1 sections refused");
	/* a delta removing what is not there still publishes */
	{
		u64 gen = 0;

		mb_init(m, MEMDISP_CMD_MAP_DELTA, 0);
		mb_u32(m, MEMDISP_A_AS_ID, id);
		mb_u64(m, MEMDISP_A_GENERATION, 1);
		k = mb_nest(m, MEMDISP_A_REMOVE);
		mb_u64(m, MEMDISP_A_START, ~0ULL);
		mb_u64(m, MEMDISP_A_LAST, ~0ULL);
		mb_nest_end(m, k);
		tap(req(s, m, NULL, NULL, NULL) == 0 && !as_get_gen(s, id, &gen) &&
		    gen == 2 && !dump_map(s, id, &g_dump) && g_dump.n == 1 &&
		    g_dump.s[0].last == ~0ULL - 1,
		    "corpus: delta removing the last byte of the space trims the section");
	}
	/* IOMMU ids that do not exist / were destroyed */
	{
		u32 io = 0;

		ok = iommu_new(s, id, &io) == 0 && io;
		mb_init(m, MEMDISP_CMD_IOMMU_DEL, 0);
		mb_u32(m, MEMDISP_A_IOMMU_ID, io);
		ok = ok && req(s, m, NULL, NULL, NULL) == 0;
		mb_init(m, MEMDISP_CMD_IOTLB_FLUSH, 0);
		mb_u32(m, MEMDISP_A_IOMMU_ID, io);
		ok = ok && err_msg(s, m, -ENOENT, "no such IOMMU");
		mb_init(m, MEMDISP_CMD_IOMMU_DEL, 0);
		mb_u32(m, MEMDISP_A_IOMMU_ID, io);
		ok = ok && err_msg(s, m, -ENOENT, "no such IOMMU");
		tap(ok, "corpus: destroyed IOMMU id refused everywhere");
	}
	mb_init(m, MEMDISP_CMD_AS_DEL, 0);
	mb_u32(m, MEMDISP_A_AS_ID, id);
	req(s, m, NULL, NULL, NULL);
}

/* ---- children: another uid, another netns ------------------------------ */

/*
 * In a child: attack the parent's objects (ids in @ids) with valid and
 * mutated requests; none may change anything (checked by the parent's model
 * afterwards), every answer must be well formed.  Also create and publish
 * own objects so the child's state is deep, then exit (socket close).
 */
static int child_attack(const u32 *ids, u32 nids, const u32 *pub, u32 iters,
			bool netns)
{
	struct sk s;
	u32 i, own = 0;
	int bad = 0;

	fail_reply = fail_expect = 0;
	if (sk_open(&s) || (g_fam = resolve_family(&s)) < 0) {
		printf("# child: cannot open the memdisp family\n");
		return 1;
	}
	socks[0] = s;
	if (listener_open(&g_listen))
		bad++;
	if (as_new(&s, "child", 0, &own) || !own)
		bad++;
	for (i = 0; i < iters; i++) {
		int cmd = 1 + rn(__MEMDISP_CMD_MAX - 1);
		u32 k = rn(nids);
		struct asm_ fake = { .id = ids[k], .gen = 0 };
		bool changes = cmd != MEMDISP_CMD_AS_GET && cmd != MEMDISP_CMD_MAP_GET &&
			       cmd != MEMDISP_CMD_TRANSLATE && cmd != MEMDISP_CMD_STATS_GET &&
			       cmd != MEMDISP_CMD_NOOP && cmd != MEMDISP_CMD_AS_NEW;
		int ret;

		if (i % 8 == 0 && own) {
			struct asm_ o = { .id = own };
			u64 gen = 0;

			if (!as_get_gen(&s, own, &gen)) {
				u32 n = gen_sections(g_secs, 16);

				o.gen = gen;
				if (do_map_set(&s, &o, g_secs, n, gen))
					bad++;
			}
		}
		if (cmd == MEMDISP_CMD_EVT_IOTLB_MISS || cmd == MEMDISP_CMD_EVT_MAP_CHANGED)
			continue;
		build_request(&g_m, cmd, &fake);
		if (cmd == MEMDISP_CMD_AS_DEL) {
			mb_init(&g_m, cmd, 0);
			mb_u32(&g_m, MEMDISP_A_AS_ID, ids[k]);
		}
		if (chance(30))
			mutate_once(&g_m);
		ret = req(&s, &g_m, NULL, NULL, NULL);
		/* unmutated requests: a change or a private read must fail */
		if (g_m.what[0] || ret)
			continue;
		if (changes && cmd != MEMDISP_CMD_AS_NEW) {
			printf("# child(%s): %s on the parent's objects accepted\n",
			       netns ? "netns" : "uid", cmd_name(cmd));
			bad++;
		}
		if ((cmd == MEMDISP_CMD_MAP_GET || cmd == MEMDISP_CMD_TRANSLATE ||
		     (cmd == MEMDISP_CMD_AS_GET &&
		      !(mb_nlh(&g_m)->nlmsg_flags & NLM_F_DUMP))) &&
		    (netns || !pub[k]) &&
		    a_u64((const struct nlattr *)(g_m.buf + NLMSG_HDRLEN +
						   GENL_HDRLEN), 0) == ids[k]) {
			printf("# child(%s): %s of foreign AS %u answered\n",
			       netns ? "netns" : "uid", cmd_name(cmd), ids[k]);
			bad++;
		}
	}
	/* in another netns, only the child's own address space has events */
	i = listener_drain(&g_listen, netns ? own : 0);
	if (i)
		printf("# child(%s): %u bad or foreign events\n",
		       netns ? "netns" : "uid", i);
	bad += i;
	sk_close(&g_listen);
	bad += fail_reply + fail_expect;
	sk_close(&s);
	return bad > 100 ? 100 : bad;
}

/* Fork the attacker; it runs while the parent goes on (parallel_ops). */
static pid_t start_child(bool netns, u32 iters)
{
	u32 ids[MAX_AS + 4], pub[MAX_AS + 4], n = 0, i;
	pid_t pid;

	for (i = 0; i < nas; i++) {
		if (!ases[i].alive)
			continue;
		pub[n] = ases[i].pub;
		ids[n++] = ases[i].id;
	}
	if (!n)
		return 0;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		rng_state ^= rnd();
		if (netns) {
			if (unshare(CLONE_NEWNET)) {
				printf("# child: unshare(CLONE_NEWNET): %s\n", strerror(errno));
				_exit(1);
			}
		} else if (setgid(1000) || setuid(1000)) {
			printf("# child: setuid(1000): %s\n", strerror(errno));
			_exit(1);
		}
		_exit(child_attack(ids, n, pub, iters, netns));
	}
	return pid;
}

/* The child's problem count (0 if there was no child, 1 if it died). */
static int finish_child(pid_t pid)
{
	int st;

	if (pid == 0)
		return 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 1;
	return WEXITSTATUS(st);
}

/* ---- many address spaces: multi-part dumps, release of many ------------ */

struct seen {
	u32 lo, n;
	u8 hit[512];
	unsigned int dup;
};

static void seen_cb(const struct nlmsghdr *h, void *ctx)
{
	struct seen *z = ctx;
	u32 id = a_u64(msg_attr(h, MEMDISP_A_AS_ID), 0);

	if (id >= z->lo && id < z->lo + z->n && id - z->lo < sizeof(z->hit)) {
		if (z->hit[id - z->lo]++)
			z->dup++;
	}
}

/*
 * A scratch socket creates many address spaces; a fresh socket (small
 * first dump buffer) must list each exactly once over several dump
 * rounds; then the scratch socket closes and takes them all.
 */
static void many_as(void)
{
	static struct seen z;
	struct sk x, y;
	u32 ids[400], n = 0, want = 40 + rn(200), i, lo = ~0U, hi = 0;
	bool ok = true;

	if (sk_open(&x))
		return;
	for (i = 0; i < want; i++) {
		u32 id;
		int ret = as_new(&x, "many", chance(50) ? MEMDISP_AS_F_PUBLIC : 0, &id);

		if (ret) {
			if (!limits_mode || ret != -ENOSPC)
				expect(ret, 0, "AS_NEW (many)");
			break;
		}
		ids[n++] = id;
		lo = id < lo ? id : lo;
		hi = id > hi ? id : hi;
	}
	if (n && hi - lo < sizeof(z.hit) && !sk_open(&y)) {
		memset(&z, 0, sizeof(z));
		z.lo = lo;
		z.n = hi - lo + 1;
		mb_init(&g_m, MEMDISP_CMD_AS_GET, NLM_F_DUMP);
		ok = req(&y, &g_m, NULL, seen_cb, &z) == 0 && !z.dup;
		for (i = 0; i < n && ok; i++)
			ok = z.hit[ids[i] - lo] == 1;
		if (!ok)
			note_fail(&fail_model, 1,
				  "AS_GET dump of %u address spaces: missing or duplicated entries",
				  n);
		sk_close(&y);
	}
	sk_close(&x);
}

/* ---- storm: concurrent writers while the owners close ------------------ */

static void close_socket(int k);

/*
 * A root child (same namespace, CAP_NET_ADMIN: it may change everything)
 * publishes, opens and abandons transactions, deletes address spaces and
 * IOMMUs and dumps, valid and mutated, on @ids from two sockets, one of
 * them closed and reopened now and then, while the parent closes the
 * owners' sockets.  Only the form of the answers is checked here; the
 * parent checks the live counters once all is closed.
 */
static int storm_child(const u32 *ids, u32 nids, u32 iters)
{
	struct sk s[2];
	u32 i;

	fail_reply = 0;
	if (sk_open(&s[0]) || sk_open(&s[1]))
		return 1;
	for (i = 0; i < iters; i++) {
		struct sk *k = &s[rn(2)];
		struct asm_ *fake = &ases[0];
		int cmd;
		u64 gen;

		memset(fake, 0, sizeof(*fake));
		fake->id = ids[rn(nids)];
		if (chance(40) && !as_get_gen(k, fake->id, &gen))
			fake->gen = gen;
		if (chance(5)) {
			sk_close(k);	/* perhaps mid-transaction */
			if (sk_open(k))
				return 1;
			continue;
		}
		do
			cmd = 1 + rn(__MEMDISP_CMD_MAX - 1);
		while (cmd == MEMDISP_CMD_EVT_IOTLB_MISS ||
		       cmd == MEMDISP_CMD_EVT_MAP_CHANGED);
		if (chance(15))
			cmd = MEMDISP_CMD_AS_DEL;
		build_request(&g_m, cmd, fake);
		if (cmd == MEMDISP_CMD_AS_DEL) {
			mb_init(&g_m, cmd, 0);
			mb_u32(&g_m, MEMDISP_A_AS_ID, fake->id);
		}
		if (chance(25))
			mutate_once(&g_m);
		req(k, &g_m, NULL, NULL, NULL);
	}
	sk_close(&s[0]);
	sk_close(&s[1]);
	return fail_reply > 100 ? 100 : fail_reply;
}

static int storm(u32 iters)
{
	u32 ids[MAX_AS], n = 0, i;
	pid_t pid[2];
	int bad = 0, k;

	for (i = 0; i < nas; i++)
		if (ases[i].alive)
			ids[n++] = ases[i].id;
	if (!n)
		return 0;
	fflush(stdout);
	for (k = 0; k < 2; k++) {
		pid[k] = fork();
		if (pid[k] == 0) {
			rng_state ^= rnd() + k;
			_exit(storm_child(ids, n, iters));
		}
	}
	/* meanwhile: publish, then close the owners' sockets one by one */
	for (i = 0; i < iters / 4; i++) {
		struct asm_ *a = pick_as();

		if (!a)
			break;
		build_request(&g_m, chance(50) ? MEMDISP_CMD_MAP_SET :
			      MEMDISP_CMD_MAP_BEGIN, a);
		req(&socks[a->owner], &g_m, NULL, NULL, NULL);
		if (i % (iters / 16 + 1) == 0)
			close_socket(rn(NSOCK));
	}
	for (k = 0; k < NSOCK; k++)
		close_socket(k);
	for (k = 0; k < 2; k++)
		bad += finish_child(pid[k]);
	return bad;
}

/* ---- rounds ------------------------------------------------------------ */

static bool stats_live_zero(struct sk *s, char *why, size_t len)
{
	static const int live[] = {
		MEMDISP_STATS_A_LIVE_AS, MEMDISP_STATS_A_LIVE_MAPS,
		MEMDISP_STATS_A_LIVE_IOMMUS, MEMDISP_STATS_A_LIVE_IOTLB,
		MEMDISP_STATS_A_LIVE_TXNS,
	};
	static const char *const name[] = { "as", "maps", "iommus", "iotlb", "txns" };
	struct vals v;
	int tries, i;

	for (tries = 0; tries < 200; tries++) {	/* up to 10 s */
		bool zero = true;

		memset(&v, 0, sizeof(v));
		mb_init(&g_m, MEMDISP_CMD_STATS_GET, 0);
		if (req(s, &g_m, NULL, vals_cb, &v))
			return false;
		why[0] = 0;
		for (i = 0; i < 5; i++) {
			if (v.stats[live[i]]) {
				size_t l = strlen(why);

				snprintf(why + l, len - l, " live_%s=%" PRIu64, name[i],
					 v.stats[live[i]]);
				zero = false;
			}
		}
		if (zero)
			return true;
		usleep(50000);	/* maps wait for an RCU grace period */
	}
	return false;
}

/* A dump left half read, or its AS changed under it, then the socket closed. */
static void interrupted_dump(struct asm_ *a)
{
	struct sk x;
	int small = 2048, k;

	if (sk_open(&x))
		return;
	setsockopt(x.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	mb_init(&g_m, MEMDISP_CMD_MAP_GET, NLM_F_DUMP);
	mb_u32(&g_m, MEMDISP_A_AS_ID, a->id);
	mb_nlh(&g_m)->nlmsg_seq = ++x.seq;
	n_req++;
	if (send(x.fd, g_m.buf, g_m.len, 0) < 0) {
		sk_close(&x);
		return;
	}
	if (chance(50))
		recv(x.fd, rxbuf, sizeof(rxbuf), MSG_DONTWAIT);
	if (chance(50)) {
		/* publish while the dump is half done */
		if (chance(50))
			valid_set(a);
		else
			delta(a, false);
		for (k = 0; k < 3; k++)
			recv(x.fd, rxbuf, sizeof(rxbuf), MSG_DONTWAIT);
	}
	if (chance(30)) {
		/* a second dump request on the same socket while one runs */
		mb_nlh(&g_m)->nlmsg_seq = ++x.seq;
		send(x.fd, g_m.buf, g_m.len, MSG_DONTWAIT);
	}
	sk_close(&x);
}

static void round_setup(u32 round)
{
	u32 i;
	char name[32];

	for (i = 0; i < NSOCK; i++)
		if (sk_open(&socks[i]))
			note_fail(&fail_reply, 0, "socket: %s", strerror(errno));
	if (listener_open(&g_listen))
		bad_events++;
	nas = 0;
	niommu = 0;
	for (i = 0; i < 4 + rn(MAX_AS - 4); i++) {
		struct asm_ *a = &ases[nas];

		memset(a, 0, sizeof(*a));
		a->owner = i == 0 ? 0 : rn(NSOCK);
		a->pub = chance(50);
		snprintf(name, sizeof(name), "r%u.%u", round, i);
		if (as_new(&socks[a->owner], name, a->pub ? MEMDISP_AS_F_PUBLIC : 0,
			   &a->id) || !a->id)
			continue;
		a->alive = true;
		nas++;
	}
	for (i = 0; i < 1 + rn(3) && nas; i++) {
		u32 id;

		if (!iommu_new(&socks[0], ases[rn(nas)].id, &id) && id)
			iommus[niommu++] = id;
	}
	for (i = 0; i < nas; i++)
		valid_set(&ases[i]);
}

static void close_socket(int k)
{
	u32 i;

	sk_close(&socks[k]);
	for (i = 0; i < nas; i++) {
		if (ases[i].alive && ases[i].owner == k) {
			ases[i].alive = false;
			if (ndead_as < 16)
				dead_as[ndead_as++] = ases[i].id;
		}
	}
	if (k == 0) {
		for (i = 0; i < niommu && ndead_iommu < 8; i++)
			dead_iommus[ndead_iommu++] = iommus[i];
		niommu = 0;
	}
}

static void one_action(u32 round)
{
	struct asm_ *a = pick_as();
	u32 act = rn(100), alive = 0, i;
	struct vals v;
	int cmd, ret;

	for (i = 0; i < nas; i++)
		alive += ases[i].alive;
	if (alive < 3) {
		/* keep the state deep: replace address spaces that died */
		for (i = 0; i < nas && ases[i].alive; i++)
			;
		if (i == nas && nas < MAX_AS)
			nas++;
		if (i < nas) {
			struct asm_ *n = &ases[i];

			memset(n, 0, sizeof(*n));
			n->owner = rn(NSOCK);
			n->pub = chance(50);
			if (!socks[n->owner].open)
				sk_open(&socks[n->owner]);
			if (!as_new(&socks[n->owner], "again",
				    n->pub ? MEMDISP_AS_F_PUBLIC : 0, &n->id) && n->id) {
				n->alive = true;
				valid_set(n);
			}
		}
		a = pick_as();
	}
	if (!a)
		return;
	if (act < 10) {
		valid_set(a);
	} else if (act < 20) {
		chunked(a);
	} else if (act < 30) {
		delta(a, chance(30));
	} else if (act < 38) {
		check_xlat(a, 4);
	} else if (act < 40) {
		interrupted_dump(a);
	} else if (act < 42 && a->owner != 0 && a->txn) {
		/* owner closes its socket mid-transaction */
		close_socket(a->owner);
		sk_open(&socks[a->owner]);
	} else if (act < 44 && chance(20)) {
		many_as();
	} else if (act < 47) {
		struct asm_ *b = pick_as();

		iommu_path(a, b ? b : a);
	} else if (act < 49) {
		/* IOMMU churn: destroy one, create another */
		u32 id;

		if (niommu && chance(50)) {
			u32 k = rn(niommu);

			mb_init(&g_m, MEMDISP_CMD_IOMMU_DEL, 0);
			mb_u32(&g_m, MEMDISP_A_IOMMU_ID, iommus[k]);
			expect(req(&socks[0], &g_m, NULL, NULL, NULL), 0, "IOMMU_DEL");
			if (ndead_iommu < 8)
				dead_iommus[ndead_iommu++] = iommus[k];
			iommus[k] = iommus[--niommu];
		} else if (niommu < 8 && !iommu_new(&socks[0], a->id, &id) && id) {
			iommus[niommu++] = id;
		}
	} else {
		/* a mutated (or plain) request of any command */
		struct sk *s = &socks[chance(80) ? (u32)a->owner : rn(NSOCK)];
		u32 muts = chance(15) ? 0 : 1 + rn(3), k;
		u64 before = a->gen;

		do
			cmd = 1 + rn(__MEMDISP_CMD_MAX - 1);
		while (cmd == MEMDISP_CMD_EVT_IOTLB_MISS ||
		       cmd == MEMDISP_CMD_EVT_MAP_CHANGED);
		if (!s->open)
			return;
		build_request(&g_m, cmd, a);
		for (k = 0; k < muts; k++)
			mutate_once(&g_m);
		cmd = mb_cmd(&g_m);
		memset(&v, 0, sizeof(v));
		ret = req(s, &g_m, NULL, vals_cb, &v);
		if (cmd == MEMDISP_CMD_IOMMU_DEL && ret == 0) {
			/* an IOMMU went away: no longer a live one */
			const struct nlattr *ia = find_attr(g_m.buf + NLMSG_HDRLEN +
							    GENL_HDRLEN,
							    g_m.len - NLMSG_HDRLEN -
							    GENL_HDRLEN,
							    MEMDISP_A_IOMMU_ID);
			u32 gone = a_u64(ia, 0);

			for (i = 0; i < niommu; i++) {
				if (iommus[i] != gone)
					continue;
				if (ndead_iommu < 8)
					dead_iommus[ndead_iommu++] = gone;
				iommus[i] = iommus[--niommu];
				break;
			}
		}
		if (cmd == MEMDISP_CMD_MAP_SET || cmd == MEMDISP_CMD_MAP_DELTA ||
		    cmd == MEMDISP_CMD_MAP_COMMIT || cmd == MEMDISP_CMD_AS_DEL ||
		    cmd == MEMDISP_CMD_MAP_ABORT || cmd == MEMDISP_CMD_MAP_BEGIN ||
		    cmd == MEMDISP_CMD_MAP_CHUNK) {
			u64 gen;

			if (ret == 0) {
				for (i = 0; i < nas; i++)
					if (ases[i].alive)
						resync(&ases[i]);
				if (cmd != MEMDISP_CMD_AS_DEL && a->alive &&
				    cmd != MEMDISP_CMD_MAP_BEGIN &&
				    cmd != MEMDISP_CMD_MAP_CHUNK &&
				    cmd != MEMDISP_CMD_MAP_ABORT &&
				    a->gen != before && a->gen != before + 1)
					note_fail(&fail_model, 1,
						  "%s %s: generation %" PRIu64 " -> %" PRIu64,
						  cmd_name(cmd), g_m.what, before, a->gen);
				if (cmd == MEMDISP_CMD_MAP_BEGIN && v.txn_id) {
					/* a transaction opened: remember it */
					for (i = 0; i < nas; i++)
						if (ases[i].id == v.as_id)
							ases[i].txn = v.txn_id;
				}
			} else if (a->alive && !as_get_gen(&socks[a->owner], a->id, &gen) &&
				   gen != a->gen) {
				note_fail(&fail_model, 1,
					  "refused %s %s (%d) changed AS %u generation",
					  cmd_name(cmd), g_m.what, ret, a->id);
				a->gen = gen;
				resync(a);
			}
		}
	}
	(void)round;
}

int main(int argc, char **argv)
{
	u64 seed = 1;
	u32 rounds = 4, iters = 300, r, i;
	int c, bad_uid = 0, bad_ns = 0, bad_storm = 0, leak_rounds = 0;
	char why[256];
	struct sk st;

	while ((c = getopt(argc, argv, "s:r:i:lv")) != -1) {
		switch (c) {
		case 'l': limits_mode = true; break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		case 'i': iters = strtoul(optarg, NULL, 0); break;
		case 'v': verbose = true; break;
		default:
			fprintf(stderr, "usage: nlfuzz [-s SEED] [-r ROUNDS] [-i ITERS] [-l] [-v]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rng_state = seed;
	printf("TAP version 13\n");
	diag("nlfuzz seed %" PRIu64 ", %u rounds of %u actions", seed, rounds, iters);
	if (sk_open(&st) || (g_fam = resolve_family(&st)) < 0) {
		printf("not ok 1 - memdisp family not found (module loaded?)\n1..1\n");
		return 1;
	}
	if (sk_open(&socks[1])) {
		printf("not ok 1 - socket\n1..1\n");
		return 1;
	}
	corpus();
	sk_close(&socks[1]);
	tap(stats_live_zero(&st, why, sizeof(why)) || (diag("%s", why), false),
	    "corpus: no live objects after its socket closed");

	for (r = 0; r < rounds; r++) {
		pid_t cu = 0, cn = 0;

		round_setup(r);
		for (i = 0; i < iters; i++) {
			one_action(r);
			if (i % 50 == 49)
				bad_events += listener_drain(&g_listen, 0);
			if (i % 97 == 96) {
				/* keep every AS's model checked along the way */
				struct asm_ *a = pick_as();

				if (a)
					check_map(a, "mid-round");
			}
			if (i == iters / 4)
				cu = start_child(false, iters / 4 + 20);
			if (i == iters / 2)
				cn = start_child(true, iters / 4 + 20);
		}
		bad_uid += finish_child(cu);
		bad_ns += finish_child(cn);
		for (i = 0; i < nas; i++) {
			if (!ases[i].alive)
				continue;
			check_map(&ases[i], "end of round");
			check_xlat(&ases[i], 24);
		}
		bad_storm += storm(iters / 4 + 40);
		for (i = 0; i < NSOCK; i++)
			close_socket(i);
		bad_events += listener_drain(&g_listen, 0);
		sk_close(&g_listen);
		if (!stats_live_zero(&st, why, sizeof(why))) {
			leak_rounds++;
			note_fail(&fail_leak, 3, "round %u: live objects after close:%s",
				  r, why);
		}
	}
	fail_child_uid = bad_uid;
	fail_child_ns = bad_ns;
	diag("%u requests: %u ACK, %u errno (%u without message, allowed)",
	     n_req, n_ack, n_err, n_nomsg_ok);
	tap(fail_reply == 0,
	    "fuzz: every reply an ACK or a known errno with an extack message (%u requests)%s%s",
	    n_req, fail_reply ? ": " : "", first_fail[0]);
	tap(fail_expect == 0,
	    "fuzz: faulty transactions, stale generations and valid publications answered as specified%s%s",
	    fail_expect ? ": " : "", first_fail[2]);
	tap(fail_model == 0,
	    "fuzz: published maps dump and translate as the model after every round%s%s",
	    fail_model ? ": " : "", first_fail[1]);
	tap(fail_leak == 0,
	    "fuzz: live counts back to zero after every round (%u rounds)%s%s",
	    rounds, fail_leak ? ": " : "", first_fail[3]);
	tap(bad_events == 0 && ev_map > 0,
	    "fuzz: %u map-changed and %u IOTLB-miss events, all well formed (%u overruns)",
	    ev_map, ev_miss, ev_overrun);
	tap(bad_storm == 0,
	    "fuzz: storm (2 root writers racing the owners' closes): all replies valid (%d problems)",
	    bad_storm);
	tap(bad_uid == 0, "fuzz: uid 1000 changed nothing it may not, all replies valid (%d problems)",
	    bad_uid);
	tap(bad_ns == 0, "fuzz: another netns saw and changed nothing, all replies valid (%d problems)",
	    bad_ns);
	sk_close(&st);
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}
