// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * md-vmtest - memdisp.ko tests run inside the VM (as root, module loaded).
 *
 *   md-vmtest perm        second uid and another network namespace
 *   md-vmtest owner-exit  owner dies mid-transaction; the kernel frees it
 *   md-vmtest cycles [N]  N (10000) create/publish/destroy cycles, no leak
 *   md-vmtest torn [N]    readers on both vCPUs during N (3000) commits
 *   md-vmtest torn-kernel [N [KO]]  the same, read by md_torn.ko kthreads
 *   md-vmtest replay FILE... info mtree -f dumps, 100000 lookups per map
 *   md-vmtest hold SECS   keep address spaces live (for rmmod tests)
 *   md-vmtest load SECS   publish and translate in a loop (for rmmod tests)
 *   md-vmtest live        print live-object counters (shell checks)
 *
 * Each test prints TAP ("ok N - name" / "not ok N - name") and a plan, and
 * exits non-zero if anything failed.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "mdnl.h"
#include "torn/torn_sig.h"
#include "../common/tap.h"



static int finish(void)
{
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}

static void must_open(struct md *m)
{
	int ret = md_open(m);

	if (ret) {
		printf("not ok 1 - open memdisp netlink family: %s\n",
		       strerror(-ret));
		printf("1..1\n");
		exit(1);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static uint64_t rnd_r(uint64_t *st)
{
	uint64_t x = *st;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*st = x;
	return x;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* live-object counters */
static const int live_attrs[] = {
	MEMDISP_STATS_A_LIVE_AS, MEMDISP_STATS_A_LIVE_MAPS,
	MEMDISP_STATS_A_LIVE_IOMMUS, MEMDISP_STATS_A_LIVE_IOTLB,
	MEMDISP_STATS_A_LIVE_TXNS,
};
static const char *const live_names[] = {
	"as", "maps", "iommus", "iotlb", "txns",
};
#define NLIVE 5

static int get_live(struct md *m, uint64_t *live)
{
	uint64_t st[MEMDISP_STATS_A_MAX + 1];
	int ret = md_stats(m, st), i;

	if (ret)
		return ret;
	for (i = 0; i < NLIVE; i++)
		live[i] = st[live_attrs[i]];
	return 0;
}

static void fmt_live(const uint64_t *l, char *buf, size_t sz)
{
	int i, o = 0;

	for (i = 0; i < NLIVE; i++)
		o += snprintf(buf + o, sz - o, "%s%s=%" PRIu64, i ? " " : "",
			      live_names[i], l[i]);
}

/*
 * Wait (up to 5 s: maps go after an RCU grace period, sockets are
 * released asynchronously) until the live counters equal @want.
 */
static bool wait_live(struct md *m, const uint64_t *want, uint64_t *got)
{
	double end = now() + 5;

	do {
		if (get_live(m, got))
			return false;
		if (!memcmp(got, want, NLIVE * sizeof(*got)))
			return true;
		usleep(20000);
	} while (now() < end);
	return false;
}

/*
 * The baseline for a leak check: objects the previous test (or program)
 * freed may still be waiting for their socket release or grace period, so
 * wait up to 5 s for the counters to reach zero before taking them as
 * they are.
 */
static int settle_baseline(struct md *m, uint64_t *base)
{
	static const uint64_t zero[NLIVE];

	if (wait_live(m, zero, base))
		return 0;
	return get_live(m, base);
}

static void tap_live(struct md *m, const uint64_t *base, const char *what)
{
	uint64_t got[NLIVE];
	char b1[200], b2[200];
	bool ok = wait_live(m, base, got);

	fmt_live(base, b1, sizeof(b1));
	fmt_live(got, b2, sizeof(b2));
	tap(ok, "%s: live objects back to baseline", what);
	if (!ok)
		diag("baseline %s, now %s", b1, b2);
}

/* ---------------------------------------------------------------- perm */

#define SECRET_HVA 0x7f1234560000ULL

static void small_map(struct md_sec *s, unsigned int n, uint64_t tag)
{
	unsigned int i;

	memset(s, 0, n * sizeof(*s));
	for (i = 0; i < n; i++) {
		s[i].start = i * 0x10000ULL;
		s[i].last = s[i].start + 0x7fff;
		s[i].type = i % 2 ? MEMDISP_SEC_MMIO : MEMDISP_SEC_RAM;
		s[i].region_id = tag * 1000 + i + 1;
		s[i].offset = i * 0x100;
		if (s[i].type == MEMDISP_SEC_RAM)
			s[i].hva = SECRET_HVA + i * 0x10000ULL;
	}
}

/* Run fn in a child; the child prints TAP lines continuing our numbering
 * and exits with the number of lines it printed (failures reported via a
 * pipe would be overkill: we re-read them from its exit status).
 */
struct child_res {
	int n, fail;
};

static int run_child(void (*fn)(void *), void *arg)
{
	int p[2], st;
	struct child_res res = { 0, 0 };
	pid_t pid;

	if (pipe(p))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(p[0]);
		fn(arg);
		res.n = tap_n;
		res.fail = tap_fail;
		if (write(p[1], &res, sizeof(res)) != sizeof(res))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &res, sizeof(res)) != sizeof(res)) {
		close(p[0]);
		waitpid(pid, &st, 0);
		tap(false, "child process finished its checks (status %d)", st);
		return -1;
	}
	close(p[0]);
	waitpid(pid, &st, 0);
	tap_n = res.n;
	tap_fail = res.fail;
	return 0;
}

struct perm_ctx {
	uint32_t priv_id, pub_id;
	bool netns;
	const char *who;
};

static bool refused(int ret)
{
	return ret == -EPERM || ret == -EACCES || ret == -ENOENT;
}

static void perm_checks(void *arg)
{
	struct perm_ctx *c = arg;
	struct md m;
	struct md_reply r;
	struct md_xlat x;
	struct md_sec s[2];
	struct nl_msg *msg;
	uint64_t gen;
	int ret;

	if (c->netns) {
		if (unshare(CLONE_NEWNET)) {
			tap(false, "%s: unshare(CLONE_NEWNET): %s", c->who,
			    strerror(errno));
			return;
		}
	} else {
		if (setgid(1000) || setuid(1000)) {
			tap(false, "%s: setuid(1000): %s", c->who,
			    strerror(errno));
			return;
		}
	}
	ret = md_open(&m);
	tap(!ret, "%s: family reachable", c->who);
	if (ret)
		return;

	/* private address space: invisible or refused, never shown */
	ret = md_as_get(&m, c->priv_id, &r);
	tap(refused(ret), "%s: get private AS refused (%d %s)", c->who, ret,
	    m.ext);
	ret = md_as_dump(&m, c->priv_id, &r);
	tap(!ret && !r.saw_as_id_match, "%s: dump does not list private AS",
	    c->who);
	ret = md_map_get(&m, c->priv_id, &r);
	tap(refused(ret) && r.nsecs_seen == 0,
	    "%s: map dump of private AS refused (%d, %u sections)", c->who,
	    ret, r.nsecs_seen);
	ret = md_translate(&m, c->priv_id, 0x10, 4, false, &x);
	tap(refused(ret), "%s: translate in private AS refused (%d)", c->who,
	    ret);

	/* public address space */
	ret = md_as_get(&m, c->pub_id, &r);
	if (c->netns)
		tap(ret == -ENOENT,
		    "%s: public AS of another namespace invisible (%d)",
		    c->who, ret);
	else
		tap(!ret && r.as_id == c->pub_id, "%s: get public AS (%d)",
		    c->who, ret);
	ret = md_translate(&m, c->pub_id, 0x10, 4, false, &x);
	if (c->netns) {
		tap(ret == -ENOENT, "%s: translate in foreign-ns AS: ENOENT (%d)",
		    c->who, ret);
	} else {
		tap(!ret && x.status == MEMDISP_XLAT_OK && x.region_id == 2001,
		    "%s: translate in public AS works (%d)", c->who, ret);
		tap(!ret && !x.has_hva && x.hva == 0,
		    "%s: translate hides the owner's host address", c->who);
	}
	ret = md_map_get(&m, c->pub_id, &r);
	if (c->netns) {
		tap(ret == -ENOENT && r.nsecs_seen == 0,
		    "%s: map dump of foreign-ns AS: ENOENT (%d)", c->who, ret);
	} else {
		tap(!ret && r.nsecs_seen == 4,
		    "%s: map dump of public AS (%d, %u sections)", c->who, ret,
		    r.nsecs_seen);
		tap(r.nhva_seen == 0,
		    "%s: map dump hides host addresses (%u shown)", c->who,
		    r.nhva_seen);
	}

	/* no change to either */
	small_map(s, 2, 9);
	ret = md_map_set(&m, c->priv_id, 1, s, 2, &gen);
	tap(refused(ret), "%s: publish into private AS refused (%d)", c->who,
	    ret);
	ret = md_map_set(&m, c->pub_id, 1, s, 2, &gen);
	tap(refused(ret), "%s: publish into public AS refused (%d %s)",
	    c->who, ret, m.ext);
	ret = md_map_chunked(&m, c->pub_id, 1, s, 2, 1, &gen);
	tap(refused(ret), "%s: transaction on public AS refused (%d)", c->who,
	    ret);
	msg = md_msg(&m, MEMDISP_CMD_MAP_DELTA, 0);
	nla_put_u32(msg, MEMDISP_A_AS_ID, c->pub_id);
	nla_put_u64(msg, MEMDISP_A_GENERATION, 1);
	md_put_sec(msg, &(struct md_sec){ .start = 0x100000, .last = 0x100fff,
					  .type = MEMDISP_SEC_MMIO });
	ret = md_call(&m, msg, NULL);
	tap(refused(ret), "%s: delta on public AS refused (%d)", c->who, ret);
	ret = md_as_del(&m, c->priv_id);
	tap(refused(ret), "%s: destroy private AS refused (%d)", c->who, ret);
	ret = md_as_del(&m, c->pub_id);
	tap(refused(ret), "%s: destroy public AS refused (%d)", c->who, ret);
	msg = md_msg(&m, MEMDISP_CMD_IOMMU_NEW, 0);
	nla_put_u32(msg, MEMDISP_A_AS_ID, c->pub_id);
	ret = md_call(&m, msg, NULL);
	tap(refused(ret), "%s: IOMMU targeting another's AS refused (%d)",
	    c->who, ret);
	md_close(&m);
}

static int t_perm(void)
{
	struct md m;
	struct md_sec s[4];
	struct md_reply r;
	struct perm_ctx c = { 0 };
	uint64_t gen, base[NLIVE];
	int ret;

	must_open(&m);
	if (settle_baseline(&m, base))
		tap(false, "stats");
	ret = md_as_new(&m, "perm-private", 0, &c.priv_id);
	tap(!ret, "owner creates a private AS (%d %s)", ret, m.ext);
	ret = md_as_new(&m, "perm-public", MEMDISP_AS_F_PUBLIC, &c.pub_id);
	tap(!ret, "owner creates a public AS (%d %s)", ret, m.ext);
	small_map(s, 4, 1);
	ret = md_map_set(&m, c.priv_id, 0, s, 4, &gen);
	tap(!ret && gen == 1, "publish private map (%d %s)", ret, m.ext);
	small_map(s, 4, 2);
	ret = md_map_set(&m, c.pub_id, 0, s, 4, &gen);
	tap(!ret && gen == 1, "publish public map (%d %s)", ret, m.ext);

	c.who = "uid 1000";
	c.netns = false;
	run_child(perm_checks, &c);
	c.who = "other netns";
	c.netns = true;
	run_child(perm_checks, &c);

	/* nothing changed */
	ret = md_as_get(&m, c.priv_id, &r);
	tap(!ret && r.generation == 1 && r.nr_sections == 4,
	    "private AS unchanged after the attempts (gen %" PRIu64 ", %u)",
	    r.generation, r.nr_sections);
	ret = md_as_get(&m, c.pub_id, &r);
	tap(!ret && r.generation == 1 && r.nr_sections == 4,
	    "public AS unchanged after the attempts (gen %" PRIu64 ", %u)",
	    r.generation, r.nr_sections);
	ret = md_map_get(&m, c.priv_id, &r);
	tap(!ret && r.nsecs_seen == 4 && r.nhva_seen == 2,
	    "owner sees its own host addresses (%u of 2)", r.nhva_seen);
	md_close(&m);
	must_open(&m);
	tap_live(&m, base, "owner socket closed");
	md_close(&m);
	return finish();
}

/* ----------------------------------------------------------- owner-exit */

static void build_big(struct md_sec *s, unsigned int n)
{
	unsigned int i;

	memset(s, 0, n * sizeof(*s));
	for (i = 0; i < n; i++) {
		s[i].start = i * 0x2000ULL;
		s[i].last = s[i].start + 0xfff;
		s[i].type = MEMDISP_SEC_RAM;
		s[i].region_id = i + 1;
		s[i].hva = 0x7f0000000000ULL + i * 0x1000ULL;
	}
}

static void die_mid_txn(int mode)
{
	struct md m;
	struct md_reply r = { 0 };
	struct md_sec *s = calloc(1000, sizeof(*s));
	struct nl_msg *msg;
	uint32_t id;
	int i;

	if (md_open(&m) || md_as_new(&m, "dying", 0, &id))
		_exit(3);
	build_big(s, 1000);
	if (mode == 1 && md_map_set(&m, id, 0, s, 100, NULL))
		_exit(4);
	msg = md_msg(&m, MEMDISP_CMD_MAP_BEGIN, 0);
	nla_put_u32(msg, MEMDISP_A_AS_ID, id);
	nla_put_u64(msg, MEMDISP_A_GENERATION, mode == 1 ? 1 : 0);
	nla_put_u32(msg, MEMDISP_A_TXN_COUNT, 1000);
	if (md_call(&m, msg, &r))
		_exit(5);
	for (i = 0; i < 3; i++) {
		msg = md_msg_sz(&m, MEMDISP_CMD_MAP_CHUNK, 0, 64 * 1024);
		nla_put_u32(msg, MEMDISP_A_AS_ID, id);
		nla_put_u32(msg, MEMDISP_A_TXN_ID, r.txn_id);
		for (int j = i * 100; j < i * 100 + 100; j++)
			md_put_sec(msg, &s[j]);
		if (md_call(&m, msg, NULL))
			_exit(6);
	}
	if (mode == 2) {
		/* last chunk in flight, no ack read */
		msg = md_msg_sz(&m, MEMDISP_CMD_MAP_CHUNK, 0, 64 * 1024);
		nla_put_u32(msg, MEMDISP_A_AS_ID, id);
		nla_put_u32(msg, MEMDISP_A_TXN_ID, r.txn_id);
		for (int j = 300; j < 400; j++)
			md_put_sec(msg, &s[j]);
		nl_send_auto(m.sk, msg);
		kill(getpid(), SIGKILL);
	}
	_exit(0);
}

static int t_owner_exit(void)
{
	struct md m;
	uint64_t base[NLIVE], mid[NLIVE];
	int mode, st;
	uint32_t keep;
	struct md_reply r;

	must_open(&m);
	/* our own AS must survive other owners dying */
	tap(!md_as_new(&m, "survivor", 0, &keep), "create survivor AS");
	if (settle_baseline(&m, base))
		tap(false, "stats");
	for (mode = 0; mode < 3; mode++) {
		static const char *const what[] = {
			"_exit mid-transaction (empty map)",
			"_exit mid-transaction over a published map",
			"SIGKILL with a chunk in flight",
		};
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (!pid)
			die_mid_txn(mode);
		waitpid(pid, &st, 0);
		tap((mode == 2 && WIFSIGNALED(st)) ||
		    (mode != 2 && WIFEXITED(st) && !WEXITSTATUS(st)),
		    "child: %s ran (status 0x%x)", what[mode], st);
		tap_live(&m, base, what[mode]);
	}
	/* the stats must have seen the transaction while it was open */
	{
		struct md m2;
		struct md_reply rr = { 0 };
		struct nl_msg *msg;
		uint32_t id;

		must_open(&m2);
		md_as_new(&m2, "open-txn", 0, &id);
		msg = md_msg(&m2, MEMDISP_CMD_MAP_BEGIN, 0);
		nla_put_u32(msg, MEMDISP_A_AS_ID, id);
		nla_put_u64(msg, MEMDISP_A_GENERATION, 0);
		nla_put_u32(msg, MEMDISP_A_TXN_COUNT, 10);
		md_call(&m2, msg, &rr);
		get_live(&m, mid);
		tap(mid[0] == base[0] + 1 && mid[4] == base[4] + 1,
		    "live counters count an open transaction (as %" PRIu64
		    ", txns %" PRIu64 ")", mid[0], mid[4]);
		md_close(&m2);
		tap_live(&m, base, "socket closed with an open transaction");
	}
	tap(!md_as_get(&m, keep, &r) && r.as_id == keep,
	    "survivor AS intact");
	md_close(&m);
	return finish();
}

/* -------------------------------------------------------------- cycles */

static int t_cycles(int n)
{
	struct md m;
	struct md_sec s[8];
	uint64_t base[NLIVE], gen;
	int i, errs = 0, first_err = 0;
	double t0;

	must_open(&m);
	if (settle_baseline(&m, base))
		tap(false, "stats");
	t0 = now();
	for (i = 0; i < n; i++) {
		uint32_t id;
		int ret = md_as_new(&m, "cycle", i & 1 ? MEMDISP_AS_F_PUBLIC : 0,
				    &id);

		if (!ret && i % 3 == 0) {
			small_map(s, 8, i);
			ret = md_map_set(&m, id, 0, s, 8, &gen);
			if (!ret && i % 6 == 0)
				ret = md_map_set(&m, id, gen, s, 4, &gen);
		}
		if (!ret && i % 5 == 0)
			ret = md_map_chunked(&m, id, i % 3 == 0 ?
					     (i % 6 == 0 ? 2 : 1) : 0,
					     s, 8, 3, &gen);
		if (!ret)
			ret = md_as_del(&m, id);
		if (ret) {
			if (!errs++)
				first_err = ret;
		}
	}
	tap(!errs, "%d create/publish/destroy cycles (%d errors, first %d %s)",
	    n, errs, first_err, m.ext);
	diag("%.1f us per cycle", (now() - t0) * 1e6 / n);
	tap_live(&m, base, "after create/destroy cycles");

	/* the same, but destroyed by closing the owner socket */
	errs = 0;
	for (i = 0; i < n / 10; i++) {
		struct md o;
		uint32_t id;

		if (md_open(&o)) {
			errs++;
			continue;
		}
		if (md_as_new(&o, "closed", 0, &id))
			errs++;
		small_map(s, 8, i);
		if (md_map_set(&o, id, 0, s, 8, &gen))
			errs++;
		md_close(&o);
	}
	tap(!errs, "%d sockets closed with a live AS (%d errors)", n / 10,
	    errs);
	tap_live(&m, base, "after socket-close cycles");
	md_close(&m);
	return finish();
}

/* ---------------------------------------------------------------- torn */

static void torn_sec(uint64_t g, unsigned int i, struct md_sec *s)
{
	struct torn_geom t;

	torn_geom(g, i, &t);
	memset(s, 0, sizeof(*s));
	s->start = t.start;
	s->last = t.last;
	s->type = MEMDISP_SEC_RAM;
	s->region_id = g << 16 | i;
	s->offset = t.offset;
	s->hva = t.hva;
}

static atomic_uint_fast64_t torn_sent;	/* highest g sent by the writer */
static atomic_int torn_stop;
static uint32_t torn_as;

struct reader {
	int cpu;
	uint64_t lookups, assigned, bad, backwards, errors;
	char first_bad[256];
};

static bool gap_consistent(uint64_t g, uint64_t addr, uint64_t len)
{
	struct md_sec s;
	unsigned int i;

	/* addr must fall outside every section of g, and len be clipped to
	 * the next section's start (or stay whole).
	 */
	for (i = 0; i < TORN_NSEC; i++) {
		torn_sec(g, i, &s);
		if (addr >= s.start && addr <= s.last)
			return false;
		if (s.start > addr)
			return len == (s.start - addr < 0x4000 ?
				       s.start - addr : 0x4000);
	}
	return len == 0x4000;
}

static void *torn_reader(void *arg)
{
	struct reader *rd = arg;
	struct md m;
	cpu_set_t set;
	uint64_t st = 0x1234567 + rd->cpu, last_g = 0;

	CPU_ZERO(&set);
	CPU_SET(rd->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	if (md_open(&m)) {
		rd->errors++;
		return NULL;
	}
	while (!atomic_load(&torn_stop)) {
		uint64_t addr = rnd_r(&st) % (TORN_NSEC * TORN_STRIDE + 0x1000);
		struct md_xlat x;
		int ret = md_translate(&m, torn_as, addr, 0x4000, false, &x);
		uint64_t hi = atomic_load(&torn_sent);

		rd->lookups++;
		if (ret) {
			rd->errors++;
			continue;
		}
		if (x.status == MEMDISP_XLAT_OK) {
			uint64_t g = x.region_id >> 16;
			unsigned int i = x.region_id & 0xffff;
			struct md_sec s;
			uint64_t want_len;

			rd->assigned++;
			if (g < last_g)
				rd->backwards++;
			last_g = g > last_g ? g : last_g;
			torn_sec(g, i, &s);
			want_len = s.last - addr + 1;
			if (want_len > 0x4000)
				want_len = 0x4000;
			if (i >= TORN_NSEC || g > hi || addr < s.start ||
			    addr > s.last ||
			    x.offset != s.offset + (addr - s.start) ||
			    x.len != want_len ||
			    x.hva != s.hva + (addr - s.start) ||
			    x.type != MEMDISP_SEC_RAM) {
				if (!rd->bad++)
					snprintf(rd->first_bad,
						 sizeof(rd->first_bad),
						 "addr %#" PRIx64 " -> g %" PRIu64
						 " sec %u off %#" PRIx64
						 " len %#" PRIx64 " hva %#" PRIx64,
						 addr, g, i, x.offset, x.len,
						 x.hva);
			}
		} else if (x.status == MEMDISP_XLAT_UNASSIGNED) {
			uint64_t g;
			bool ok = false;

			for (g = last_g ? last_g : 1; g <= hi && !ok; g++)
				ok = gap_consistent(g, addr, x.len);
			if (!ok && !rd->bad++)
				snprintf(rd->first_bad, sizeof(rd->first_bad),
					 "addr %#" PRIx64 " unassigned len %#"
					 PRIx64 " fits no map in [%" PRIu64
					 ", %" PRIu64 "]", addr, x.len, last_g,
					 hi);
		} else if (!rd->bad++) {
			snprintf(rd->first_bad, sizeof(rd->first_bad),
				 "addr %#" PRIx64 " status %u", addr, x.status);
		}
	}
	md_close(&m);
	return NULL;
}

/*
 * n commits of signed maps, rotating through MAP_SET, a chunked
 * transaction and a whole-map delta.  Returns the number of failures.
 */
static int torn_commits(struct md *mp, int n, uint64_t *genp, int *first_err)
{
	struct md_sec s[TORN_NSEC];
	uint64_t gen = *genp, g;
	int i, ret, errs = 0;
	unsigned int j;

	for (i = 0; i < n; i++) {
		g = gen + 1;
		for (j = 0; j < TORN_NSEC; j++)
			torn_sec(g, j, &s[j]);
		atomic_store(&torn_sent, g);
		switch (i % 3) {
		case 0:
			ret = md_map_set(mp, torn_as, gen, s, TORN_NSEC, &gen);
			break;
		case 1:
			ret = md_map_chunked(mp, torn_as, gen, s, TORN_NSEC,
					     TORN_NSEC / 4, &gen);
			break;
		default: {
			/* a delta that replaces everything at once */
			struct nl_msg *msg = md_msg_sz(mp, MEMDISP_CMD_MAP_DELTA,
						       0, 16384);
			struct nlattr *rm;
			struct md_reply r = { 0 };

			nla_put_u32(msg, MEMDISP_A_AS_ID, torn_as);
			nla_put_u64(msg, MEMDISP_A_GENERATION, gen);
			rm = nla_nest_start(msg, NLA_F_NESTED | MEMDISP_A_REMOVE);
			nla_put_u64(msg, MEMDISP_A_START, 0);
			nla_put_u64(msg, MEMDISP_A_LAST, ~0ULL);
			nla_nest_end(msg, rm);
			for (j = 0; j < TORN_NSEC; j++)
				md_put_sec(msg, &s[j]);
			ret = md_call(mp, msg, &r);
			if (!ret)
				gen = r.generation;
		}
		}
		if (!ret && gen != g)
			ret = -EPROTO;
		if (ret) {
			if (!errs++)
				*first_err = ret;
			/* resynchronise with the kernel's generation */
			struct md_reply r;

			if (!md_as_get(mp, torn_as, &r))
				gen = r.generation;
		}
	}
	*genp = gen;
	return errs;
}

static int t_torn(int n)
{
	struct md m;
	struct md_sec s[TORN_NSEC];
	struct reader rd[2] = { { .cpu = 0 }, { .cpu = 1 } };
	pthread_t th[2];
	uint64_t gen = 0, g, base[NLIVE];
	int errs = 0, first_err = 0, ret, k;
	unsigned int j;
	double t0;

	must_open(&m);
	if (settle_baseline(&m, base))
		tap(false, "stats");
	ret = md_as_new(&m, "torn", MEMDISP_AS_F_PUBLIC, &torn_as);
	tap(!ret, "create AS (%d)", ret);
	for (j = 0; j < TORN_NSEC; j++)
		torn_sec(1, j, &s[j]);
	ret = md_map_set(&m, torn_as, 0, s, TORN_NSEC, &gen);
	tap(!ret && gen == 1, "first map (%d %s)", ret, m.ext);
	atomic_store(&torn_sent, 1);
	for (k = 0; k < 2; k++)
		pthread_create(&th[k], NULL, torn_reader, &rd[k]);
	t0 = now();
	errs = torn_commits(&m, n, &gen, &first_err);
	atomic_store(&torn_stop, 1);
	for (k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	tap(!errs, "%d commits (set, chunked, delta) (%d errors, first %d %s)",
	    n, errs, first_err, m.ext);
	diag("%.1f us per commit while 2 readers run",
	     (now() - t0) * 1e6 / n);
	for (k = 0; k < 2; k++) {
		tap(rd[k].lookups > 1000 && !rd[k].errors,
		    "reader on cpu %d: %" PRIu64 " lookups (%" PRIu64
		    " mapped), %" PRIu64 " errors", k, rd[k].lookups,
		    rd[k].assigned, rd[k].errors);
		tap(!rd[k].bad, "reader on cpu %d: no torn map (%" PRIu64
		    " bad%s%s)", k, rd[k].bad, rd[k].bad ? ": " : "",
		    rd[k].first_bad);
		tap(!rd[k].backwards, "reader on cpu %d: generations never go "
		    "back (%" PRIu64 ")", k, rd[k].backwards);
	}

	/*
	 * Control: publish one forged map whose region ids claim signature
	 * g while its geometry is g + 1's, i.e. what a reader mixing two
	 * maps would see.  The same checks must flag it, or they prove
	 * nothing.
	 */
	g = gen + 1;
	for (j = 0; j < TORN_NSEC; j++) {
		torn_sec(g + 1, j, &s[j]);
		s[j].region_id = g << 16 | j;
	}
	atomic_store(&torn_sent, g + 1);
	ret = md_map_set(&m, torn_as, gen, s, TORN_NSEC, &gen);
	tap(!ret, "control: publish a forged mixed map (%d %s)", ret, m.ext);
	atomic_store(&torn_stop, 0);
	for (k = 0; k < 2; k++) {
		memset(&rd[k], 0, sizeof(rd[k]));
		rd[k].cpu = k;
		pthread_create(&th[k], NULL, torn_reader, &rd[k]);
	}
	usleep(300000);
	atomic_store(&torn_stop, 1);
	for (k = 0; k < 2; k++) {
		pthread_join(th[k], NULL);
		tap(rd[k].bad > 0, "control: reader on cpu %d flags the forged "
		    "map (%" PRIu64 " of %" PRIu64 " lookups)", k, rd[k].bad,
		    rd[k].lookups);
	}

	tap(!md_as_del(&m, torn_as), "destroy AS");
	tap_live(&m, base, "after the torn-map run");
	md_close(&m);
	return finish();
}

/*
 * The same commits, read by md_torn.ko's kthreads through memdisp's
 * exported in-kernel API (memdisp_translate()) on both CPUs.
 */
struct kres {
	uint64_t lookups, mapped, unassigned, bad, backwards, errors;
	int cpu;
};

static int read_kres(struct kres *kr, int max, char *first, size_t fsz)
{
	FILE *f = fopen("/sys/kernel/debug/md_torn/result", "r");
	char line[512];
	int n = 0;

	first[0] = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (n < max && sscanf(line, "cpu %d lookups %" SCNu64 " mapped %"
				      SCNu64 " unassigned %" SCNu64 " bad %"
				      SCNu64 " backwards %" SCNu64 " errors %"
				      SCNu64, &kr[n].cpu, &kr[n].lookups,
				      &kr[n].mapped, &kr[n].unassigned,
				      &kr[n].bad, &kr[n].backwards,
				      &kr[n].errors) == 7)
			n++;
		else if (!strncmp(line, "first-bad", 9) && !first[0])
			snprintf(first, fsz, "%.*s", (int)strcspn(line, "\n"),
				 line);
	}
	fclose(f);
	return n;
}

static int kreset(void)
{
	FILE *f = fopen("/sys/kernel/debug/md_torn/reset", "w");

	if (!f)
		return -1;
	fputs("1\n", f);
	return fclose(f);
}

static int t_torn_kernel(int n, const char *ko)
{
	struct md m;
	struct md_sec s[TORN_NSEC];
	struct kres kr[2];
	char cmd[512], first[300];
	uint64_t gen = 0, g, base[NLIVE];
	int errs, first_err = 0, ret, k, nr;
	unsigned int j;
	double t0;

	must_open(&m);
	if (settle_baseline(&m, base))
		tap(false, "stats");
	ret = md_as_new(&m, "torn-kernel", 0, &torn_as);
	tap(!ret, "create AS (%d)", ret);
	for (j = 0; j < TORN_NSEC; j++)
		torn_sec(1, j, &s[j]);
	ret = md_map_set(&m, torn_as, 0, s, TORN_NSEC, &gen);
	tap(!ret && gen == 1, "first map (%d %s)", ret, m.ext);
	snprintf(cmd, sizeof(cmd), "insmod %s as_id=%u", ko, torn_as);
	ret = system(cmd);
	tap(ret == 0, "%s", cmd);
	if (ret)
		return finish();
	t0 = now();
	errs = torn_commits(&m, n, &gen, &first_err);
	nr = read_kres(kr, 2, first, sizeof(first));
	tap(!errs, "%d commits (set, chunked, delta) (%d errors, first %d %s)",
	    n, errs, first_err, m.ext);
	diag("%.1f us per commit while 2 in-kernel readers run",
	     (now() - t0) * 1e6 / n);
	tap(nr == 2, "two in-kernel readers reported (%d)", nr);
	for (k = 0; k < nr; k++) {
		tap(kr[k].lookups > 1000 && !kr[k].errors && kr[k].mapped,
		    "kthread on cpu %d: %" PRIu64 " lookups (%" PRIu64
		    " mapped), %" PRIu64 " errors", kr[k].cpu, kr[k].lookups,
		    kr[k].mapped, kr[k].errors);
		tap(!kr[k].bad, "kthread on cpu %d: no torn map (%" PRIu64
		    " bad%s%s)", kr[k].cpu, kr[k].bad, first[0] ? ": " : "",
		    first);
		tap(!kr[k].backwards, "kthread on cpu %d: generations never "
		    "go back (%" PRIu64 ")", kr[k].cpu, kr[k].backwards);
	}

	/* control: a forged mixed map must be flagged by the same checks */
	tap(!kreset(), "reset the in-kernel counters");
	g = gen + 1;
	for (j = 0; j < TORN_NSEC; j++) {
		torn_sec(g + 1, j, &s[j]);
		s[j].region_id = g << 16 | j;
	}
	ret = md_map_set(&m, torn_as, gen, s, TORN_NSEC, &gen);
	tap(!ret, "control: publish a forged mixed map (%d %s)", ret, m.ext);
	usleep(300000);
	nr = read_kres(kr, 2, first, sizeof(first));
	for (k = 0; k < nr; k++)
		tap(kr[k].bad > 0, "control: kthread on cpu %d flags the "
		    "forged map (%" PRIu64 " of %" PRIu64 " lookups)",
		    kr[k].cpu, kr[k].bad, kr[k].lookups);

	/* the module's reference keeps the object past its destruction */
	tap(!md_as_del(&m, torn_as), "destroy AS while a kernel user holds it");
	usleep(100000);
	ret = system("rmmod md_torn");
	tap(ret == 0, "rmmod md_torn (drops the last reference)");
	tap_live(&m, base, "after the in-kernel torn-map run");
	md_close(&m);
	return finish();
}

/* -------------------------------------------------------------- replay */

struct rsec {
	uint64_t start, last, offset, region_id;
	uint32_t type;
};

struct rmap {
	char name[160];
	struct rsec *s;
	unsigned int n, cap;
};

static uint64_t fnv(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3ULL;
	}
	return h ? h : 1;
}

/*
 * Parse "info mtree -f": "FlatView #N" starts a view, " AS \"x\", ..."
 * names it, lines "  START-LAST (prio P, TYPE): NAME [@OFF] ..." are its
 * sections.  Returns the number of maps appended to *maps, or -1.
 */
static int parse_flat(const char *path, struct rmap **maps, int *nmaps)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	struct rmap *cur = NULL;
	const char *base = strrchr(path, '/');
	int added = 0;

	base = base ? base + 1 : path;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b, off = 0;
		char type[32], *name, *at, *end;
		int prio, pos = 0;
		struct rsec *s;

		if (!strncmp(line, "FlatView #", 10)) {
			*maps = realloc(*maps, (*nmaps + 1) * sizeof(**maps));
			cur = &(*maps)[(*nmaps)++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->name, sizeof(cur->name), "%s %.*s", base,
				 (int)strcspn(line, "\n"), line);
			added++;
			continue;
		}
		if (!cur)
			continue;
		if (!strncmp(line, " AS \"", 5) && !strchr(cur->name, '"')) {
			size_t l = strlen(cur->name);

			snprintf(cur->name + l, sizeof(cur->name) - l, " %.*s",
				 (int)strcspn(line + 4, ","), line + 4);
			continue;
		}
		if (sscanf(line, "  %llx-%llx (prio %d, %31[^)]): %n", &a, &b,
			   &prio, type, &pos) < 4 || !pos)
			continue;
		name = line + pos;
		name[strcspn(name, "\n")] = 0;
		at = strstr(name, " @");
		end = at ? at : name + strcspn(name, " ");
		if (at)
			off = strtoull(at + 2, NULL, 16);
		if (cur->n == cur->cap) {
			cur->cap = cur->cap ? cur->cap * 2 : 64;
			cur->s = realloc(cur->s, cur->cap * sizeof(*cur->s));
		}
		s = &cur->s[cur->n++];
		memset(s, 0, sizeof(*s));	/* padding too: map_hash() */
		s->start = a;
		s->last = b;
		s->offset = off;
		s->region_id = fnv(name, end - name);
		if (!strcmp(type, "ram") || !strcmp(type, "nv-ram"))
			s->type = MEMDISP_SEC_RAM;
		else if (!strcmp(type, "rom"))
			s->type = MEMDISP_SEC_ROM;
		else if (!strcmp(type, "romd"))
			s->type = MEMDISP_SEC_ROMD;
		else
			s->type = MEMDISP_SEC_MMIO;
	}
	fclose(f);
	return added;
}

