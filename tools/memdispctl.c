// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memdispctl - inspect and drive memdisp.ko over generic netlink (libnl-3)
 *
 * iproute2-style: memdispctl [-j] OBJECT COMMAND [ARGS].  See memdispctl(8).
 * Replies are read with recv() on the libnl socket so that the kernel's
 * errno and extended-ACK message are reported as they are.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <poll.h>

#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "../uapi/linux/memdisp.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Exit codes (documented in memdispctl(8) and --help). */
enum {
	EX_OK = 0,
	EX_FAIL = 1,		/* any other failure */
	EX_USAGE = 2,		/* bad command line */
	EX_NOMOD = 3,		/* memdisp.ko not loaded */
	EX_PERM = 4,		/* permission denied */
	EX_NOENT = 5,		/* no such address space / IOMMU */
};

#define RECV_BUF (128 << 10)

static struct nl_sock *sk;
static int family;
static bool json;
static unsigned char *rbuf;
static const char *prog = "memdispctl";

static void usage(FILE *f)
{
	fprintf(f,
"usage: memdispctl [-j] OBJECT COMMAND [ARGS]\n"
"  as list                        address spaces (id, name, generation, sections)\n"
"  as show NAME|ID                the kernel's map in 'info mtree -f' layout\n"
"  translate NAME|ID ADDR [LEN] [--write]\n"
"                                 translate one access as the fast path does\n"
"  iommu show                     IOMMUs referenced by visible maps\n"
"  iotlb flush IOMMU              drop every IOTLB entry of IOMMU (an id)\n"
"  monitor [--count N]            print events (IOTLB misses, map changes)\n"
"  stats                          module counters\n"
"options: -j JSON output, -h this help\n"
"exit status: 0 ok, 1 other failure, 2 usage, 3 memdisp.ko not loaded,\n"
"             4 permission denied, 5 no such address space or IOMMU\n");
}

static int fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static int errno_code(int e)
{
	if (e == EPERM || e == EACCES)
		return EX_PERM;
	if (e == ENOENT || e == ENODEV)
		return EX_NOENT;
	return EX_FAIL;
}

static void ctl_open(void)
{
	int one = 1, ret;

	rbuf = malloc(RECV_BUF);
	sk = nl_socket_alloc();
	if (!sk || !rbuf)
		fail(EX_FAIL, "out of memory");
	ret = genl_connect(sk);
	if (ret < 0)
		fail(EX_FAIL, "cannot open a generic netlink socket: %s",
		     nl_geterror(ret));
	nl_socket_set_buffer_size(sk, 1 << 20, 1 << 20);
	nl_socket_disable_msg_peek(sk);
	nl_socket_set_msg_buf_size(sk, RECV_BUF);
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	family = genl_ctrl_resolve(sk, MEMDISP_GENL_NAME);
	if (family < 0)
		fail(EX_NOMOD, "memdisp.ko is not loaded (no generic netlink family '%s')",
		     MEMDISP_GENL_NAME);
}

static struct nl_msg *ctl_msg(uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			       flags | NLM_F_ACK, cmd, MEMDISP_GENL_VERSION))
		fail(EX_FAIL, "out of memory");
	return m;
}

static const char *extack(struct nlmsghdr *h)
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
	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX,
				  (struct nlattr *)((char *)e + off), len,
				  NULL) < 0 || !tb[NLMSGERR_ATTR_MSG])
		return NULL;
	return nla_get_string(tb[NLMSGERR_ATTR_MSG]);
}

typedef void (*reply_fn)(struct nlattr **tb, void *arg);

/*
 * Send @m and hand each reply's parsed attributes to @fn.  On a kernel
 * error: return -errno (if @soft) or exit with a one-line message.
 */
