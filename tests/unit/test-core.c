// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of libmemdisp's region trees, rendering, listeners,
 * transactions, mtree_info and error handling.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <memdisp/memory.h>

/* ---------------------------------------------------------------------- */
/* helpers */

static uint64_t dummy_read(void *o, hwaddr a, unsigned int s)
{
	(void)o; (void)a; (void)s;
	return 0;
}

static void dummy_write(void *o, hwaddr a, uint64_t d, unsigned int s)
{
	(void)o; (void)a; (void)d; (void)s;
}

static const MemoryRegionOps ops = {
	.read = dummy_read,
	.write = dummy_write,
	.endianness = DEVICE_LITTLE_ENDIAN,
};

static char *mtree_text(bool flat, bool disabled)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	memdisp_mtree_info_fp(f, flat, false, disabled);
	fclose(f);
	return buf;
}

static void check_text(bool flat, bool disabled, const char *expected)
{
	char *t = mtree_text(flat, disabled);

	if (strcmp(t, expected))
		fprintf(stderr, "--- expected\n%s--- got\n%s---\n", expected, t);
	assert_string_equal(t, expected);
	free(t);
}

#define MAX_AS 8
static AddressSpace *live_as[MAX_AS];
static int nr_live_as;

static AddressSpace *new_as(MemoryRegion *root, const char *name)
{
	AddressSpace *as = calloc(1, sizeof(*as));

	assert_non_null(as);
	address_space_init(as, root, name);
	live_as[nr_live_as++] = as;
	return as;
}

static int teardown(void **state)
{
	(void)state;
	while (nr_live_as) {
		AddressSpace *as = live_as[--nr_live_as];

		address_space_remove_listeners(as);
		address_space_destroy(as);
	}
	memdisp_flatview_reclaim();
	return 0;
}

static MemoryRegion *mr_new(void)
{
	MemoryRegion *mr = calloc(1, sizeof(*mr));

	assert_non_null(mr);
	return mr;
}

static MemoryRegion *io_new(const char *name, uint64_t size)
{
	MemoryRegion *mr = mr_new();

	memory_region_init_io(mr, NULL, &ops, NULL, name, size);
	return mr;
}

static MemoryRegion *cont_new(const char *name, uint64_t size)
{
	MemoryRegion *mr = mr_new();

	memory_region_init(mr, NULL, name, size);
	return mr;
}

static MemoryRegion *ram_new(const char *name, uint64_t size)
{
	MemoryRegion *mr = mr_new();

	memory_region_init_ram(mr, NULL, name, size, &error_abort);
	return mr;
}

static MemoryRegion *alias_new(const char *name, MemoryRegion *t,
			       hwaddr off, uint64_t size)
{
	MemoryRegion *mr = mr_new();

	memory_region_init_alias(mr, NULL, name, t, off, size);
	return mr;
}

/* Run @fn in a child; it must abort with @msg on stderr. */
static void expect_abort(void (*fn)(void), const char *msg)
{
	char buf[4096];
	size_t n = 0;
	ssize_t r;
	int p[2], st;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		signal(SIGABRT, SIG_DFL);
		fn();
		_exit(0);
	}
	close(p[1]);
	while ((r = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!strstr(buf, msg))
		fprintf(stderr, "expected \"%s\" in \"%s\"\n", msg, buf);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
	assert_non_null(strstr(buf, msg));
}

/* listener recorder */
static char evlog[16384];

static void ev(const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(evlog);

	va_start(ap, fmt);
	vsnprintf(evlog + n, sizeof(evlog) - n, fmt, ap);
	va_end(ap);
}

#define L_NAME(l) ((l)->name)
static void l_begin(MemoryListener *l) { ev("%s:begin\n", L_NAME(l)); }
static void l_commit(MemoryListener *l) { ev("%s:commit\n", L_NAME(l)); }

static void l_sec(MemoryListener *l, const char *what, MemoryRegionSection *s)
{
	ev("%s:%s %" PRIx64 "+%" PRIx64 " %s@%" PRIx64 "%s\n", L_NAME(l), what,
	   s->offset_within_address_space, (uint64_t)int128_get64(s->size),
	   memory_region_name(s->mr), s->offset_within_region,
	   s->readonly ? " ro" : "");
}

static void l_add(MemoryListener *l, MemoryRegionSection *s) { l_sec(l, "add", s); }
static void l_del(MemoryListener *l, MemoryRegionSection *s) { l_sec(l, "del", s); }
static void l_nop(MemoryListener *l, MemoryRegionSection *s) { l_sec(l, "nop", s); }
static void l_log_start(MemoryListener *l, MemoryRegionSection *s, int o, int n)
{
	ev("%s:log_start %" PRIx64 " %d->%d\n", L_NAME(l),
	   s->offset_within_address_space, o, n);
}
static void l_log_stop(MemoryListener *l, MemoryRegionSection *s, int o, int n)
{
	ev("%s:log_stop %" PRIx64 " %d->%d\n", L_NAME(l),
	   s->offset_within_address_space, o, n);
}
static void l_log_sync(MemoryListener *l, MemoryRegionSection *s)
{
	l_sec(l, "log_sync", s);
}
static void l_gstart(MemoryListener *l) { ev("%s:global_start\n", L_NAME(l)); }
static void l_gstop(MemoryListener *l) { ev("%s:global_stop\n", L_NAME(l)); }
static void l_efd_add(MemoryListener *l, MemoryRegionSection *s, bool md,
		      uint64_t d, EventNotifier *e)
{
	ev("%s:eventfd_add %" PRIx64 "+%" PRIx64 " %d %" PRIx64 " %d\n",
	   L_NAME(l), s->offset_within_address_space,
	   (uint64_t)int128_get64(s->size), md, d, e->rfd >= 0);
}
static void l_efd_del(MemoryListener *l, MemoryRegionSection *s, bool md,
		      uint64_t d, EventNotifier *e)
{
	ev("%s:eventfd_del %" PRIx64 "+%" PRIx64 " %d %" PRIx64 " %d\n",
	   L_NAME(l), s->offset_within_address_space,
	   (uint64_t)int128_get64(s->size), md, d, e->rfd >= 0);
}
static void l_coal_add(MemoryListener *l, MemoryRegionSection *s, hwaddr a,
		       hwaddr len)
{
	(void)s;
	ev("%s:coalesced_add %" PRIx64 "+%" PRIx64 "\n", L_NAME(l), a, len);
}
static void l_coal_del(MemoryListener *l, MemoryRegionSection *s, hwaddr a,
		       hwaddr len)
{
	(void)s;
	ev("%s:coalesced_del %" PRIx64 "+%" PRIx64 "\n", L_NAME(l), a, len);
}

static void listener_setup(MemoryListener *l, const char *name,
			   unsigned int prio)
{
	memset(l, 0, sizeof(*l));
	l->name = name;
	l->priority = prio;
	l->begin = l_begin;
	l->commit = l_commit;
	l->region_add = l_add;
	l->region_del = l_del;
	l->log_start = l_log_start;
	l->log_stop = l_log_stop;
	l->log_sync = l_log_sync;
	l->log_global_start = l_gstart;
	l->log_global_stop = l_gstop;
}

/* ---------------------------------------------------------------------- */
/* rendering */

static void test_render_io_fills_gaps(void **state)
{
	MemoryRegion *io = io_new("io", 0x10000);

	(void)state;
	memory_region_add_subregion(io, 0, io_new("dma-chan", 0x10));
	memory_region_add_subregion(io, 0x20, io_new("pic", 0x2));
	new_as(io, "I/O");
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"I/O\", root: io\n"
		   " Root memory region: io\n"
		   "  0000000000000000-000000000000000f (prio 0, i/o): dma-chan\n"
		   "  0000000000000010-000000000000001f (prio 0, i/o): io @0000000000000010\n"
		   "  0000000000000020-0000000000000021 (prio 0, i/o): pic\n"
		   "  0000000000000022-000000000000ffff (prio 0, i/o): io @0000000000000022\n"
		   "\n");
}

static void test_render_container_holes(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *c = cont_new("pci-hole", 0x1000);
	MemoryRegion *low = io_new("low", 0x2000);

	(void)state;
	memory_region_add_subregion(c, 0x100, io_new("bar", 0x100));
	memory_region_add_subregion_overlap(sys, 0, c, 1);
	memory_region_add_subregion(sys, 0, low);
	new_as(sys, "memory");
	/* the pure container lets the lower region through its holes */
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000000000-00000000000000ff (prio 0, i/o): low\n"
		   "  0000000000000100-00000000000001ff (prio 0, i/o): bar\n"
		   "  0000000000000200-0000000000001fff (prio 0, i/o): low @0000000000000200\n"
		   "\n");
}