/* userspace reference: binary search over the sorted sections */
static void ref_lookup(const struct rmap *mp, uint64_t addr, uint64_t len,
		       struct md_xlat *x)
{
	unsigned int lo = 0, hi = mp->n;

	memset(x, 0, sizeof(*x));
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (mp->s[mid].last < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < mp->n && mp->s[lo].start <= addr) {
		const struct rsec *s = &mp->s[lo];

		x->status = MEMDISP_XLAT_OK;
		x->type = s->type;
		x->region_id = s->region_id;
		x->offset = s->offset + (addr - s->start);
		x->len = s->last - addr < len - 1 ? s->last - addr + 1 : len;
	} else {
		uint64_t room = lo < mp->n ? mp->s[lo].start - addr : 0;

		x->status = MEMDISP_XLAT_UNASSIGNED;
		/* room == 0 means "up to the end of the 64-bit space" */
		x->len = room && room < len ? room : len;
	}
}

#define RB 256

static uint64_t map_hash(const struct rmap *mp)
{
	uint64_t h = fnv("", 0);
	unsigned int j;

	for (j = 0; j < mp->n; j++)
		h = (h ^ fnv((const char *)&mp->s[j], sizeof(mp->s[j]))) *
		    0x100000001b3ULL;
	return h ^ mp->n;
}