static int ctl_run(struct nl_msg *m, const char *what, reply_fn fn, void *arg,
		   bool soft)
{
	int fd = nl_socket_get_fd(sk);
	uint32_t seq;

	nl_complete_msg(sk, m);
	seq = nlmsg_hdr(m)->nlmsg_seq;
	if (nl_send(sk, m) < 0)
		fail(EX_FAIL, "%s: cannot send the request", what);
	nlmsg_free(m);
	for (;;) {
		struct nlmsghdr *h;
		ssize_t n = recv(fd, rbuf, RECV_BUF, 0);
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(EX_FAIL, "%s: receive: %s", what, strerror(errno));
		}
		len = (int)n;
		for (h = (struct nlmsghdr *)rbuf; nlmsg_ok(h, len);
		     h = nlmsg_next(h, &len)) {
			struct nlattr *tb[MEMDISP_A_MAX + 1];

			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = nlmsg_data(h);
				const char *x;

				if (!e->error)
					return 0;
				if (soft)
					return e->error;
				x = extack(h);
				fail(errno_code(-e->error), "%s: %s%s%s%s", what,
				     strerror(-e->error), x ? " (" : "",
				     x ? x : "", x ? ")" : "");
			}
			if (h->nlmsg_type != family || !fn)
				continue;
			if (genlmsg_parse(h, 0, tb, MEMDISP_A_MAX, NULL) < 0)
				fail(EX_FAIL, "%s: malformed reply", what);
			fn(tb, arg);
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Address spaces. */

struct as_info {
	uint32_t id, flags, nsec, portid;
	uint64_t gen, mem;
	char name[MEMDISP_NAME_MAX];
};

struct as_list {
	struct as_info *v;
	size_t n;
};

static void as_cb(struct nlattr **tb, void *arg)
{
	struct as_list *l = arg;
	struct as_info *a;

	if (!tb[MEMDISP_A_AS_ID])
		return;
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!l->v)
		fail(EX_FAIL, "out of memory");
	a = &l->v[l->n++];
	memset(a, 0, sizeof(*a));
	a->id = nla_get_u32(tb[MEMDISP_A_AS_ID]);
	if (tb[MEMDISP_A_AS_NAME])
		snprintf(a->name, sizeof(a->name), "%s",
			 nla_get_string(tb[MEMDISP_A_AS_NAME]));
	if (tb[MEMDISP_A_AS_FLAGS])
		a->flags = nla_get_u32(tb[MEMDISP_A_AS_FLAGS]);
	if (tb[MEMDISP_A_GENERATION])
		a->gen = nla_get_u64(tb[MEMDISP_A_GENERATION]);
	if (tb[MEMDISP_A_AS_NR_SECTIONS])
		a->nsec = nla_get_u32(tb[MEMDISP_A_AS_NR_SECTIONS]);
	if (tb[MEMDISP_A_AS_MEM_BYTES])
		a->mem = nla_get_u64(tb[MEMDISP_A_AS_MEM_BYTES]);
	if (tb[MEMDISP_A_AS_OWNER_PORTID])
		a->portid = nla_get_u32(tb[MEMDISP_A_AS_OWNER_PORTID]);
}

static struct as_list as_dump(void)
{
	struct as_list l = { 0 };

	ctl_run(ctl_msg(MEMDISP_CMD_AS_GET, NLM_F_DUMP), "as list", as_cb, &l,
		false);
	return l;
}

/* NAME or numeric id -> the address space; exits with EX_NOENT. */
static struct as_info as_lookup(const char *key)
{
	struct as_list l = as_dump();
	struct as_info found;
	char *end;
	unsigned long id = strtoul(key, &end, 0);
	size_t i;