static void test_render_readonly_alias_rom_and_merge(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *ram = ram_new("pc.ram", 0x100000);
	MemoryRegion *below = alias_new("ram-below-4g", ram, 0, 0x100000);
	MemoryRegion *pam1 = alias_new("pam-rom", ram, 0xc0000, 0x4000);
	MemoryRegion *pam2 = alias_new("pam-ram", ram, 0xc4000, 0x4000);

	(void)state;
	memory_region_set_readonly(pam1, true);
	memory_region_add_subregion(sys, 0, below);
	memory_region_add_subregion_overlap(sys, 0xc0000, pam1, 1);
	memory_region_add_subregion_overlap(sys, 0xc4000, pam2, 1);
	new_as(sys, "memory");
	/* pam2 is contiguous with ram-below-4g: merged into one range */
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000000000-00000000000bffff (prio 0, ram): pc.ram\n"
		   "  00000000000c0000-00000000000c3fff (prio 0, rom): pc.ram @00000000000c0000\n"
		   "  00000000000c4000-00000000000fffff (prio 0, ram): pc.ram @00000000000c4000\n"
		   "\n");
	/* the tree shows the target's type, not the alias's readonly */
	check_text(false, false,
		   "address-space: memory\n"
		   "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
		   "    0000000000000000-00000000000fffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-00000000000fffff\n"
		   "    00000000000c0000-00000000000c3fff (prio 1, ram): alias pam-rom @pc.ram 00000000000c0000-00000000000c3fff\n"
		   "    00000000000c4000-00000000000c7fff (prio 1, ram): alias pam-ram @pc.ram 00000000000c4000-00000000000c7fff\n"
		   "\n"
		   "memory-region: pc.ram\n"
		   "  0000000000000000-00000000000fffff (prio 0, ram): pc.ram\n"
		   "\n");
}

static void test_render_alias_of_alias(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *ram = ram_new("ram", 0x10000);
	MemoryRegion *a1 = alias_new("a1", ram, 0x1000, 0x8000);
	MemoryRegion *a2 = alias_new("a2", a1, 0x2000, 0x1000);

	(void)state;
	memory_region_add_subregion(sys, 0x100000, a2);
	new_as(sys, "memory");
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000100000-0000000000100fff (prio 0, ram): ram @0000000000003000\n"
		   "\n");
	/* moving the inner alias's offset moves the window */
	memory_region_set_alias_offset(a1, 0x4000);
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000100000-0000000000100fff (prio 0, ram): ram @0000000000006000\n"
		   "\n");
}

void memdisp_render_stats(unsigned long *full, unsigned long *incremental);

/*
 * A BAR toggled in a PCI container that the address space sees only
 * through aliases (pci-hole, and an alias of that alias) changes the view
 * through both, and the commit renders windows, not the whole view.
 */
static void test_commit_under_alias_target(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *pci = cont_new("pci", UINT64_MAX);
	MemoryRegion *bar0 = ram_new("bar0", 0x1000);
	MemoryRegion *bar1 = ram_new("bar1", 0x1000);
	MemoryRegion *hole = alias_new("pci-hole", pci, 0xe0000000, 0x10000);
	MemoryRegion *win = alias_new("win", hole, 0x2000, 0x2000);
	unsigned long full0, inc0, full1, inc1;

	(void)state;
	memory_region_add_subregion(pci, 0xe0001000, bar0);
	memory_region_add_subregion(pci, 0xe0003000, bar1);
	memory_region_add_subregion(sys, 0x80000000, hole);
	memory_region_add_subregion(sys, 0x100000, win);
	new_as(sys, "memory");
	memdisp_render_stats(&full0, &inc0);
	memory_region_set_enabled(bar1, false);
	memory_region_set_address(bar0, 0xe0002000);
	memdisp_render_stats(&full1, &inc1);
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000100000-0000000000100fff (prio 0, ram): bar0\n"
		   "  0000000080002000-0000000080002fff (prio 0, ram): bar0\n"
		   "\n");
	assert_int_equal(full1 - full0, 0);
	assert_int_equal(inc1 - inc0, 2);
	memory_region_set_enabled(bar1, true);
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000100000-0000000000100fff (prio 0, ram): bar0\n"
		   "  0000000000101000-0000000000101fff (prio 0, ram): bar1\n"
		   "  0000000080002000-0000000080002fff (prio 0, ram): bar0\n"
		   "  0000000080003000-0000000080003fff (prio 0, ram): bar1\n"
		   "\n");
	memdisp_render_stats(&full1, &inc1);
	assert_int_equal(full1 - full0, 0);
}

static bool collect_cb(const struct memdisp_flat_range *r, void *opaque);

/* The ranges of @as's view into @fr[0..n - 1), the rest zeroed. */
static void walk_ranges(AddressSpace *as, struct memdisp_flat_range *fr,
			int n)
{
	memset(fr, 0, n * sizeof(*fr));
	memdisp_flatview_walk(as, collect_cb, fr);
	assert_null(fr[n - 1].mr);
}

/* Toggle @top: re-enabling it renders the whole view of its root again. */
static void rerender_whole(MemoryRegion *top)
{
	memory_region_set_enabled(top, false);
	memory_region_set_enabled(top, true);
}

/*
 * A root rendered whole again and again keeps a render trace holding a
 * copy of its regions' fields: every edit must reach that copy, and the
 * next whole render must read the new values.
 */
static void test_render_trace_follows_edits(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *top = cont_new("top", UINT64_MAX);
	MemoryRegion *a = ram_new("a", 0x1000);
	MemoryRegion *b = ram_new("b", 0x1000);
	MemoryRegion *back = ram_new("back", 0x4000);
	MemoryRegion *c = alias_new("c", back, 0x1000, 0x1000);
	MemoryRegion *fl = mr_new();
	MemoryRegion *anchor = io_new("anchor", 0x10);
	struct memdisp_flat_range fr[8];
	AddressSpace *as;

	(void)state;
	memory_region_init_rom_device(fl, NULL, &ops, NULL, "fl", 0x1000,
				      &error_abort);
	memory_region_add_subregion(top, 0x1000, a);
	memory_region_add_subregion(top, 0x2000, b);
	memory_region_add_subregion(top, 0x3000, c);
	memory_region_add_subregion(top, 0x4000, fl);
	memory_region_add_subregion(sys, 0, top);
	/* a second child keeps system the root (no root simplification) */
	memory_region_add_subregion_overlap(sys, 0xfffffffffffff000ULL,
					    anchor, -1);
	as = new_as(sys, "memory");
	rerender_whole(top);
	rerender_whole(top);
	assert_non_null(sys->md_trace);	/* the renders below walk it */

	/*
	 * One edit, then a whole render: a sync copies every field of its
	 * region, so a second edit of the same region would hide a setter
	 * that forgot to sync.
	 */
	memory_region_set_size(b, 0x800);
	rerender_whole(top);
	walk_ranges(as, fr, 8);
	assert_ptr_equal(fr[1].mr, b);
	assert_int_equal(fr[1].last, 0x27ff);
	memory_region_set_readonly(a, true);
	rerender_whole(top);
	walk_ranges(as, fr, 8);
	assert_true(fr[0].readonly);
	memory_region_set_nonvolatile(b, true);
	rerender_whole(top);
	walk_ranges(as, fr, 8);
	assert_true(fr[1].nonvolatile);
	memory_region_set_alias_offset(c, 0x2000);
	rerender_whole(top);
	walk_ranges(as, fr, 8);
	assert_int_equal(fr[2].offset_in_region, 0x2000);
	memory_region_rom_device_set_romd(fl, false);
	rerender_whole(top);
	walk_ranges(as, fr, 8);
	assert_false(fr[3].romd_mode);
	assert_non_null(sys->md_trace);
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000001000-0000000000001fff (prio 0, rom): a\n"
		   "  0000000000002000-00000000000027ff (prio 0, nv-ram): b\n"
		   "  0000000000003000-0000000000003fff (prio 0, ram): back @0000000000002000\n"
		   "  0000000000004000-0000000000004fff (prio 0, i/o): fl\n"
		   "  fffffffffffff000-fffffffffffff00f (prio -1, i/o): anchor\n"
		   "\n");
	assert_ptr_equal(fr[4].mr, anchor);
	assert_null(fr[5].mr);
	memory_region_set_enabled(a, false);
	memory_region_set_enabled(b, false);
	memory_region_set_enabled(c, false);
	memory_region_set_enabled(fl, false);
	rerender_whole(top);
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  fffffffffffff000-fffffffffffff00f (prio -1, i/o): anchor\n"
		   "\n");
	memory_region_set_enabled(a, true);
	memory_region_set_readonly(a, false);
	rerender_whole(top);
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000001000-0000000000001fff (prio 0, ram): a\n"
		   "  fffffffffffff000-fffffffffffff00f (prio -1, i/o): anchor\n"
		   "\n");
	assert_non_null(sys->md_trace);
}


