// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdnl.c - synchronous memdisp netlink client for the in-VM tests.
 *
 * Every call returns 0 or a negative errno exactly as the kernel sent it
 * (not libnl's NLE_* codes), and leaves the extended-ACK message, if any, in
 * m->ext.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include "mdnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct call_ctx {
	struct md *m;
	struct md_reply *r;
	int err;
	bool done;
};

/**
 * md_open() - open a socket and resolve the memdisp family
 * @m: the handle to fill
 *
 * Return: 0, or a negative errno (-ENOENT when the module is not loaded).
 */
int md_open(struct md *m)
{
	int one = 1;

	memset(m, 0, sizeof(*m));
	m->sk = nl_socket_alloc();
	if (!m->sk)
		return -ENOMEM;
	if (genl_connect(m->sk)) {
		nl_socket_free(m->sk);
		m->sk = NULL;
		return -EIO;
	}
	nl_socket_enable_msg_peek(m->sk);
	nl_socket_set_buffer_size(m->sk, 1 << 20, 1 << 20);
	/* root may exceed rmem_max: batched translations need the room */
	setsockopt(nl_socket_get_fd(m->sk), SOL_SOCKET, SO_RCVBUFFORCE,
		   &(int){ 4 << 20 }, sizeof(int));
	setsockopt(nl_socket_get_fd(m->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(m->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	m->family = genl_ctrl_resolve(m->sk, MEMDISP_GENL_NAME);
	if (m->family < 0) {
		nl_socket_free(m->sk);
		m->sk = NULL;
		return -ENOENT;
	}
	return 0;
}

/**
 * md_close() - close the socket (the kernel then drops what it owned)
 * @m: the handle
 */
void md_close(struct md *m)
{
	if (m->sk)
		nl_socket_free(m->sk);
	m->sk = NULL;
}

/**
 * md_msg() - a new request
 * @m: the handle
 * @cmd: &enum memdisp_cmd
 * @flags: extra netlink flags (NLM_F_DUMP)
 *
 * Return: the message (4 KiB of room) or NULL.
 */
struct nl_msg *md_msg(struct md *m, uint8_t cmd, int flags)
{
	return md_msg_sz(m, cmd, flags, 4096);
}

/**
 * md_msg_sz() - a new request with room for @size bytes
 * @m: the handle
 * @cmd: &enum memdisp_cmd
 * @flags: extra netlink flags
 * @size: room to allocate
 *
 * Return: the message or NULL.
 */
struct nl_msg *md_msg_sz(struct md *m, uint8_t cmd, int flags, size_t size)
{
	struct nl_msg *msg = nlmsg_alloc_size(size);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, m->family, 0, flags,
			 cmd, MEMDISP_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/**
 * md_put_sec() - append one %MEMDISP_A_SECTION nest
 * @msg: the request
 * @s: the section
 *
 * Return: 0 or a negative libnl error (message full).
 */
int md_put_sec(struct nl_msg *msg, const struct md_sec *s)
{
	struct nlattr *n = nla_nest_start(msg, NLA_F_NESTED | MEMDISP_A_SECTION);

	if (!n)
		return -1;
	if (nla_put_u64(msg, MEMDISP_SEC_A_START, s->start) ||
	    nla_put_u64(msg, MEMDISP_SEC_A_LAST, s->last) ||
	    nla_put_u32(msg, MEMDISP_SEC_A_TYPE, s->type))
		return -1;
	if (s->flags && nla_put_u32(msg, MEMDISP_SEC_A_FLAGS, s->flags))
		return -1;
	if (s->region_id &&
	    nla_put_u64(msg, MEMDISP_SEC_A_REGION_ID, s->region_id))
		return -1;
	if (s->offset && nla_put_u64(msg, MEMDISP_SEC_A_OFFSET, s->offset))
		return -1;
	if (s->hva && nla_put_u64(msg, MEMDISP_SEC_A_HVA, s->hva))
		return -1;
	if (s->type == MEMDISP_SEC_IOMMU &&
	    nla_put_u32(msg, MEMDISP_SEC_A_IOMMU_ID, s->iommu_id))
		return -1;
	nla_nest_end(msg, n);
	return 0;
}

static void parse_xlat(struct nlattr *nest, struct md_xlat *x)
{
	struct nlattr *tb[MEMDISP_XLAT_A_MAX + 1];

	memset(x, 0, sizeof(*x));
	if (nla_parse_nested(tb, MEMDISP_XLAT_A_MAX, nest, NULL))
		return;
#define U32(a, f) do { if (tb[a]) x->f = nla_get_u32(tb[a]); } while (0)
#define U64(a, f) do { if (tb[a]) x->f = nla_get_u64(tb[a]); } while (0)
	U32(MEMDISP_XLAT_A_STATUS, status);
	U32(MEMDISP_XLAT_A_TYPE, type);
	U32(MEMDISP_XLAT_A_PERM, perm);
	U32(MEMDISP_XLAT_A_DEPTH, depth);
	U32(MEMDISP_XLAT_A_AS_ID, as_id);
	U32(MEMDISP_XLAT_A_IOMMU_ID, iommu_id);
	U32(MEMDISP_XLAT_A_SEC_FLAGS, sec_flags);
	U64(MEMDISP_XLAT_A_REGION_ID, region_id);
	U64(MEMDISP_XLAT_A_OFFSET, offset);
	U64(MEMDISP_XLAT_A_LEN, len);
	U64(MEMDISP_XLAT_A_HVA, hva);
	U64(MEMDISP_XLAT_A_ADDR, addr);
	U64(MEMDISP_XLAT_A_IOVA, iova);
#undef U32
#undef U64
	x->has_type = tb[MEMDISP_XLAT_A_TYPE] != NULL;
	x->has_hva = tb[MEMDISP_XLAT_A_HVA] != NULL;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct call_ctx *c = arg;
	struct md_reply *r = c->r;
	struct nlattr *tb[MEMDISP_A_MAX + 1];

	if (!r)
		return NL_OK;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MEMDISP_A_MAX, NULL))
		return NL_OK;
	r->nmsgs++;
	if (tb[MEMDISP_A_AS_ID]) {
		r->as_id = nla_get_u32(tb[MEMDISP_A_AS_ID]);
		r->has_as_id = true;
		if (r->match_as_id && r->as_id == r->match_as_id)
			r->saw_as_id_match = true;
	}
	if (tb[MEMDISP_A_AS_FLAGS])
		r->as_flags = nla_get_u32(tb[MEMDISP_A_AS_FLAGS]);
	if (tb[MEMDISP_A_TXN_ID])
		r->txn_id = nla_get_u32(tb[MEMDISP_A_TXN_ID]);
	if (tb[MEMDISP_A_IOMMU_ID])
		r->iommu_id = nla_get_u32(tb[MEMDISP_A_IOMMU_ID]);
	if (tb[MEMDISP_A_GENERATION])
		r->generation = nla_get_u64(tb[MEMDISP_A_GENERATION]);
	if (tb[MEMDISP_A_AS_NR_SECTIONS])
		r->nr_sections = nla_get_u32(tb[MEMDISP_A_AS_NR_SECTIONS]);
	if (tb[MEMDISP_A_XLAT]) {
		parse_xlat(tb[MEMDISP_A_XLAT], &r->xlat);
		r->has_xlat = true;
	}
	if (tb[MEMDISP_A_SECTION]) {
		struct nlattr *st[MEMDISP_SEC_A_MAX + 1];

		r->nsecs_seen++;
		if (!nla_parse_nested(st, MEMDISP_SEC_A_MAX,
				      tb[MEMDISP_A_SECTION], NULL) &&
		    st[MEMDISP_SEC_A_HVA])
			r->nhva_seen++;
	}
	if (tb[MEMDISP_A_STATS]) {
		struct nlattr *st[MEMDISP_STATS_A_MAX + 1];
		int i;

		if (!nla_parse_nested(st, MEMDISP_STATS_A_MAX,
				      tb[MEMDISP_A_STATS], NULL)) {
			for (i = 1; i <= MEMDISP_STATS_A_MAX; i++)
				if (st[i])
					r->stats[i] = nla_get_u64(st[i]);
			r->has_stats = true;
		}
	}
	return NL_OK;
}

static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct call_ctx *c = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);

	(void)nla;
	c->err = e->error;
	c->done = true;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    nlh->nlmsg_len > NLMSG_HDRLEN + sizeof(*e)) {
		char *p = (char *)(e + 1);
		int rem = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*e);

		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			p += e->msg.nlmsg_len - NLMSG_HDRLEN;
			rem -= e->msg.nlmsg_len - NLMSG_HDRLEN;
		}
		while (rem >= (int)sizeof(struct nlattr)) {
			struct nlattr *a = (struct nlattr *)p;

			if (a->nla_len < sizeof(*a) || a->nla_len > rem)
				break;
			if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
				snprintf(c->m->ext, sizeof(c->m->ext), "%.*s",
					 (int)(a->nla_len - sizeof(*a)),
					 (char *)(a + 1));
			p += NLA_ALIGN(a->nla_len);
			rem -= NLA_ALIGN(a->nla_len);
		}
	}
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct call_ctx *c = arg;

	(void)msg;
	c->done = true;
	return NL_STOP;
}