	for (i = 0; i < l.n; i++)
		if (!strcmp(l.v[i].name, key) ||
		    (!*end && *key && l.v[i].id == id)) {
			found = l.v[i];
			free(l.v);
			return found;
		}
	free(l.v);
	fail(EX_NOENT, "no such address space '%s'", key);
	return found;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static int cmd_as_list(void)
{
	struct as_list l = as_dump();
	size_t i;

	if (json)
		putchar('[');
	else
		printf("%-6s %-24s %12s %10s %12s %8s %s\n", "ID", "NAME",
		       "GENERATION", "SECTIONS", "BYTES", "OWNER", "FLAGS");
	for (i = 0; i < l.n; i++) {
		struct as_info *a = &l.v[i];

		if (json) {
			printf("%s{\"id\":%u,\"name\":", i ? "," : "", a->id);
			json_str(a->name);
			printf(",\"generation\":%" PRIu64 ",\"sections\":%u,"
			       "\"mem_bytes\":%" PRIu64 ",\"owner_portid\":%u,"
			       "\"public\":%s}", a->gen, a->nsec, a->mem,
			       a->portid,
			       a->flags & MEMDISP_AS_F_PUBLIC ? "true" : "false");
		} else {
			printf("%-6u %-24s %12" PRIu64 " %10u %12" PRIu64
			       " %8u %s\n", a->id, a->name, a->gen, a->nsec,
			       a->mem, a->portid,
			       a->flags & MEMDISP_AS_F_PUBLIC ? "public" : "-");
		}
	}
	if (json)
		printf("]\n");
	free(l.v);
	return EX_OK;
}

struct sec {
	uint64_t start, last, region, offset, hva, gen;
	uint32_t type, flags, iommu;
};

struct sec_list {
	struct sec *v;
	size_t n;
	uint64_t gen_min, gen_max;
};

static void sec_cb(struct nlattr **tb, void *arg)
{
	struct sec_list *l = arg;
	struct nlattr *st[MEMDISP_SEC_A_MAX + 1];
	struct sec *s;

	if (!tb[MEMDISP_A_SECTION] ||
	    nla_parse_nested(st, MEMDISP_SEC_A_MAX, tb[MEMDISP_A_SECTION],
			     NULL) < 0 || !st[MEMDISP_SEC_A_START] ||
	    !st[MEMDISP_SEC_A_LAST] || !st[MEMDISP_SEC_A_TYPE])
		fail(EX_FAIL, "as show: malformed section");
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!l->v)
		fail(EX_FAIL, "out of memory");
	s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->start = nla_get_u64(st[MEMDISP_SEC_A_START]);
	s->last = nla_get_u64(st[MEMDISP_SEC_A_LAST]);
	s->type = nla_get_u32(st[MEMDISP_SEC_A_TYPE]);
	if (st[MEMDISP_SEC_A_FLAGS])
		s->flags = nla_get_u32(st[MEMDISP_SEC_A_FLAGS]);
	if (st[MEMDISP_SEC_A_REGION_ID])
		s->region = nla_get_u64(st[MEMDISP_SEC_A_REGION_ID]);
	if (st[MEMDISP_SEC_A_OFFSET])
		s->offset = nla_get_u64(st[MEMDISP_SEC_A_OFFSET]);
	if (st[MEMDISP_SEC_A_HVA])
		s->hva = nla_get_u64(st[MEMDISP_SEC_A_HVA]);
	if (st[MEMDISP_SEC_A_IOMMU_ID])
		s->iommu = nla_get_u32(st[MEMDISP_SEC_A_IOMMU_ID]);
	if (tb[MEMDISP_A_GENERATION]) {
		s->gen = nla_get_u64(tb[MEMDISP_A_GENERATION]);
		if (l->n == 1 || s->gen < l->gen_min)
			l->gen_min = s->gen;
		if (s->gen > l->gen_max)
			l->gen_max = s->gen;
	}
}

static struct sec_list map_dump(uint32_t id)
{
	struct sec_list l = { 0 };
	struct nl_msg *m = ctl_msg(MEMDISP_CMD_MAP_GET, NLM_F_DUMP);

	if (nla_put_u32(m, MEMDISP_A_AS_ID, id) < 0)
		fail(EX_FAIL, "out of memory");
	ctl_run(m, "as show", sec_cb, &l, false);
	return l;
}

static const char *type_word(const struct sec *s)
{
	switch (s->type) {
	case MEMDISP_SEC_RAM:
		return s->flags & MEMDISP_SEC_F_READONLY ? "rom" : "ram";
	case MEMDISP_SEC_ROM:
		return "rom";
	case MEMDISP_SEC_ROMD:
		return "romd";
	default:
		return "i/o";	/* MMIO and IOMMU, as QEMU 7.2 prints them */
	}
}

static const char *type_name(uint32_t t)
{
	static const char *const n[] = { "ram", "rom", "romd", "mmio",
					 "iommu" };

	return t < 5 ? n[t] : "?";
}