/*
 * An alias mapped inside the region it points into (QEMU's armsse maps
 * "alias 1".."alias 3" of its container inside it): each pass moves the
 * window by (alias address - alias offset) and clips it, so r repeats.
 */
static void test_render_self_alias(void **state)
{
	MemoryRegion *sys = cont_new("system", 0x100);
	MemoryRegion *r = ram_new("r", 0x10);
	MemoryRegion *m = alias_new("m", sys, 0, 0x40);
	struct memdisp_flat_range fr[600];
	AddressSpace *as;
	int i;

	(void)state;
	memory_region_add_subregion(sys, 0, r);
	memory_region_add_subregion_overlap(sys, 0x10, m, -1);
	as = new_as(sys, "memory");
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000000000-000000000000000f (prio 0, ram): r\n"
		   "  0000000000000010-000000000000001f (prio 0, ram): r\n"
		   "  0000000000000020-000000000000002f (prio 0, ram): r\n"
		   "  0000000000000030-000000000000003f (prio 0, ram): r\n"
		   "  0000000000000040-000000000000004f (prio 0, ram): r\n"
		   "\n");
	/* a bigger step: fewer passes */
	memory_region_set_address(m, 0x20);
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000000000-000000000000000f (prio 0, ram): r\n"
		   "  0000000000000020-000000000000002f (prio 0, ram): r\n"
		   "  0000000000000040-000000000000004f (prio 0, ram): r\n"
		   "\n");
	/* a backward step (offset above the address) ends too */
	memory_region_set_address(m, 0x80);
	memory_region_set_alias_offset(m, 0x90);
	memory_region_set_address(r, 0xa0);
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000000080-000000000000008f (prio 0, ram): r\n"
		   "  0000000000000090-000000000000009f (prio 0, ram): r\n"
		   "  00000000000000a0-00000000000000af (prio 0, ram): r\n"
		   "\n");
	/* 256 passes of 1 byte each: deep, but under the bound */
	memory_region_transaction_begin();
	memory_region_set_address(r, 0);
	memory_region_set_alias_offset(m, 0);
	memory_region_set_address(m, 1);
	memory_region_set_size(m, 0xff);
	memory_region_transaction_commit();
	memset(fr, 0, sizeof(fr));
	memdisp_flatview_walk(as, collect_cb, fr);
	/* 0-0xf directly; byte x >= 0x10 through x - 0xf passes, r's last byte */
	assert_ptr_equal(fr[0].mr, r);
	assert_int_equal(fr[0].start, 0);
	assert_int_equal(fr[0].last, 0xf);
	assert_int_equal(fr[0].offset_in_region, 0);
	for (i = 1; i <= 0xf0; i++) {
		assert_ptr_equal(fr[i].mr, r);
		assert_int_equal(fr[i].start, 0xf + i);
		assert_int_equal(fr[i].last, 0xf + i);
		assert_int_equal(fr[i].offset_in_region, 0xf);
	}
	assert_null(fr[i].mr);
}

/*
 * Disable an unmapped region, map it and enable it again in one
 * transaction: the commit must show it (the enable used to stop marking
 * at the region, marked while it had no container).
 */
static void test_map_disabled_then_enable(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *x = ram_new("x", 0x1000), *a = ram_new("a", 0x1000);

	(void)state;
	memory_region_add_subregion(sys, 0x100000, x);
	new_as(sys, "memory");
	memory_region_transaction_begin();
	memory_region_set_enabled(a, false);
	memory_region_add_subregion(sys, 0, a);
	memory_region_set_enabled(a, true);
	memory_region_transaction_commit();
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000000000-0000000000000fff (prio 0, ram): a\n"
		   "  0000000000100000-0000000000100fff (prio 0, ram): x\n"
		   "\n");
}

static void test_render_clipping(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *c = cont_new("window", 0x1000);
	MemoryRegion *big = io_new("big", 0x3000);

	(void)state;
	memory_region_add_subregion(c, 0x800, big);
	memory_region_add_subregion(sys, 0x10000, c);
	memory_region_add_subregion(sys, 0x30000, io_new("other", 0x10));
	new_as(sys, "memory");
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000010800-0000000000010fff (prio 0, i/o): big\n"
		   "  0000000000030000-000000000003000f (prio 0, i/o): other\n"
		   "\n");
	/* the tree is not clipped */
	check_text(false, false,
		   "address-space: memory\n"
		   "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
		   "    0000000000010000-0000000000010fff (prio 0, i/o): window\n"
		   "      0000000000010800-00000000000137ff (prio 0, i/o): big\n"
		   "    0000000000030000-000000000003000f (prio 0, i/o): other\n"
		   "\n");
}

static void test_render_disabled(void **state)
{
	MemoryRegion *io = cont_new("io", 0x10000);
	MemoryRegion *pm = cont_new("piix4-pm", 0x40);
	MemoryRegion *x = io_new("x", 0x10);

	(void)state;
	memory_region_add_subregion(pm, 4, io_new("acpi-cnt", 2));
	memory_region_add_subregion(io, 0x600, pm);
	memory_region_add_subregion(io, 0x10, x);
	memory_region_set_enabled(pm, false);
	new_as(io, "I/O");
	check_text(false, false,
		   "address-space: I/O\n"
		   "  0000000000000000-000000000000ffff (prio 0, i/o): io\n"
		   "    0000000000000010-000000000000001f (prio 0, i/o): x\n"
		   "      0000000000000604-0000000000000605 (prio 0, i/o): acpi-cnt\n"
		   "\n");
	check_text(false, true,
		   "address-space: I/O\n"
		   "  0000000000000000-000000000000ffff (prio 0, i/o): io\n"
		   "    0000000000000010-000000000000001f (prio 0, i/o): x\n"
		   "    0000000000000600-000000000000063f (prio 0, i/o): piix4-pm [disabled]\n"
		   "      0000000000000604-0000000000000605 (prio 0, i/o): acpi-cnt\n"
		   "\n");
	/* one enabled child at 10: not simplified (child not at 0) */
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"I/O\", root: io\n"
		   " Root memory region: io\n"
		   "  0000000000000010-000000000000001f (prio 0, i/o): x\n"
		   "\n");
	memory_region_set_enabled(pm, true);
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"I/O\", root: io\n"
		   " Root memory region: io\n"
		   "  0000000000000010-000000000000001f (prio 0, i/o): x\n"
		   "  0000000000000604-0000000000000605 (prio 0, i/o): acpi-cnt\n"
		   "\n");
}

static void test_render_romd(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *fl = mr_new();

	(void)state;
	memory_region_init_rom_device(fl, NULL, &ops, NULL, "pflash", 0x1000,
				      &error_abort);
	memory_region_add_subregion(sys, 0xfffff000, fl);
	new_as(sys, "memory");
	assert_true(memory_region_is_romd(fl));
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  00000000fffff000-00000000ffffffff (prio 0, romd): pflash\n"
		   "\n");
	memory_region_rom_device_set_romd(fl, false);
	assert_false(memory_region_is_romd(fl));
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  00000000fffff000-00000000ffffffff (prio 0, i/o): pflash\n"
		   "\n");
}

static bool collect_cb(const struct memdisp_flat_range *r, void *opaque)
{
	struct memdisp_flat_range *out = opaque;
	int i = 0;

	while (out[i].mr)
		i++;
	out[i] = *r;
	return false;
}