/**
 * md_call() - send a request, read every reply until the ACK or error
 * @m: the handle
 * @msg: the request (freed here)
 * @r: where replies are decoded, or NULL
 *
 * Return: 0 or the negative errno the kernel answered.
 */
int md_call(struct md *m, struct nl_msg *msg, struct md_reply *r)
{
	struct call_ctx c = { .m = m, .r = r };
	struct nl_cb *cb;
	int ret;

	m->ext[0] = 0;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, &c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, ack_cb, &c);
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, &c);
	ret = nl_send_auto(m->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return -EIO;
	}
	while (!c.done) {
		ret = nl_recvmsgs(m->sk, cb);
		if (ret < 0 && !c.done) {
			c.err = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	return c.err;
}

int md_as_new(struct md *m, const char *name, uint32_t flags, uint32_t *id)
{
	struct md_reply r = { 0 };
	struct nl_msg *msg = md_msg(m, MEMDISP_CMD_AS_NEW, 0);
	int ret;

	if (!msg)
		return -ENOMEM;
	nla_put_string(msg, MEMDISP_A_AS_NAME, name);
	if (flags)
		nla_put_u32(msg, MEMDISP_A_AS_FLAGS, flags);
	ret = md_call(m, msg, &r);
	if (!ret && !r.has_as_id)
		ret = -EBADMSG;
	if (!ret)
		*id = r.as_id;
	return ret;
}

static int simple_id(struct md *m, uint8_t cmd, int attr, uint32_t id,
		     struct md_reply *r, int flags)
{
	struct nl_msg *msg = md_msg(m, cmd, flags);

	if (!msg)
		return -ENOMEM;
	if (attr)
		nla_put_u32(msg, attr, id);
	return md_call(m, msg, r);
}

int md_as_del(struct md *m, uint32_t id)
{
	return simple_id(m, MEMDISP_CMD_AS_DEL, MEMDISP_A_AS_ID, id, NULL, 0);
}

int md_as_get(struct md *m, uint32_t id, struct md_reply *r)
{
	memset(r, 0, sizeof(*r));
	return simple_id(m, MEMDISP_CMD_AS_GET, MEMDISP_A_AS_ID, id, r, 0);
}

/* Dump every visible address space; r->saw_as_id_match tells if look_for
 * was among them.
 */
int md_as_dump(struct md *m, uint32_t look_for, struct md_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->match_as_id = look_for;
	return simple_id(m, MEMDISP_CMD_AS_GET, 0, 0, r, NLM_F_DUMP);
}

int md_map_get(struct md *m, uint32_t id, struct md_reply *r)
{
	memset(r, 0, sizeof(*r));
	return simple_id(m, MEMDISP_CMD_MAP_GET, MEMDISP_A_AS_ID, id, r,
			 NLM_F_DUMP);
}

int md_stats(struct md *m, uint64_t *stats)
{
	struct md_reply r = { 0 };
	int ret = simple_id(m, MEMDISP_CMD_STATS_GET, 0, 0, &r, 0);

	if (!ret && !r.has_stats)
		ret = -EBADMSG;
	if (!ret)
		memcpy(stats, r.stats, sizeof(r.stats));
	return ret;
}

int md_map_set(struct md *m, uint32_t id, uint64_t base,
	       const struct md_sec *s, unsigned int n, uint64_t *newgen)
{
	struct md_reply r = { 0 };
	struct nl_msg *msg = md_msg_sz(m, MEMDISP_CMD_MAP_SET, 0,
				       4096 + (size_t)n * 96);
	unsigned int i;
	int ret;

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, MEMDISP_A_AS_ID, id);
	nla_put_u64(msg, MEMDISP_A_GENERATION, base);
	for (i = 0; i < n; i++) {
		if (md_put_sec(msg, &s[i])) {
			nlmsg_free(msg);
			return -EMSGSIZE;
		}
	}
	ret = md_call(m, msg, &r);
	if (!ret && newgen)
		*newgen = r.generation;
	return ret;
}