static int cmd_as_show(const char *key)
{
	struct as_info a = as_lookup(key);
	struct sec_list l = map_dump(a.id);
	size_t i;

	if (json) {
		printf("{\"id\":%u,\"name\":", a.id);
		json_str(a.name);
		printf(",\"generation\":%" PRIu64 ",\"sections\":[",
		       l.n ? l.gen_max : a.gen);
		for (i = 0; i < l.n; i++) {
			struct sec *s = &l.v[i];

			printf("%s{\"start\":%" PRIu64 ",\"last\":%" PRIu64
			       ",\"type\":\"%s\",\"flags\":%u,\"region_id\":%"
			       PRIu64 ",\"offset\":%" PRIu64, i ? "," : "",
			       s->start, s->last, type_name(s->type), s->flags,
			       s->region, s->offset);
			if (s->hva)
				printf(",\"hva\":%" PRIu64, s->hva);
			if (s->iommu)
				printf(",\"iommu_id\":%u", s->iommu);
			putchar('}');
		}
		printf("]}\n");
		free(l.v);
		return EX_OK;
	}
	printf("FlatView #0\n");
	printf(" AS \"%s\", id %u, generation %" PRIu64 "\n", a.name, a.id,
	       l.n ? l.gen_max : a.gen);
	if (l.n && l.gen_min != l.gen_max)
		printf(" (the map changed during the dump: generations %" PRIu64
		       "..%" PRIu64 ")\n", l.gen_min, l.gen_max);
	printf(" Root memory region: (kernel map, %zu sections)\n", l.n);
	if (!l.n)
		printf("  No rendered FlatView\n");
	for (i = 0; i < l.n; i++) {
		struct sec *s = &l.v[i];

		printf("  %016" PRIx64 "-%016" PRIx64 " (prio 0, %s): region-%"
		       PRIx64, s->start, s->last, type_word(s), s->region);
		if (s->offset)
			printf(" @%016" PRIx64, s->offset);
		if (s->iommu)
			printf(" iommu %u", s->iommu);
		if (s->flags & MEMDISP_SEC_F_DIRTY_LOG)
			printf(" dirty-log");
		if (s->flags & MEMDISP_SEC_F_COALESCED)
			printf(" coalesced");
		if (s->hva)
			printf(" hva 0x%" PRIx64, s->hva);
		putchar('\n');
	}
	putchar('\n');
	free(l.v);
	return EX_OK;
}

/* ---------------------------------------------------------------------- */

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-')
		fail(EX_USAGE, "bad %s '%s' (a number, 0x for hex)", what, s);
	return v;
}

/*
 * Reply values are copied out in the callbacks: the receive buffer is
 * reused for the ack that follows.
 */
struct xlat {
	bool has[MEMDISP_XLAT_A_MAX + 1];
	uint64_t v[MEMDISP_XLAT_A_MAX + 1];
};

static void xlat_cb(struct nlattr **tb, void *arg)
{
	struct nlattr *xt[MEMDISP_XLAT_A_MAX + 1];
	struct xlat *x = arg;
	int i;

	if (!tb[MEMDISP_A_XLAT] ||
	    nla_parse_nested(xt, MEMDISP_XLAT_A_MAX, tb[MEMDISP_A_XLAT],
			     NULL) < 0)
		fail(EX_FAIL, "translate: malformed reply");
	for (i = 1; i <= MEMDISP_XLAT_A_MAX; i++) {
		if (!xt[i])
			continue;
		x->has[i] = true;
		x->v[i] = nla_len(xt[i]) == 8 ? nla_get_u64(xt[i]) :
			  nla_get_u32(xt[i]);
	}
}

static int cmd_translate(int argc, char **argv)
{
	static const char *const status[] = { "ok", "unassigned",
					      "iotlb-miss", "denied", "loop" };
	static const char *const perm[] = { "none", "r", "w", "rw" };
	struct xlat xt = { 0 };
	bool write = false;
	const char *pos[3] = { 0 };
	int i, np = 0;
	struct as_info a;
	struct nl_msg *m;
	uint64_t addr, len = 1;
	uint32_t st;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--write"))
			write = true;
		else if (np < 3)
			pos[np++] = argv[i];
		else
			fail(EX_USAGE, "translate: too many arguments");
	}
	if (np < 2)
		fail(EX_USAGE, "usage: translate NAME|ID ADDR [LEN] [--write]");
	addr = parse_u64(pos[1], "address");
	if (np == 3)
		len = parse_u64(pos[2], "length");
	a = as_lookup(pos[0]);
	m = ctl_msg(MEMDISP_CMD_TRANSLATE, 0);
	if (nla_put_u32(m, MEMDISP_A_AS_ID, a.id) < 0 ||
	    nla_put_u64(m, MEMDISP_A_ADDR, addr) < 0 ||
	    nla_put_u64(m, MEMDISP_A_LEN, len) < 0 ||
	    (write && nla_put_flag(m, MEMDISP_A_WRITE) < 0))
		fail(EX_FAIL, "out of memory");
	ctl_run(m, "translate", xlat_cb, &xt, false);
	if (!xt.has[MEMDISP_XLAT_A_STATUS])
		fail(EX_FAIL, "translate: no result");
	st = (uint32_t)xt.v[MEMDISP_XLAT_A_STATUS];