static void test_render_priorities(void **state)
{
	MemoryRegion *sys = cont_new("system", 0x10000);
	MemoryRegion *a = io_new("a", 0x100);
	MemoryRegion *b = io_new("b", 0x100);
	MemoryRegion *c = io_new("c", 0x100);
	MemoryRegion *hi = io_new("hi", 0x10);
	struct memdisp_flat_range r[8];
	AddressSpace *as;

	(void)state;
	memory_region_add_subregion_overlap(sys, 0x1000, hi, 5);
	memory_region_add_subregion(sys, 0x1000, a);
	memory_region_add_subregion(sys, 0x1000, b);	/* later: wins over a */
	memory_region_add_subregion(sys, 0x1080, c);	/* later still */
	as = new_as(sys, "memory");
	memset(r, 0, sizeof(r));
	memdisp_flatview_walk(as, collect_cb, r);
	assert_ptr_equal(r[0].mr, hi);
	assert_int_equal(r[0].start, 0x1000);
	assert_int_equal(r[0].last, 0x100f);
	assert_ptr_equal(r[1].mr, b);
	assert_int_equal(r[1].start, 0x1010);
	assert_int_equal(r[1].offset_in_region, 0x10);
	assert_int_equal(r[1].last, 0x107f);
	assert_ptr_equal(r[2].mr, c);	/* newest: wins from 0x1080 */
	assert_int_equal(r[2].start, 0x1080);
	assert_int_equal(r[2].offset_in_region, 0);
	assert_int_equal(r[2].last, 0x117f);
	assert_null(r[3].mr);
	/* set_address re-adds: a becomes the newest and wins */
	memory_region_set_address(a, 0x1001);
	memory_region_set_address(a, 0x1000);
	memset(r, 0, sizeof(r));
	memdisp_flatview_walk(as, collect_cb, r);
	assert_ptr_equal(r[1].mr, a);
	assert_int_equal(r[1].last, 0x10ff);
	assert_ptr_equal(r[2].mr, c);
	assert_int_equal(r[2].start, 0x1100);
	assert_int_equal(r[2].offset_in_region, 0x80);
	/* the tree prints higher priority first at the same address, and
	 * render order (newest first) among equal ones */
	check_text(false, false,
		   "address-space: memory\n"
		   "  0000000000000000-000000000000ffff (prio 0, i/o): system\n"
		   "    0000000000001000-000000000000100f (prio 5, i/o): hi\n"
		   "    0000000000001000-00000000000010ff (prio 0, i/o): a\n"
		   "    0000000000001000-00000000000010ff (prio 0, i/o): b\n"
		   "    0000000000001080-000000000000117f (prio 0, i/o): c\n"
		   "\n");
}

static void test_render_full_64bit(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *bg = io_new("unassigned", UINT64_MAX);
	MemoryRegion *top = ram_new("top", 0x1000);

	(void)state;
	assert_int_equal(memory_region_size(bg), UINT64_MAX);
	assert_true(int128_eq(bg->size, int128_2_64()));
	memory_region_add_subregion_overlap(sys, 0, bg, -1);
	memory_region_add_subregion(sys, 0xfffffffffffff000ULL, top);
	new_as(sys, "memory");
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000000000-ffffffffffffefff (prio -1, i/o): unassigned\n"
		   "  fffffffffffff000-ffffffffffffffff (prio 0, ram): top\n"
		   "\n");
	/* a region that would stick out past 2^64 is clipped */
	memory_region_set_address(top, 0xfffffffffffff800ULL);
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000000000-fffffffffffff7ff (prio -1, i/o): unassigned\n"
		   "  fffffffffffff800-ffffffffffffffff (prio 0, ram): top\n"
		   "\n");
}

static void test_render_nonvolatile(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *nv = ram_new("nv1", 0x1000);
	MemoryRegion *al = alias_new("nvdimm-memory", nv, 0, 0x1000);

	(void)state;
	memory_region_set_nonvolatile(al, true);
	memory_region_add_subregion(sys, 0x100000000ULL, al);
	memory_region_add_subregion(sys, 0, io_new("x", 1));
	new_as(sys, "memory");
	assert_true(memory_region_is_nonvolatile(al));
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000000000-0000000000000000 (prio 0, i/o): x\n"
		   "  0000000100000000-0000000100000fff (prio 0, nv-ram): nv1\n"
		   "\n");
	check_text(false, false,
		   "address-space: memory\n"
		   "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
		   "    0000000000000000-0000000000000000 (prio 0, i/o): x\n"
		   "    0000000100000000-0000000100000fff (prio 0, nv-ram): alias nvdimm-memory @nv1 0000000000000000-0000000000000fff\n"
		   "\n"
		   "memory-region: nv1\n"
		   "  0000000000000000-0000000000000fff (prio 0, ram): nv1\n"
		   "\n");
}

static void test_flatview_sharing(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *bm = cont_new("bus master container", UINT64_MAX);
	MemoryRegion *bma = alias_new("bus master", sys, 0, UINT64_MAX);
	MemoryRegion *empty = cont_new("empty", 0x1000);
	AddressSpace *mem, *dev, *e;

	(void)state;
	memory_region_add_subregion(sys, 0x1000, ram_new("ram", 0x1000));
	memory_region_add_subregion(bm, 0, bma);
	mem = new_as(sys, "memory");
	dev = new_as(bm, "e1000");
	e = new_as(empty, "nothing");
	assert_ptr_equal(address_space_to_flatview(mem),
			 address_space_to_flatview(dev));
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " AS \"e1000\", root: bus master container\n"
		   " Root memory region: system\n"
		   "  0000000000001000-0000000000001fff (prio 0, ram): ram\n"
		   "\n"
		   "FlatView #1\n"
		   " AS \"nothing\", root: empty\n"
		   " Root memory region: (none)\n"
		   "  No rendered FlatView\n"
		   "\n");
	/* bus mastering off: the alias is disabled, the view is empty */
	memory_region_set_enabled(bma, false);
	assert_ptr_not_equal(address_space_to_flatview(mem),
			     address_space_to_flatview(dev));
	assert_ptr_equal(address_space_to_flatview(e),
			 address_space_to_flatview(dev));
	memory_region_set_enabled(bma, true);
	assert_ptr_equal(address_space_to_flatview(mem),
			 address_space_to_flatview(dev));
}


static void test_moving_a_root(void **state)
{
	MemoryRegion *outer = cont_new("outer", UINT64_MAX);
	MemoryRegion *sys = cont_new("sys", 0x100000);
	MemoryRegion *ram = ram_new("ram", 0x1000);
	MemoryRegion *dev = cont_new("dev", UINT64_MAX);
	MemoryRegion *al = alias_new("dev-view", ram, 0, 0x1000);
	struct memdisp_flat_range r[4];
	AddressSpace *a1, *a2;

	(void)state;
	memory_region_add_subregion(sys, 0x10, io_new("x", 0x10));
	memory_region_add_subregion(sys, 0x40, io_new("y", 0x10));
	memory_region_add_subregion(outer, 0, sys);
	memory_region_add_subregion(outer, 0x200000, ram);
	memory_region_add_subregion(dev, 0, al);
	a1 = new_as(sys, "sys");
	a2 = new_as(dev, "dev");
	/* QEMU adds the root's own address when rendering */
	memory_region_set_address(sys, 0x1000);
	memset(r, 0, sizeof(r));
	memdisp_flatview_walk(a1, collect_cb, r);
	assert_int_equal(r[0].start, 0x1010);
	assert_int_equal(r[1].start, 0x1040);
	/* dev -> alias -> ram simplifies to ram, which moves too */
	memset(r, 0, sizeof(r));
	memdisp_flatview_walk(a2, collect_cb, r);
	assert_ptr_equal(r[0].mr, ram);
	assert_int_equal(r[0].start, 0x200000);
	memory_region_set_address(ram, 0x300000);
	memset(r, 0, sizeof(r));
	memdisp_flatview_walk(a2, collect_cb, r);
	assert_int_equal(r[0].start, 0x300000);
	/* edited while unmapped, then mapped, in one transaction */
	{
		MemoryRegion *late = io_new("late", 0x10);

		memory_region_transaction_begin();
		memory_region_set_size(late, 0x20);
		memory_region_add_subregion(sys, 0x80, late);
		memory_region_transaction_commit();
		memset(r, 0, sizeof(r));
		memdisp_flatview_walk(a1, collect_cb, r);
		assert_ptr_equal(r[2].mr, late);
		assert_int_equal(r[2].start, 0x1080);
		assert_int_equal(r[2].last, 0x109f);
	}
	/* a root moved inside a disabled container still moves */
	memory_region_set_enabled(outer, false);
	memory_region_set_address(sys, 0x2000);
	memset(r, 0, sizeof(r));
	memdisp_flatview_walk(a1, collect_cb, r);
	assert_int_equal(r[0].start, 0x2010);
	memory_region_set_enabled(outer, true);
	/* and an edit right after address_space_init is published */
	memory_region_set_enabled(al, false);
	memset(r, 0, sizeof(r));
	memdisp_flatview_walk(a2, collect_cb, r);
	assert_null(r[0].mr);
}