static int t_replay(int nfiles, char **files, int lookups)
{
	static uint64_t raddr[RB], rlen[RB];
	static struct md_xlat rgot[RB];
	static int rerr[RB];
	uint64_t *hashes;
	int nhashes = 0, dups = 0, empty = 0, done = 0;
	struct rmap *maps = NULL;
	int nmaps = 0, i, k;
	struct md m;
	uint64_t base[NLIVE];

	for (i = 0; i < nfiles; i++) {
		int r = parse_flat(files[i], &maps, &nmaps);

		tap(r > 0, "parse %s (%d flat views)", files[i], r);
	}
	must_open(&m);
	if (settle_baseline(&m, base))
		tap(false, "stats");
	hashes = calloc(nmaps + 1, sizeof(*hashes));
	for (k = 0; k < nmaps; k++) {
		struct rmap *mp = &maps[k];
		struct md_sec *s;
		uint32_t id;
		uint64_t gen, h;
		unsigned int j, bad = 0;
		char first[300] = "";
		int ret, errs = 0, d, pass;
		double t0;

		if (!mp->n) {
			empty++;	/* "No rendered FlatView" */
			continue;
		}
		/* the same view recurs across machines: test each once */
		h = map_hash(mp);
		for (d = 0; d < nhashes && hashes[d] != h; d++)
			;
		if (d < nhashes) {
			dups++;
			continue;
		}
		hashes[nhashes++] = h;
		done++;
		s = calloc(mp->n, sizeof(*s));
		for (j = 0; j < mp->n; j++) {
			s[j].start = mp->s[j].start;
			s[j].last = mp->s[j].last;
			s[j].type = mp->s[j].type;
			s[j].region_id = mp->s[j].region_id;
			s[j].offset = mp->s[j].offset;
			if (s[j].type != MEMDISP_SEC_MMIO)
				s[j].hva = 0x7f0000000000ULL +
					   (mp->s[j].start & 0xffffffffffULL);
		}
		ret = md_as_new(&m, "replay", 0, &id);
		if (!ret)
			ret = k % 2 ? md_map_set(&m, id, 0, s, mp->n, &gen) :
				md_map_chunked(&m, id, 0, s, mp->n, 50, &gen);
		tap(!ret, "%s: publish %u sections (%d %s)", mp->name, mp->n,
		    ret, m.ext);
		if (ret) {
			free(s);
			continue;
		}
		for (pass = 0; pass < (done == 1 ? 2 : 1); pass++) {
			int nlook = pass ? 4 * RB : lookups;

			if (pass) {
				/* control, once: the kernel now holds a map whose
				 * offsets and region ids differ from the reference;
				 * the same comparison must catch it
				 */
				for (j = 0; j < mp->n; j++) {
					s[j].offset += 0x10;
					s[j].region_id ^= 1;
				}
				ret = md_map_set(&m, id, gen, s, mp->n, &gen);
				tap(!ret, "control: publish a corrupted copy (%d)", ret);
				bad = 0;
				errs = 0;
				first[0] = 0;
			}
			t0 = now();
			for (i = 0; i < nlook; i += RB) {
				unsigned int b, nb = nlook - i < RB ? nlook - i : RB;

				for (b = 0; b < nb; b++) {
					const struct rsec *r = &mp->s[rnd() % mp->n];
					uint64_t a;

					/* half near section edges, the rest anywhere
					 * in a section or in the span the map covers
					 */
					switch (rnd() % 4) {
					case 0:
						a = r->start + rnd() % 4;
						break;
					case 1:
						a = r->last - rnd() % 4;
						break;
					case 2:
						a = r->start +
						    rnd() % (r->last - r->start + 1 ?: ~0ULL);
						break;
					default:
						a = mp->s[0].start +
						    rnd() % (mp->s[mp->n - 1].last -
							     mp->s[0].start + 1 ?: ~0ULL);
					}
					raddr[b] = a;
					rlen[b] = rnd() % 16 ? 1 + rnd() % 8 :
						  1 + rnd() % 0x100000;
				}
				ret = md_translate_batch(&m, id, nb, raddr, rlen, rgot,
							 rerr);
				if (ret) {
					errs += nb;
					if (!first[0])
						snprintf(first, sizeof(first),
							 "batch: %d", ret);
					continue;
				}
				for (b = 0; b < nb; b++) {
					struct md_xlat want, *got = &rgot[b];
					uint64_t addr = raddr[b], len = rlen[b];

					if (rerr[b]) {
						if (!errs++ && !first[0])
							snprintf(first, sizeof(first),
								 "translate %#" PRIx64
								 ": %d", addr, rerr[b]);
						continue;
					}
					ref_lookup(mp, addr, len, &want);
					if (got->status == want.status &&
					    got->len == want.len &&
					    (want.status != MEMDISP_XLAT_OK ||
					     (got->type == want.type &&
					      got->region_id == want.region_id &&
					      got->offset == want.offset)))
						continue;
					if (!bad++ && !first[0])
						snprintf(first, sizeof(first),
							 "addr %#" PRIx64 " len %#" PRIx64
							 ": kernel st %u ty %u rid %#" PRIx64
							 " off %#" PRIx64 " len %#" PRIx64
							 "; ref st %u ty %u rid %#" PRIx64
							 " off %#" PRIx64 " len %#" PRIx64,
							 addr, len, got->status, got->type,
							 got->region_id, got->offset,
							 got->len, want.status, want.type,
							 want.region_id, want.offset,
							 want.len);
				}
			}
			if (pass) {
				tap(bad > 0 && !errs, "control: the comparison flags a "
				    "corrupted map (%u of %d wrong)", bad, nlook);
				break;
			}
			tap(!bad && !errs,
			    "%s: %d translations match the reference (%u wrong, %d errors)%s%s",
			    mp->name, nlook, bad, errs, first[0] ? ": " : "", first);
			diag("%.2f us per translate round trip",
			     (now() - t0) * 1e6 / nlook);
		}
		md_as_del(&m, id);
		free(s);
	}
	diag("%d flat views: %d distinct maps replayed, %d repeats, %d empty",
	     nmaps, done, dups, empty);
	tap(done > 0, "at least one map replayed (%d)", done);
	tap_live(&m, base, "after replay");
	md_close(&m);
	return finish();
}