#define G32(a) ((uint32_t)xt.v[a])
#define G64(a) (xt.v[a])
	if (json) {
		printf("{\"as\":");
		json_str(a.name);
		printf(",\"addr\":%" PRIu64 ",\"len\":%" PRIu64
		       ",\"write\":%s,\"status\":\"%s\"", addr,
		       G64(MEMDISP_XLAT_A_LEN), write ? "true" : "false",
		       st < 5 ? status[st] : "?");
		if (xt.has[MEMDISP_XLAT_A_TYPE])
			printf(",\"type\":\"%s\"",
			       type_name(G32(MEMDISP_XLAT_A_TYPE)));
		printf(",\"region_id\":%" PRIu64 ",\"offset\":%" PRIu64
		       ",\"perm\":\"%s\",\"final_as\":%u,\"final_addr\":%"
		       PRIu64 ",\"depth\":%u", G64(MEMDISP_XLAT_A_REGION_ID),
		       G64(MEMDISP_XLAT_A_OFFSET),
		       perm[G32(MEMDISP_XLAT_A_PERM) & 3],
		       G32(MEMDISP_XLAT_A_AS_ID), G64(MEMDISP_XLAT_A_ADDR),
		       G32(MEMDISP_XLAT_A_DEPTH));
		if (xt.has[MEMDISP_XLAT_A_HVA])
			printf(",\"hva\":%" PRIu64, G64(MEMDISP_XLAT_A_HVA));
		if (xt.has[MEMDISP_XLAT_A_IOMMU_ID])
			printf(",\"iommu_id\":%u,\"iova\":%" PRIu64,
			       G32(MEMDISP_XLAT_A_IOMMU_ID),
			       G64(MEMDISP_XLAT_A_IOVA));
		printf("}\n");
		return EX_OK;
	}
	printf("%s 0x%" PRIx64 " len %" PRIu64 " %s: %s", a.name, addr, len,
	       write ? "write" : "read", st < 5 ? status[st] : "?");
	if (xt.has[MEMDISP_XLAT_A_TYPE])
		printf(" %s region-%" PRIx64 " @0x%" PRIx64,
		       type_name(G32(MEMDISP_XLAT_A_TYPE)),
		       G64(MEMDISP_XLAT_A_REGION_ID),
		       G64(MEMDISP_XLAT_A_OFFSET));
	printf(" len %" PRIu64 " perm %s", G64(MEMDISP_XLAT_A_LEN),
	       perm[G32(MEMDISP_XLAT_A_PERM) & 3]);
	if (G32(MEMDISP_XLAT_A_DEPTH))
		printf(" via %u iommu hop(s) -> as %u addr 0x%" PRIx64,
		       G32(MEMDISP_XLAT_A_DEPTH), G32(MEMDISP_XLAT_A_AS_ID),
		       G64(MEMDISP_XLAT_A_ADDR));
	if (xt.has[MEMDISP_XLAT_A_IOMMU_ID])
		printf(" iommu %u iova 0x%" PRIx64,
		       G32(MEMDISP_XLAT_A_IOMMU_ID), G64(MEMDISP_XLAT_A_IOVA));
	if (xt.has[MEMDISP_XLAT_A_HVA])
		printf(" hva 0x%" PRIx64, G64(MEMDISP_XLAT_A_HVA));
	putchar('\n');
	return EX_OK;
}

/* The ABI has no IOMMU dump: list the IOMMU sections of visible maps. */
static int cmd_iommu_show(void)
{
	struct as_list l = as_dump();
	size_t i, j;
	bool first = true;

	if (json)
		putchar('[');
	else
		printf("%-6s %-24s %-35s %s\n", "IOMMU", "IN ADDRESS SPACE",
		       "RANGE", "IOVA OF START");
	for (i = 0; i < l.n; i++) {
		struct sec_list s = map_dump(l.v[i].id);

		for (j = 0; j < s.n; j++) {
			struct sec *x = &s.v[j];

			if (x->type != MEMDISP_SEC_IOMMU)
				continue;
			if (json) {
				printf("%s{\"iommu_id\":%u,\"as_id\":%u,\"as\":",
				       first ? "" : ",", x->iommu, l.v[i].id);
				json_str(l.v[i].name);
				printf(",\"start\":%" PRIu64 ",\"last\":%" PRIu64
				       ",\"iova\":%" PRIu64 "}", x->start,
				       x->last, x->offset);
			} else {
				printf("%-6u %-24s %016" PRIx64 "-%016" PRIx64
				       " 0x%" PRIx64 "\n", x->iommu,
				       l.v[i].name, x->start, x->last,
				       x->offset);
			}
			first = false;
		}
		free(s.v);
	}
	if (json)
		printf("]\n");
	free(l.v);
	return EX_OK;
}