/* ---------------------------------------------------------------------- */
/* mtree tree text */

static void test_mtree_tree_groups_and_sections(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *io = cont_new("io", 0x10000);
	MemoryRegion *ram = ram_new("pc.ram", 0x2000);
	MemoryRegion *bios = mr_new();
	MemoryRegion *isa;

	(void)state;
	memory_region_init_rom(bios, NULL, "pc.bios", 0x1000, &error_abort);
	isa = alias_new("isa-bios", bios, 0, 0x1000);
	memory_region_add_subregion(sys, 0xfffff000, bios);
	memory_region_add_subregion_overlap(sys, 0xf0000, isa, 1);
	memory_region_add_subregion(sys, 0, alias_new("ram-below-4g", ram, 0,
						      0x2000));
	memory_region_add_subregion(io, 0x80, io_new("port80", 1));
	new_as(sys, "memory");
	new_as(io, "I/O");
	new_as(sys, "cpu-memory-0");
	check_text(false, false,
		   "address-space: cpu-memory-0\n"
		   "address-space: memory\n"
		   "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
		   "    0000000000000000-0000000000001fff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-0000000000001fff\n"
		   "    00000000000f0000-00000000000f0fff (prio 1, rom): alias isa-bios @pc.bios 0000000000000000-0000000000000fff\n"
		   "    00000000fffff000-00000000ffffffff (prio 0, rom): pc.bios\n"
		   "\n"
		   "address-space: I/O\n"
		   "  0000000000000000-000000000000ffff (prio 0, i/o): io\n"
		   "    0000000000000080-0000000000000080 (prio 0, i/o): port80\n"
		   "\n"
		   "memory-region: pc.ram\n"
		   "  0000000000000000-0000000000001fff (prio 0, ram): pc.ram\n"
		   "\n"
		   "memory-region: pc.bios\n"
		   "  00000000fffff000-00000000ffffffff (prio 0, rom): pc.bios\n"
		   "\n");
}

/* ---------------------------------------------------------------------- */
/* listeners and transactions */

static void test_listener_order_and_replay(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *r1 = ram_new("r1", 0x1000);
	MemoryRegion *r2 = ram_new("r2", 0x1000);
	MemoryListener la, lb;
	AddressSpace *as;

	(void)state;
	memory_region_add_subregion(sys, 0x1000, r1);
	as = new_as(sys, "memory");
	evlog[0] = 0;
	listener_setup(&lb, "B", 10);
	memory_listener_register(&lb, as);
	assert_string_equal(evlog, "B:begin\nB:add 1000+1000 r1@0\nB:commit\n");
	listener_setup(&la, "A", 1);
	memory_listener_register(&la, as);
	evlog[0] = 0;
	memory_region_transaction_begin();
	memory_region_del_subregion(sys, r1);
	memory_region_add_subregion(sys, 0x2000, r2);
	assert_string_equal(evlog, "");	/* nothing before the commit */
	memory_region_transaction_commit();
	assert_string_equal(evlog,
			    "A:begin\nB:begin\n"
			    "B:del 1000+1000 r1@0\nA:del 1000+1000 r1@0\n"
			    "A:add 2000+1000 r2@0\nB:add 2000+1000 r2@0\n"
			    "A:commit\nB:commit\n");
	evlog[0] = 0;
	memory_listener_unregister(&lb);
	assert_string_equal(evlog, "B:begin\nB:del 2000+1000 r2@0\nB:commit\n");
	assert_null(lb.address_space);
	memory_listener_unregister(&la);
}

static void test_transaction_nesting_and_noop(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *r1 = ram_new("r1", 0x1000);
	MemoryListener l;
	AddressSpace *as;
	FlatView *v;

	(void)state;
	as = new_as(sys, "memory");
	listener_setup(&l, "L", 0);
	l.region_nop = l_nop;
	memory_listener_register(&l, as);
	evlog[0] = 0;
	v = address_space_to_flatview(as);
	/* no change: nothing rendered, no listener called */
	memory_region_transaction_begin();
	memory_region_transaction_commit();
	memory_region_set_enabled(sys, true);
	memory_region_set_address(sys, 0);
	assert_string_equal(evlog, "");
	assert_ptr_equal(v, address_space_to_flatview(as));

	memory_region_transaction_begin();
	memory_region_transaction_begin();
	memory_region_add_subregion(sys, 0, r1);
	memory_region_transaction_commit();
	assert_string_equal(evlog, "");	/* inner commit renders nothing */
	memory_region_set_readonly(r1, true);
	memory_region_transaction_commit();
	assert_string_equal(evlog, "L:begin\nL:add 0+1000 r1@0 ro\nL:commit\n");
	evlog[0] = 0;
	/* an attribute change: del + add of the same range */
	memory_region_set_readonly(r1, false);
	assert_string_equal(evlog, "L:begin\nL:del 0+1000 r1@0 ro\n"
			    "L:add 0+1000 r1@0\nL:commit\n");
	memory_listener_unregister(&l);
	expect_abort(memory_region_transaction_commit,
		     "memory_region_transaction_commit without begin");
}

static void test_listener_filter_per_as(void **state)
{
	MemoryRegion *s1 = cont_new("s1", UINT64_MAX);
	MemoryRegion *s2 = cont_new("s2", UINT64_MAX);
	MemoryListener l;
	AddressSpace *a1;

	(void)state;
	a1 = new_as(s1, "one");
	new_as(s2, "two");
	listener_setup(&l, "L", 0);
	memory_listener_register(&l, a1);
	evlog[0] = 0;
	memory_region_add_subregion(s2, 0, ram_new("x", 0x1000));
	/* global begin/commit, but no region callback for another AS */
	assert_string_equal(evlog, "L:begin\nL:commit\n");
	evlog[0] = 0;
	memory_region_add_subregion(s1, 0, ram_new("y", 0x1000));
	assert_string_equal(evlog, "L:begin\nL:add 0+1000 y@0\nL:commit\n");
	memory_listener_unregister(&l);
}

static void test_dirty_logging(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *vram = ram_new("vga.vram", 0x1000);
	MemoryListener l;
	AddressSpace *as;

	(void)state;
	memory_region_add_subregion(sys, 0, vram);
	memory_region_add_subregion(sys, 0x10000, io_new("mmio", 0x10));
	as = new_as(sys, "memory");
	listener_setup(&l, "L", 0);
	memory_listener_register(&l, as);
	evlog[0] = 0;
	memory_region_set_log(vram, true, DIRTY_MEMORY_VGA);
	assert_true(memory_region_is_logging(vram, DIRTY_MEMORY_VGA));
	/* the mask is not part of range equality: log_start on a nop */
	assert_string_equal(evlog, "L:begin\nL:log_start 0 0->1\nL:commit\n");
	evlog[0] = 0;
	address_space_sync_dirty_bitmap(as);
	assert_string_equal(evlog, "L:log_sync 0+1000 vga.vram@0\n");
	evlog[0] = 0;
	memory_global_dirty_log_start(GLOBAL_DIRTY_MIGRATION);
	assert_string_equal(evlog, "L:global_start\nL:begin\n"
			    "L:log_start 0 1->5\nL:commit\n");
	assert_int_equal(memory_region_get_dirty_log_mask(vram), 5);
	evlog[0] = 0;
	/* a second reason changes nothing; removing one of two neither */
	memory_global_dirty_log_start(GLOBAL_DIRTY_DIRTY_RATE);
	memory_global_dirty_log_stop(GLOBAL_DIRTY_MIGRATION);
	assert_string_equal(evlog, "");
	assert_int_equal(global_dirty_tracking, GLOBAL_DIRTY_DIRTY_RATE);
	memory_global_dirty_log_stop(GLOBAL_DIRTY_DIRTY_RATE);
	assert_string_equal(evlog, "L:begin\nL:log_stop 0 5->1\nL:commit\n"
			    "L:global_stop\n");
	memory_region_set_log(vram, false, DIRTY_MEMORY_VGA);
	assert_false(memory_region_is_logging(vram, DIRTY_MEMORY_VGA));
	memory_listener_unregister(&l);
}