/* ------------------------------------------------- helpers for rmmod */

static int t_hold(int secs)
{
	struct md m;
	struct md_sec s[8];
	uint32_t id;
	int i;

	if (md_open(&m))
		return 1;
	for (i = 0; i < 4; i++) {
		if (md_as_new(&m, "held", 0, &id))
			return 1;
		small_map(s, 8, i);
		md_map_set(&m, id, 0, s, 8, NULL);
	}
	/* leave a transaction open as well */
	md_map_chunked(&m, id, 1, s, 0, 1, NULL);
	printf("holding\n");
	fflush(stdout);
	sleep(secs);
	return 0;
}

/* Publish and translate until killed or the module goes away; errors are
 * expected once it is removed, a crash is not.
 */
static int t_load(int secs)
{
	double end = now() + secs;
	struct md_sec s[16];
	unsigned long ops = 0;

	while (now() < end) {
		struct md m;
		uint32_t id;
		uint64_t gen = 0;
		struct md_xlat x;
		int i;

		if (md_open(&m)) {
			usleep(1000);
			continue;
		}
		if (!md_as_new(&m, "load", 0, &id)) {
			for (i = 0; i < 50; i++) {
				small_map(s, 16, i);
				if (md_map_set(&m, id, gen, s, 16, &gen))
					break;
				md_translate(&m, id, rnd() % 0x100000, 8,
					     false, &x);
				ops += 2;
			}
		}
		md_close(&m);
	}
	printf("load: %lu operations\n", ops);
	return 0;
}