static int cmd_iotlb_flush(const char *id)
{
	struct nl_msg *m = ctl_msg(MEMDISP_CMD_IOTLB_FLUSH, 0);
	uint64_t v = parse_u64(id, "IOMMU id");

	if (v == 0 || v > UINT32_MAX)
		fail(EX_USAGE, "bad IOMMU id '%s'", id);
	if (nla_put_u32(m, MEMDISP_A_IOMMU_ID, (uint32_t)v) < 0)
		fail(EX_FAIL, "out of memory");
	ctl_run(m, "iotlb flush", NULL, NULL, false);
	if (json)
		printf("{\"flushed\":%" PRIu64 "}\n", v);
	else
		printf("iommu %" PRIu64 ": IOTLB flushed\n", v);
	return EX_OK;
}

static void stats_cb(struct nlattr **tb, void *arg)
{
	struct nlattr *st[MEMDISP_STATS_A_MAX + 1];
	uint64_t *v = arg;
	int i;

	if (!tb[MEMDISP_A_STATS] ||
	    nla_parse_nested(st, MEMDISP_STATS_A_MAX, tb[MEMDISP_A_STATS],
			     NULL) < 0)
		fail(EX_FAIL, "stats: malformed reply");
	for (i = 1; i <= MEMDISP_STATS_A_MAX; i++)
		v[i] = st[i] ? nla_get_u64(st[i]) : 0;
}