static void test_eventfd_listener(void **state)
{
	MemoryRegion *io = cont_new("io", 0x10000);
	MemoryRegion *dev = io_new("virtio-pci", 0x40);
	MemoryListener l;
	EventNotifier e;
	AddressSpace *as;

	(void)state;
	assert_int_equal(event_notifier_init(&e, 0), 0);
	memory_region_add_subregion(io, 0xc000, dev);
	as = new_as(io, "I/O");
	memset(&l, 0, sizeof(l));
	l.name = "E";
	l.eventfd_add = l_efd_add;
	l.eventfd_del = l_efd_del;
	memory_listener_register(&l, as);
	evlog[0] = 0;
	memory_region_add_eventfd(dev, 0x10, 2, true, 3, &e);
	assert_string_equal(evlog, "E:eventfd_add c010+2 1 3 1\n");
	evlog[0] = 0;
	memory_region_set_address(dev, 0xd000);
	assert_string_equal(evlog, "E:eventfd_del c010+2 1 3 1\n"
			    "E:eventfd_add d010+2 1 3 1\n");
	evlog[0] = 0;
	memory_region_del_eventfd(dev, 0x10, 2, true, 3, &e);
	assert_string_equal(evlog, "E:eventfd_del d010+2 1 3 1\n");
	memory_listener_unregister(&l);
	event_notifier_cleanup(&e);
}

static void test_coalesced_listener(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *dev = io_new("e1000-mmio", 0x1000);
	MemoryListener l;
	AddressSpace *as;

	(void)state;
	memory_region_add_subregion(sys, 0x10000, dev);
	as = new_as(sys, "memory");
	memset(&l, 0, sizeof(l));
	l.name = "C";
	l.coalesced_io_add = l_coal_add;
	l.coalesced_io_del = l_coal_del;
	memory_listener_register(&l, as);
	evlog[0] = 0;
	memory_region_add_coalescing(dev, 0x100, 0x10);
	assert_string_equal(evlog, "C:coalesced_add 10100+10\n");
	evlog[0] = 0;
	memory_region_set_address(dev, 0x20000);
	assert_string_equal(evlog, "C:coalesced_del 10000+1000\n"
			    "C:coalesced_add 20100+10\n");
	evlog[0] = 0;
	memory_region_clear_coalescing(dev);
	assert_string_equal(evlog, "C:coalesced_del 20000+1000\n");
	memory_listener_unregister(&l);
}

/* ---------------------------------------------------------------------- */
/* queries */

static void test_queries(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *ram = ram_new("ram", 0x4000);
	MemoryRegion *win = alias_new("win", ram, 0x1000, 0x1000);
	MemoryRegion *hidden = ram_new("hidden", 0x1000);
	MemoryRegionSection s;
	char *p;

	(void)state;
	assert_false(memory_region_is_mapped(ram));
	memory_region_add_subregion(sys, 0x10000, win);
	assert_true(memory_region_is_mapped(win));
	assert_true(memory_region_is_mapped(ram));	/* via the alias */
	assert_false(memory_region_is_mapped(hidden));
	new_as(sys, "memory");
	s = memory_region_find(sys, 0x10800, 0x1000);
	assert_ptr_equal(s.mr, ram);
	assert_int_equal(s.offset_within_region, 0x1800);
	assert_int_equal(s.offset_within_address_space, 0x10800);
	assert_true(int128_eq(s.size, int128_make64(0x800)));
	memory_region_unref(s.mr);
	s = memory_region_find(sys, 0x20000, 0x10);
	assert_null(s.mr);
	assert_true(memory_region_present(sys, 0x10000));
	assert_false(memory_region_present(sys, 0x0));
	assert_true(memory_region_is_ram(ram));
	assert_false(memory_region_is_rom(ram));
	assert_false(memory_region_is_iommu(ram));
	assert_string_equal(memory_region_name(win), "win");
	assert_int_equal(memory_region_size(win), 0x1000);
	assert_null(memory_region_owner(ram));
	assert_true(memory_region_get_ram_addr(ram) != RAM_ADDR_INVALID);
	assert_int_equal(memory_region_get_ram_addr(sys), RAM_ADDR_INVALID);
	assert_false(memory_region_is_skip_dump(ram));
	memory_region_set_skip_dump(ram);
	assert_true(memory_region_is_skip_dump(ram));
	assert_int_equal(memory_region_get_alignment(ram), 0);
	p = memory_region_get_ram_ptr(ram);
	assert_non_null(p);
	p[0x3fff] = 7;	/* the RAM is really there */
	assert_ptr_equal(memory_region_get_ram_ptr(win), p + 0x1000);
	memory_region_set_size(win, 0x2000);
	s = memory_region_find(sys, 0x11800, 4);
	assert_ptr_equal(s.mr, ram);
	assert_int_equal(s.offset_within_region, 0x2800);
}

/* ---------------------------------------------------------------------- */
/* init variants */

static void test_init_variants(void **state)
{
	static char backing[0x2000];
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *ptr = mr_new(), *dev = mr_new(), *res = mr_new();
	MemoryRegion *file = mr_new(), *rz = mr_new(), *big = mr_new();
	char path[] = "/tmp/memdisp-unit-XXXXXX";
	Error *err = NULL;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	memory_region_init_ram_ptr(ptr, NULL, "ptr", sizeof(backing), backing);
	assert_ptr_equal(memory_region_get_ram_ptr(ptr), backing);
	memory_region_init_ram_device_ptr(dev, NULL, "bar0", 0x1000, backing);
	assert_true(memory_region_is_ram_device(dev));
	memory_region_init_reservation(res, NULL, "reserved", 0x1000);
	memory_region_init_ram_from_file(file, NULL, "file", 0x2000, 0,
					 RAM_SHARED, path, 0, false, &err);
	assert_null(err);
	assert_true(memory_region_get_fd(file) >= 0);
	((char *)memory_region_get_ram_ptr(file))[5] = 'x';
	memory_region_init_resizeable_ram(rz, NULL, "rz", 0x1000, 0x4000,
					  NULL, &err);
	assert_null(err);
	memory_region_init_ram(big, NULL, "8g", 8ULL << 30, &err);
	assert_null(err);	/* MAP_NORESERVE: nothing is touched */
	memory_region_add_subregion(sys, 0x0, ptr);
	memory_region_add_subregion(sys, 0x10000, dev);
	memory_region_add_subregion(sys, 0x20000, res);
	memory_region_add_subregion(sys, 0x30000, file);
	memory_region_add_subregion(sys, 0x40000, rz);
	new_as(sys, "memory");
	memory_region_ram_resize(rz, 0x3000, &err);
	assert_null(err);
	assert_int_equal(memory_region_size(rz), 0x3000);
	memory_region_ram_resize(rz, 0x5000, &err);
	assert_non_null(err);
	assert_non_null(strstr(error_get_pretty(err), "rz"));
	error_free(err);
	err = NULL;
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"memory\", root: system\n"
		   " Root memory region: system\n"
		   "  0000000000000000-0000000000001fff (prio 0, ram): ptr\n"
		   "  0000000000010000-0000000000010fff (prio 0, ramd): bar0\n"
		   "  0000000000020000-0000000000020fff (prio 0, i/o): reserved\n"
		   "  0000000000030000-0000000000031fff (prio 0, ram): file\n"
		   "  0000000000040000-0000000000042fff (prio 0, ram): rz\n"
		   "\n");
	unlink(path);
}

static IOMMUTLBEntry iommu_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
				     IOMMUAccessFlags flag, int idx)
{
	IOMMUTLBEntry e = { .iova = addr, .perm = IOMMU_RW };

	(void)iommu; (void)flag; (void)idx;
	return e;
}

static const IOMMUMemoryRegionClass test_iommu_class = {
	.translate = iommu_translate,
};

static void init_unregistered_iommu(void)
{
	static IOMMUMemoryRegion im;

	memory_region_init_iommu(&im, sizeof(im), "no-such-iommu", NULL, "x",
				 0x1000);
}