/**
 * md_map_chunked() - publish through MAP_BEGIN / MAP_CHUNK... / MAP_COMMIT
 * @m: the handle
 * @id: address space
 * @base: base generation
 * @s: sections
 * @n: how many
 * @per: sections per chunk
 * @newgen: the new generation (out, may be NULL)
 *
 * Return: 0 or the first negative errno.
 */
int md_map_chunked(struct md *m, uint32_t id, uint64_t base,
		   const struct md_sec *s, unsigned int n, unsigned int per,
		   uint64_t *newgen)
{
	struct md_reply r = { 0 };
	struct nl_msg *msg = md_msg(m, MEMDISP_CMD_MAP_BEGIN, 0);
	unsigned int i, j;
	uint32_t txn;
	int ret;

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, MEMDISP_A_AS_ID, id);
	nla_put_u64(msg, MEMDISP_A_GENERATION, base);
	nla_put_u32(msg, MEMDISP_A_TXN_COUNT, n);
	ret = md_call(m, msg, &r);
	if (ret)
		return ret;
	txn = r.txn_id;
	for (i = 0; i < n; i += per) {
		msg = md_msg_sz(m, MEMDISP_CMD_MAP_CHUNK, 0,
				4096 + (size_t)per * 96);
		if (!msg)
			return -ENOMEM;
		nla_put_u32(msg, MEMDISP_A_AS_ID, id);
		nla_put_u32(msg, MEMDISP_A_TXN_ID, txn);
		for (j = i; j < n && j < i + per; j++) {
			if (md_put_sec(msg, &s[j])) {
				nlmsg_free(msg);
				return -EMSGSIZE;
			}
		}
		ret = md_call(m, msg, NULL);
		if (ret)
			return ret;
	}
	msg = md_msg(m, MEMDISP_CMD_MAP_COMMIT, 0);
	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, MEMDISP_A_AS_ID, id);
	nla_put_u32(msg, MEMDISP_A_TXN_ID, txn);
	memset(&r, 0, sizeof(r));
	ret = md_call(m, msg, &r);
	if (!ret && newgen)
		*newgen = r.generation;
	return ret;
}