static int cmd_stats(void)
{
	static const char *const names[] = {
		[MEMDISP_STATS_A_LOOKUPS] = "lookups",
		[MEMDISP_STATS_A_IOTLB_HITS] = "iotlb_hits",
		[MEMDISP_STATS_A_IOTLB_MISSES] = "iotlb_misses",
		[MEMDISP_STATS_A_MISS_EVENTS] = "miss_events",
		[MEMDISP_STATS_A_MISS_DROPPED] = "miss_dropped",
		[MEMDISP_STATS_A_LIVE_AS] = "live_address_spaces",
		[MEMDISP_STATS_A_LIVE_MAPS] = "live_maps",
		[MEMDISP_STATS_A_LIVE_IOMMUS] = "live_iommus",
		[MEMDISP_STATS_A_LIVE_IOTLB] = "live_iotlb_entries",
		[MEMDISP_STATS_A_LIVE_TXNS] = "live_transactions",
		[MEMDISP_STATS_A_PUBLISHES] = "publishes",
	};
	uint64_t st[MEMDISP_STATS_A_MAX + 1] = { 0 };
	int i;

	ctl_run(ctl_msg(MEMDISP_CMD_STATS_GET, 0), "stats", stats_cb, st,
		false);
	if (json)
		putchar('{');
	for (i = 1; i <= MEMDISP_STATS_A_MAX; i++) {
		uint64_t v = st[i];

		if (json)
			printf("%s\"%s\":%" PRIu64, i > 1 ? "," : "", names[i],
			       v);
		else
			printf("%-22s %" PRIu64 "\n", names[i], v);
	}
	if (json)
		printf("}\n");
	return EX_OK;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_monitor(int argc, char **argv)
{
	struct nl_sock *ev = nl_socket_alloc();
	long count = -1, seen = 0;
	int grp, fd, ret;

	if (argc == 2 && !strcmp(argv[0], "--count"))
		count = (long)parse_u64(argv[1], "count");
	else if (argc)
		fail(EX_USAGE, "usage: monitor [--count N]");
	grp = genl_ctrl_resolve_grp(sk, MEMDISP_GENL_NAME, MEMDISP_MCGRP_EVENTS);
	if (!ev || grp < 0 || genl_connect(ev) < 0)
		fail(EX_FAIL, "monitor: cannot open the event socket");
	nl_socket_disable_seq_check(ev);
	nl_socket_disable_msg_peek(ev);
	nl_socket_set_buffer_size(ev, 4 << 20, 0);
	ret = nl_socket_add_membership(ev, grp);
	if (ret < 0)
		fail(ret == -NLE_PERM ? EX_PERM : EX_FAIL,
		     "monitor: cannot join group '%s': %s",
		     MEMDISP_MCGRP_EVENTS, nl_geterror(ret));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fd = nl_socket_get_fd(ev);
	if (!json)
		printf("monitoring memdisp events (Ctrl-C to stop)\n");
	fflush(stdout);
	while (!stop && (count < 0 || seen < count)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *h;
		ssize_t n;
		int len;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recv(fd, rbuf, RECV_BUF, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				printf(json ? "{\"event\":\"lost\"}\n" :
				       "events lost (receive buffer overrun)\n");
				continue;
			}
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fail(EX_FAIL, "monitor: %s", strerror(errno));
		}
		len = (int)n;
		for (h = (struct nlmsghdr *)rbuf; nlmsg_ok(h, len);
		     h = nlmsg_next(h, &len)) {
			struct genlmsghdr *g = nlmsg_data(h);
			struct nlattr *tb[MEMDISP_A_MAX + 1];

			if (h->nlmsg_type != family ||
			    genlmsg_parse(h, 0, tb, MEMDISP_A_MAX, NULL) < 0)
				continue;
			if (g->cmd == MEMDISP_CMD_EVT_IOTLB_MISS &&
			    tb[MEMDISP_A_IOMMU_ID] && tb[MEMDISP_A_IOVA]) {
				uint32_t pm = tb[MEMDISP_A_PERM] ?
					      nla_get_u32(tb[MEMDISP_A_PERM]) : 0;

				printf(json ? "{\"event\":\"iotlb_miss\",\"iommu_id\":%u,\"iova\":%" PRIu64 ",\"perm\":%u}\n" :
				       "iotlb-miss iommu %u iova 0x%" PRIx64 " perm %u\n",
				       nla_get_u32(tb[MEMDISP_A_IOMMU_ID]),
				       nla_get_u64(tb[MEMDISP_A_IOVA]), pm);
			} else if (g->cmd == MEMDISP_CMD_EVT_MAP_CHANGED &&
				   tb[MEMDISP_A_AS_ID]) {
				uint64_t gen = tb[MEMDISP_A_GENERATION] ?
					nla_get_u64(tb[MEMDISP_A_GENERATION]) : 0;
				bool dead = tb[MEMDISP_A_AS_DEAD];

				printf(json ? "{\"event\":\"map_changed\",\"as_id\":%u,\"generation\":%" PRIu64 ",\"dead\":%s}\n" :
				       "map-changed as %u generation %" PRIu64 "%s\n",
				       nla_get_u32(tb[MEMDISP_A_AS_ID]), gen,
				       json ? (dead ? "true" : "false") :
				       (dead ? " (destroyed)" : ""));
			} else {
				continue;
			}
			seen++;
		}
		fflush(stdout);
	}
	nl_socket_free(ev);
	return EX_OK;
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EX_OK;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", prog,
				argv[i]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	argc -= i;
	argv += i;
	if (argc < 1) {
		usage(stderr);
		return EX_USAGE;
	}
	/* Validate the command line before touching the kernel. */
#define IS(n, s) (argc >= (n) && !strcmp(argv[(n) - 1], (s)))
	if (!(IS(1, "as") && (IS(2, "list") || (IS(2, "show") && argc == 3))) &&
	    !IS(1, "translate") && !(IS(1, "iommu") && IS(2, "show")) &&
	    !(IS(1, "iotlb") && IS(2, "flush") && argc == 3) &&
	    !IS(1, "monitor") && !(IS(1, "stats") && argc == 1)) {
		fprintf(stderr, "%s: unknown or incomplete command '%s'\n",
			prog, argv[0]);
		usage(stderr);
		return EX_USAGE;
	}
	ctl_open();
	if (IS(1, "as") && IS(2, "list"))
		return cmd_as_list();
	if (IS(1, "as"))
		return cmd_as_show(argv[2]);
	if (IS(1, "translate"))
		return cmd_translate(argc - 1, argv + 1);
	if (IS(1, "iommu"))
		return cmd_iommu_show();
	if (IS(1, "iotlb"))
		return cmd_iotlb_flush(argv[2]);
	if (IS(1, "monitor"))
		return cmd_monitor(argc - 1, argv + 1);
	return cmd_stats();
}