static void test_iommu(void **state)
{
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	IOMMUMemoryRegion *im = calloc(1, sizeof(*im));

	(void)state;
	assert_int_equal(memdisp_iommu_class_register("test-iommu", NULL),
			 -EINVAL);
	assert_int_equal(memdisp_iommu_class_register("test-iommu",
						      &test_iommu_class), 0);
	memory_region_init_iommu(im, sizeof(*im), "test-iommu", NULL, "vtd",
				 UINT64_MAX);
	assert_true(memory_region_is_iommu(MEMORY_REGION(im)));
	assert_ptr_equal(IOMMU_MEMORY_REGION_GET_CLASS(im), &test_iommu_class);
	memory_region_add_subregion(sys, 0, MEMORY_REGION(im));
	new_as(sys, "dma");
	check_text(true, false,
		   "FlatView #0\n"
		   " AS \"dma\", root: system\n"
		   " Root memory region: vtd\n"
		   "  0000000000000000-ffffffffffffffff (prio 0, i/o): vtd\n"
		   "\n");
	expect_abort(init_unregistered_iommu,
		     "x: IOMMU type \"no-such-iommu\" is not registered");
}

/* ---------------------------------------------------------------------- */
/* objects and support types */

static int owner_finalized;

static void owner_finalize(Object *obj)
{
	(void)obj;
	owner_finalized++;
}

static void test_object_owner_refs(void **state)
{
	Object *owner = calloc(1, sizeof(*owner));
	MemoryRegion *sys = cont_new("system", UINT64_MAX);
	MemoryRegion *mr = mr_new();
	AddressSpace *as = calloc(1, sizeof(*as));

	(void)state;
	object_initialize_simple(owner, "e1000", owner_finalize);
	memory_region_init_io(mr, owner, &ops, NULL, "e1000-mmio", 0x1000);
	assert_ptr_equal(memory_region_owner(mr), owner);
	assert_int_equal(owner->ref, 1);
	memory_region_ref(mr);
	assert_int_equal(owner->ref, 2);
	memory_region_unref(mr);
	address_space_init(as, sys, "memory");
	memory_region_add_subregion(sys, 0, mr);
	/* the container and the rendered range each hold a reference */
	assert_true(owner->ref >= 3);
	memory_region_del_subregion(sys, mr);
	address_space_destroy(as);
	memdisp_flatview_reclaim();
	assert_int_equal(owner->ref, 1);
	assert_int_equal(owner_finalized, 0);
	object_unref(owner);	/* finalizes the owner and its region */
	assert_int_equal(owner_finalized, 1);
	assert_false(mr->md_initialized);
	free(as);
}

static int notified;

static void notify_cb(Notifier *n, void *data)
{
	(void)n;
	notified += *(int *)data;
}

static void test_notifier_eventfd_error(void **state)
{
	NotifierList list = NOTIFIER_LIST_INITIALIZER(list);
	Notifier a = { .notify = notify_cb }, b = { .notify = notify_cb };
	EventNotifier e;
	Error *err = NULL, *err2 = NULL;
	int v = 2;

	(void)state;
	assert_true(notifier_list_empty(&list));
	notifier_list_add(&list, &a);
	notifier_list_add(&list, &b);
	notifier_list_notify(&list, &v);
	assert_int_equal(notified, 4);
	notifier_remove(&a);
	notifier_list_notify(&list, &v);
	assert_int_equal(notified, 6);

	assert_int_equal(event_notifier_init(&e, 1), 0);
	assert_true(event_notifier_get_fd(&e) >= 0);
	assert_int_equal(event_notifier_test_and_clear(&e), 1);
	assert_int_equal(event_notifier_test_and_clear(&e), 0);
	assert_int_equal(event_notifier_set(&e), 0);
	assert_int_equal(event_notifier_test_and_clear(&e), 1);
	event_notifier_cleanup(&e);

	error_setg(&err, "bad %d", 42);
	assert_string_equal(error_get_pretty(err), "bad 42");
	error_propagate(&err2, err);
	assert_ptr_equal(err2, err);
	error_free(err2);
	err = NULL;
	error_setg_errno(&err, ENOENT, "open %s", "x");
	assert_string_equal(error_get_pretty(err), "open x: No such file or directory");
	error_free(err);
	err = NULL;
	error_setg(NULL, "ignored");
	/* RAM of size 0 is reported through errp */
	{
		MemoryRegion *mr = mr_new();

		memory_region_init_ram(mr, NULL, "zero", 0, &err);
		assert_non_null(err);
		assert_string_equal(error_get_pretty(err),
				    "zero: RAM size must not be 0");
		error_free(err);
	}
}

/* ---------------------------------------------------------------------- */
/* misuse aborts with a message naming the region and the rule */

static void misuse_add_twice(void)
{
	MemoryRegion *a = cont_new("a", 0x1000), *b = cont_new("b", 0x1000);
	MemoryRegion *x = io_new("dev", 0x10);

	memory_region_add_subregion(a, 0, x);
	memory_region_add_subregion(b, 0, x);
}

static void misuse_del_foreign(void)
{
	MemoryRegion *a = cont_new("a", 0x1000);

	memory_region_del_subregion(a, io_new("stray", 0x10));
}

static void misuse_cycle(void)
{
	MemoryRegion *a = cont_new("outer", 0x1000), *b = cont_new("inner", 0x1000);

	memory_region_add_subregion(a, 0, b);
	memory_region_add_subregion(b, 0, a);
}

/* the alias's window lands on itself: c -> loop -> c at the same place */
static void misuse_alias_cycle(void)
{
	MemoryRegion *c = cont_new("c", 0x1000);
	MemoryRegion *al = alias_new("loop", c, 0, 0x1000);

	memory_region_add_subregion(c, 0, al);
	new_as(c, "cyc");
}

/* same, found by the renderer rather than the root simplification */
static void misuse_alias_cycle_render(void)
{
	MemoryRegion *c = cont_new("c", 0x1000);

	memory_region_add_subregion(c, 0, ram_new("r", 0x10));
	memory_region_add_subregion(c, 0x100, alias_new("same", c, 0x100, 0x100));
	new_as(c, "cyc");
}

/* through a nested container: 0x100 + 0x10 - 0x110 = no move */
static void misuse_alias_cycle_nested(void)
{
	MemoryRegion *c = cont_new("c", 0x1000), *d = cont_new("d", 0x800);

	new_as(c, "cyc");
	memory_region_add_subregion(c, 0, ram_new("r", 0x10));
	memory_region_add_subregion(c, 0x100, d);
	memory_region_add_subregion(d, 0x10, alias_new("back", c, 0x110, 0x10));
}

/* a legal self-alias made endless by a later offset change */
static void misuse_alias_cycle_offset(void)
{
	MemoryRegion *c = cont_new("c", 0x1000);
	MemoryRegion *al = alias_new("moved", c, 0, 0x100);

	memory_region_add_subregion(c, 0, ram_new("r", 0x10));
	memory_region_add_subregion(c, 0x200, al);
	new_as(c, "cyc");
	memory_region_set_alias_offset(al, 0x200);
}

/* 1 byte per pass over 0x8000 bytes: deeper than the bound */
static void misuse_render_depth(void)
{
	MemoryRegion *c = cont_new("c", 0x10000);

	memory_region_add_subregion(c, 0, ram_new("r", 0x10));
	memory_region_add_subregion(c, 1, alias_new("crawl", c, 0, 0x8000));
	new_as(c, "deep");
}

static void misuse_self(void)
{
	MemoryRegion *a = cont_new("me", 0x1000);

	memory_region_add_subregion(a, 0, a);
}

static void misuse_alias_offset(void)
{
	memory_region_set_alias_offset(cont_new("plain", 0x10), 4);
}

static void misuse_romd(void)
{
	memory_region_rom_device_set_romd(ram_new("notrom", 0x1000), false);
}

static void misuse_ram_ptr_zero(void)
{
	static char buf[16];

	memory_region_init_ram_ptr(mr_new(), NULL, "zp", 0, buf);
}

static void misuse_del_eventfd(void)
{
	EventNotifier e = { .rfd = -1 };

	memory_region_del_eventfd(io_new("noefd", 0x10), 0, 4, false, 0, &e);
}

static void misuse_set_size_ram(void)
{
	memory_region_set_size(ram_new("small", 0x1000), 0x2000);
}

static void misuse_destroy_with_listener(void)
{
	static MemoryListener l;
	static AddressSpace as;

	address_space_init(&as, cont_new("sys", 0x1000), "withl");
	memory_listener_register(&l, &as);
	address_space_destroy(&as);
}

static void misuse_finalize_mapped(void)
{
	MemoryRegion *a = cont_new("a", 0x1000), *x = io_new("mapped", 0x10);

	memory_region_add_subregion(a, 0, x);
	object_unparent(OBJECT(x));
}