int md_translate(struct md *m, uint32_t id, uint64_t addr, uint64_t len,
		 bool write, struct md_xlat *x)
{
	struct md_reply r = { 0 };
	struct nl_msg *msg = md_msg(m, MEMDISP_CMD_TRANSLATE, 0);
	int ret;

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, MEMDISP_A_AS_ID, id);
	nla_put_u64(msg, MEMDISP_A_ADDR, addr);
	nla_put_u64(msg, MEMDISP_A_LEN, len);
	if (write)
		nla_put_flag(msg, MEMDISP_A_WRITE);
	ret = md_call(m, msg, &r);
	if (!ret && !r.has_xlat)
		ret = -EBADMSG;
	if (!ret)
		*x = r.xlat;
	return ret;
}

/**
 * md_translate_batch() - many TRANSLATE requests in one send
 * @m: the handle
 * @id: address space
 * @n: number of requests (the socket's receive buffer must hold the
 *	replies: md_open() asks for 1 MiB, root gets it with SO_RCVBUFFORCE)
 * @addr: addresses
 * @len: lengths
 * @out: decoded replies, in request order
 * @err: per-request errno (0 or negative)
 *
 * The requests carry no NLM_F_ACK: each gets exactly one reply, either the
 * translation or an error.  This is the same command as md_translate(); it
 * only saves round trips.
 *
 * Return: 0, or a negative errno if the exchange itself failed.
 */