static int t_live(void)
{
	struct md m;
	uint64_t l[NLIVE];
	char b[200];

	if (md_open(&m))
		return 1;
	if (get_live(&m, l))
		return 1;
	fmt_live(l, b, sizeof(b));
	printf("%s\n", b);
	return 0;
}

int main(int argc, char **argv)
{
	const char *t = argc > 1 ? argv[1] : "";
	int n = argc > 2 ? atoi(argv[2]) : 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rng_state ^= (uint64_t)time(NULL) << 20;
	if (!strcmp(t, "perm"))
		return t_perm();
	if (!strcmp(t, "owner-exit"))
		return t_owner_exit();
	if (!strcmp(t, "cycles"))
		return t_cycles(n > 0 ? n : 10000);
	if (!strcmp(t, "torn"))
		return t_torn(n > 0 ? n : 3000);
	if (!strcmp(t, "torn-kernel"))
		return t_torn_kernel(n > 0 ? n : 3000, argc > 3 ? argv[3] :
				     "/lib/modules/md_torn.ko");
	if (!strcmp(t, "replay")) {
		const char *e = getenv("REPLAY_LOOKUPS");

		return t_replay(argc - 2, argv + 2, e ? atoi(e) : 100000);
	}
	if (!strcmp(t, "hold"))
		return t_hold(n > 0 ? n : 3600);
	if (!strcmp(t, "load"))
		return t_load(n > 0 ? n : 10);
	if (!strcmp(t, "live"))
		return t_live();
	fprintf(stderr, "usage: md-vmtest perm|owner-exit|cycles [N]|torn [N]|"
		"replay FILE...|hold SECS|load SECS|live\n");
	return 2;
}