static void misuse_dirty_stop(void)
{
	memory_global_dirty_log_stop(GLOBAL_DIRTY_LIMIT);
}

static void test_misuse(void **state)
{
	expect_abort(misuse_dirty_stop, "memdisp: (api): memory_global_dirty_log_stop: flags 0x4 not set");
	(void)state;
	expect_abort(misuse_add_twice, "memdisp: dev: already a subregion of a");
	expect_abort(misuse_del_foreign, "memdisp: stray: not a subregion of a");
	expect_abort(misuse_cycle, "memdisp: outer: adding it to inner would make a cycle");
	expect_abort(misuse_alias_cycle, "memdisp: loop: alias of c maps its window onto itself (endless cycle)");
	expect_abort(misuse_alias_cycle_render, "memdisp: same: alias of c maps its window onto itself (endless cycle)");
	expect_abort(misuse_alias_cycle_nested, "memdisp: back: alias of c maps its window onto itself (endless cycle)");
	expect_abort(misuse_alias_cycle_offset, "memdisp: moved: alias of c maps its window onto itself (endless cycle)");
	expect_abort(misuse_render_depth, "rendering nests deeper than 1024 regions (alias loop?)");
	expect_abort(misuse_self, "memdisp: me: adding it to me would make a cycle");
	expect_abort(misuse_alias_offset, "memdisp: plain: set_alias_offset on a region that is not an alias");
	expect_abort(misuse_romd, "memdisp: notrom: rom_device_set_romd on a region that is not a ROM device");
	expect_abort(misuse_ram_ptr_zero, "memdisp: zp: memory_region_init_ram_ptr: invalid size 0x0");
	expect_abort(misuse_del_eventfd, "memdisp: noefd: del_eventfd: no such eventfd");
	expect_abort(misuse_set_size_ram, "memdisp: small: set_size 0x2000 outside its RAM block");
	expect_abort(misuse_destroy_with_listener, "listeners still registered");
	expect_abort(misuse_finalize_mapped, "memdisp: mapped: finalized while still mapped in a");
}

/* ---------------------------------------------------------------------- */
/* a brute-force model over small random trees */

#define SPACE 256

struct model_cell {
	MemoryRegion *mr;
	uint64_t off;
	bool ro;
	bool set;
};

static void model_render(MemoryRegion *mr, int64_t base, int64_t cs,
			 int64_t ce, bool ro, struct model_cell *out)
{
	MemoryRegion *sub;
	int64_t s, e, a;

	if (!mr->enabled)
		return;
	base += (int64_t)mr->addr;
	ro |= mr->readonly;
	s = base > cs ? base : cs;
	e = base + (int64_t)mr->size < ce ? base + (int64_t)mr->size : ce;
	if (s >= e)
		return;
	if (mr->alias) {
		model_render(mr->alias, base - (int64_t)mr->alias->addr -
			     (int64_t)mr->alias_offset, s, e, ro, out);
		return;
	}
	for (sub = mr->sub_first; sub; sub = sub->sub_next)
		model_render(sub, base, s, e, ro, out);
	if (!mr->terminates)
		return;
	for (a = s; a < e; a++) {
		if (out[a].set)
			continue;
		out[a].set = true;
		out[a].mr = mr;
		out[a].off = (uint64_t)(a - base);
		out[a].ro = ro;
	}
}

static bool model_cb(const struct memdisp_flat_range *r, void *opaque)
{
	struct model_cell *got = opaque;
	uint64_t a;

	for (a = r->start; a <= r->last; a++) {
		assert_false(got[a].set);
		got[a].set = true;
		got[a].mr = r->mr;
		got[a].off = r->offset_in_region + (a - r->start);
		got[a].ro = r->readonly;
	}
	return false;
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245 + 12345;
	return (rnd_state >> 8) % n;
}

static void test_random_vs_model(void **state)
{
	int iter;

	(void)state;
	for (iter = 0; iter < 300; iter++) {
		MemoryRegion *r[24];
		struct model_cell want[SPACE], got[SPACE];
		AddressSpace as;
		int n = 0, i, step;

		r[n++] = cont_new("root", SPACE);
		while (n < 24) {
			int kind = (int)rnd(4);
			uint64_t size = 1 + rnd(64);
			char name[16];

			snprintf(name, sizeof(name), "r%d", n);
			if (kind == 0) {
				r[n] = cont_new(name, size);
			} else if (kind == 1 && n > 2) {
				MemoryRegion *t = r[1 + rnd((uint32_t)n - 1)];

				r[n] = alias_new(name, t, rnd(8), size);
			} else {
				r[n] = io_new(name, size);
			}
			n++;
		}
		address_space_init(&as, r[0], "rand");
		for (step = 0; step < 40; step++) {
			MemoryRegion *c = r[rnd(n)], *s = r[1 + rnd(n - 1)];

			if (s->container) {
				if (rnd(3) == 0)
					memory_region_del_subregion(s->container, s);
				else if (rnd(2))
					memory_region_set_enabled(s, !s->enabled);
				else
					memory_region_set_readonly(s, !s->readonly);
				continue;
			}
			if (c->alias || c == s || c->terminates)
				continue;
			{
				/* avoid cycles: s must not reach c */
				MemoryRegion *p;
				bool bad = false;

				for (p = c; p; p = p->container)
					if (p == s)
						bad = true;
				for (i = 1; i < n; i++)
					if (r[i]->alias == c || r[i]->alias == s)
						bad = true;
				if (bad)
					continue;
			}
			memory_region_add_subregion_overlap(c, rnd(SPACE), s,
							    (int)rnd(3) - 1);
		}
		memset(want, 0, sizeof(want));
		memset(got, 0, sizeof(got));
		model_render(r[0], 0, 0, SPACE, false, want);
		memdisp_flatview_walk(&as, model_cb, got);
		for (i = 0; i < SPACE; i++) {
			assert_int_equal(want[i].set, got[i].set);
			if (!want[i].set)
				continue;
			assert_ptr_equal(want[i].mr, got[i].mr);
			assert_int_equal(want[i].off, got[i].off);
			assert_int_equal(want[i].ro, got[i].ro);
		}
		address_space_destroy(&as);
		memdisp_flatview_reclaim();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_render_io_fills_gaps, teardown),
		cmocka_unit_test_teardown(test_render_container_holes, teardown),
		cmocka_unit_test_teardown(test_render_readonly_alias_rom_and_merge, teardown),
		cmocka_unit_test_teardown(test_render_alias_of_alias, teardown),
		cmocka_unit_test_teardown(test_commit_under_alias_target, teardown),
		cmocka_unit_test_teardown(test_render_trace_follows_edits,
					  teardown),
		cmocka_unit_test_teardown(test_render_self_alias, teardown),
		cmocka_unit_test_teardown(test_map_disabled_then_enable, teardown),
		cmocka_unit_test_teardown(test_render_clipping, teardown),
		cmocka_unit_test_teardown(test_render_disabled, teardown),
		cmocka_unit_test_teardown(test_render_romd, teardown),
		cmocka_unit_test_teardown(test_render_priorities, teardown),
		cmocka_unit_test_teardown(test_render_full_64bit, teardown),
		cmocka_unit_test_teardown(test_render_nonvolatile, teardown),
		cmocka_unit_test_teardown(test_flatview_sharing, teardown),
		cmocka_unit_test_teardown(test_moving_a_root, teardown),
		cmocka_unit_test_teardown(test_mtree_tree_groups_and_sections, teardown),
		cmocka_unit_test_teardown(test_listener_order_and_replay, teardown),
		cmocka_unit_test_teardown(test_transaction_nesting_and_noop, teardown),
		cmocka_unit_test_teardown(test_listener_filter_per_as, teardown),
		cmocka_unit_test_teardown(test_dirty_logging, teardown),
		cmocka_unit_test_teardown(test_eventfd_listener, teardown),
		cmocka_unit_test_teardown(test_coalesced_listener, teardown),
		cmocka_unit_test_teardown(test_queries, teardown),
		cmocka_unit_test_teardown(test_init_variants, teardown),
		cmocka_unit_test_teardown(test_iommu, teardown),
		cmocka_unit_test_teardown(test_object_owner_refs, teardown),
		cmocka_unit_test_teardown(test_notifier_eventfd_error, teardown),
		cmocka_unit_test_teardown(test_misuse, teardown),
		cmocka_unit_test_teardown(test_random_vs_model, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("memdisp-core", tests, NULL, NULL);
}