int md_translate_batch(struct md *m, uint32_t id, unsigned int n,
		       const uint64_t *addr, const uint64_t *len,
		       struct md_xlat *out, int *err)
{
	const size_t one = NLMSG_HDRLEN + GENL_HDRLEN + 3 * NLA_HDRLEN + 4 +
			   2 * 8 + 8;
	size_t cap = one * n, off = 0;
	char *buf = calloc(1, cap), *rbuf;
	unsigned int i, got = 0;
	int fd = nl_socket_get_fd(m->sk);
	uint32_t base_seq = 0x40000000;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
		struct genlmsghdr *g = (struct genlmsghdr *)NLMSG_DATA(h);
		char *p = (char *)g + GENL_HDRLEN;
		struct nlattr *a;

		h->nlmsg_type = m->family;
		h->nlmsg_flags = NLM_F_REQUEST;
		h->nlmsg_seq = base_seq + i;
		g->cmd = MEMDISP_CMD_TRANSLATE;
		g->version = MEMDISP_GENL_VERSION;
		a = (struct nlattr *)p;
		a->nla_type = MEMDISP_A_AS_ID;
		a->nla_len = NLA_HDRLEN + 4;
		memcpy(p + NLA_HDRLEN, &id, 4);
		p += NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)p;
		a->nla_type = MEMDISP_A_ADDR;
		a->nla_len = NLA_HDRLEN + 8;
		memcpy(p + NLA_HDRLEN, &addr[i], 8);
		p += NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)p;
		a->nla_type = MEMDISP_A_LEN;
		a->nla_len = NLA_HDRLEN + 8;
		memcpy(p + NLA_HDRLEN, &len[i], 8);
		p += NLA_ALIGN(a->nla_len);
		h->nlmsg_len = p - (char *)h;
		off += NLMSG_ALIGN(h->nlmsg_len);
		err[i] = -EINPROGRESS;
	}
	if (send(fd, buf, off, 0) != (ssize_t)off) {
		free(buf);
		return -errno ? -errno : -EIO;
	}
	free(buf);
	rbuf = malloc(1 << 17);
	if (!rbuf)
		return -ENOMEM;
	while (got < n) {
		ssize_t r = recv(fd, rbuf, 1 << 17, 0);
		struct nlmsghdr *h;
		int rem;

		if (r < 0) {
			free(rbuf);
			return -errno;
		}
		rem = r;
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, rem);
		     h = NLMSG_NEXT(h, rem)) {
			uint32_t k = h->nlmsg_seq - base_seq;

			if (k >= n)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				err[k] = e->error ? e->error : -EBADMSG;
				got++;
			} else if (h->nlmsg_type == m->family) {
				struct nlattr *tb[MEMDISP_A_MAX + 1];

				if (nla_parse((struct nlattr **)tb, MEMDISP_A_MAX,
					      (struct nlattr *)((char *)NLMSG_DATA(h) +
								GENL_HDRLEN),
					      h->nlmsg_len - NLMSG_HDRLEN -
					      GENL_HDRLEN, NULL) ||
				    !tb[MEMDISP_A_XLAT]) {
					err[k] = -EBADMSG;
				} else {
					parse_xlat(tb[MEMDISP_A_XLAT], &out[k]);
					err[k] = 0;
				}
				got++;
			}
		}
	}
	free(rbuf);
	return 0;
}
