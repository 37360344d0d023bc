// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * e2e.c - end-to-end tests of the kernel mirror, run inside the VM
 *
 *   e2e nomod    attach must fail with "not loaded" (module absent)
 *   e2e          the suite (module loaded): TAP on stdout
 *   e2e bench    "bench: NAME VALUE UNIT" lines
 *   e2e victim   (internal) a child that pushes big maps until killed
 *
 * Reference: the library's address_space_translate (status, terminal
 * region id, offset in the region, clipped length), completed by its flat
 * view (memdisp_flatview_walk, binary search) for what translate does not
 * return: section type, permission and host address.  For each sampled
 * address the kernel's TRANSLATE must agree on all of them.
 *
 *   e2e maps DIR  the real machine maps: every DIR/NAME.treeD.txt (QEMU 7.2
 *                 "info mtree -D" of the oracle, hints in DIR/NAME.hints)
 *                 rebuilt as tools/mtree-replay does, every address
 *                 space in it mirrored and compared
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include <memdisp/memory.h>
#include <memdisp/kernel.h>
#include "../../uapi/linux/memdisp.h"
#include "../../tools/mtree_build.h"
#include "../common/tap.h"



static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---------------------------------------------------------------------- */
/* Reference view. */

struct ref {
	struct memdisp_flat_range *v;
	size_t n, cap;
};

static bool ref_cb(const struct memdisp_flat_range *r, void *opaque)
{
	struct ref *f = opaque;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 256;
		f->v = realloc(f->v, f->cap * sizeof(*f->v));
		if (!f->v)
			abort();
	}
	f->v[f->n++] = *r;
	return false;
}

static void ref_load(struct ref *f, AddressSpace *as)
{
	f->n = 0;
	memdisp_flatview_walk(as, ref_cb, f);
}

/* Index of the range holding @a, or -1; *@next = first range above. */
static long ref_find(const struct ref *f, uint64_t a, long *next)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (f->v[mid].last < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	*next = lo < f->n ? (long)lo : -1;
	if (lo < f->n && f->v[lo].start <= a)
		return (long)lo;
	return -1;
}

static uint32_t sec_type(const struct memdisp_flat_range *r)
{
	uint32_t t = memdisp_kernel_map_kind(r->mr);

	if (r->mr->rom_device)
		t = r->romd_mode ? MEMDISP_SEC_ROMD : MEMDISP_SEC_MMIO;
	return t;
}

/* Expected translation of a non-IOMMU address; false if IOMMU. */
static bool expect(const struct ref *f, uint64_t a, uint64_t len,
		   struct memdisp_kernel_xlat *x)
{
	long next, i = ref_find(f, a, &next);
	const struct memdisp_flat_range *r;
	uint8_t *host;

	memset(x, 0, sizeof(*x));
	if (i < 0) {
		x->status = MEMDISP_XLAT_UNASSIGNED;
		x->perm = MEMDISP_PERM_RW;
		x->len = len;
		if (next >= 0 && f->v[next].start - a < len)
			x->len = f->v[next].start - a;
		return true;
	}
	r = &f->v[i];
	x->type = sec_type(r);
	if (x->type == MEMDISP_SEC_IOMMU)
		return false;
	x->status = MEMDISP_XLAT_OK;
	x->region_id = (uintptr_t)r->mr;
	x->offset = r->offset_in_region + (a - r->start);
	x->len = len - 1 > r->last - a ? r->last - a + 1 : len;
	x->perm = (x->type == MEMDISP_SEC_ROM || r->readonly) ?
		  MEMDISP_PERM_READ : MEMDISP_PERM_RW;
	if (x->type != MEMDISP_SEC_MMIO) {
		host = memory_region_get_ram_ptr(r->mr);
		if (host)
			x->hva = (uintptr_t)(host + x->offset);
	}
	return true;
}

/*
 * The reference proper: address_space_translate gives status, region,
 * offset and clipped length.  Returns false when it disagrees with the
 * flat-view expectation @x already holds (then the library is wrong).
 */
static bool expect_translate(AddressSpace *as, uint64_t a, uint64_t len,
			     bool wr, struct memdisp_kernel_xlat *x)
{
	hwaddr xlat = 0, plen = len;
	MemoryRegion *mr;

	mr = address_space_translate(as, a, &xlat, &plen, wr,
				     MEMTXATTRS_UNSPECIFIED);
	if (!mr) {
		if (x->status != MEMDISP_XLAT_UNASSIGNED)
			return false;
		x->len = plen;
		return true;
	}
	if (x->status != MEMDISP_XLAT_OK)
		return false;
	x->region_id = (uintptr_t)mr;
	x->offset = xlat;
	x->len = plen;
	return true;
}

static uint64_t sample_addr(const struct ref *f)
{
	const struct memdisp_flat_range *r;
	uint64_t top;

	if (!f->n || rnd() % 4 == 0) {
		top = f->n ? f->v[f->n - 1].last : 0;
		if (top > (1ULL << 40) || !top)
			return rnd();
		return rnd() % (top + 0x100000);
	}
	r = &f->v[rnd() % f->n];
	switch (rnd() % 4) {
	case 0:
		return r->start;
	case 1:
		return r->last;
	case 2:
		return r->last + 1;
	default:
		/* a range may cover all 2^64 addresses: no modulo then */
		if (r->last - r->start + 1 == 0)
			return rnd();
		return r->start + rnd() % (r->last - r->start + 1);
	}
}

/*
 * Compare @n random translations of @k's view with the kernel's.
 * Return the number of mismatches (first few printed).
 */
static long compare(MemdispKernelAS *k, AddressSpace *as, long n,
		    long *checked)
{
	struct ref f = { 0 };
	long bad = 0, i;
	Error *err = NULL;

	ref_load(&f, as);
	*checked = 0;
	for (i = 0; i < n; i++) {
		uint64_t a = sample_addr(&f);
		uint64_t len = 1 + rnd() % 16;
		bool wr = rnd() & 1;
		struct memdisp_kernel_xlat want, got;

		if (rnd() % 64 == 0)
			len = 1 + rnd() % (1ULL << 20);
		if (a + len - 1 < a)
			len = -a;
		if (!len)
			len = 1;
		if (!expect(&f, a, len, &want))
			continue;
		if (!expect_translate(as, a, len, wr, &want)) {
			if (bad < 5)
				diag("library disagrees with itself at %#llx: address_space_translate vs flat view",
				     (unsigned long long)a);
			bad++;
			continue;
		}
		if (memdisp_kernel_translate(k, a, len, wr, &got, &err) < 0) {
			diag("translate %#llx: %s", (unsigned long long)a,
			     error_get_pretty(err));
			error_free(err);
			err = NULL;
			bad++;
			continue;
		}
		(*checked)++;
		if (got.status != want.status || got.len != want.len ||
		    (want.status == MEMDISP_XLAT_OK &&
		     (got.type != want.type || got.region_id != want.region_id ||
		      got.offset != want.offset || got.hva != want.hva ||
		      got.perm != want.perm))) {
			if (bad < 5)
				diag("mismatch at %#llx len %llu: kernel st %u type %u region %#llx off %#llx len %#llx perm %u hva %#llx; library st %u type %u region %#llx off %#llx len %#llx perm %u hva %#llx",
				     (unsigned long long)a,
				     (unsigned long long)len, got.status,
				     got.type,
				     (unsigned long long)got.region_id,
				     (unsigned long long)got.offset,
				     (unsigned long long)got.len, got.perm,
				     (unsigned long long)got.hva, want.status,
				     want.type,
				     (unsigned long long)want.region_id,
				     (unsigned long long)want.offset,
				     (unsigned long long)want.len, want.perm,
				     (unsigned long long)want.hva);
			bad++;
		}
	}
	free(f.v);
	return bad;
}

static long samples = 100000;

static void check_map(MemdispKernelAS *k, AddressSpace *as, const char *what)
{
	Error *err = NULL;
	long checked, bad;

	if (memdisp_kernel_check(k, &err) < 0) {
		tap(false, "%s: mirror in sync (%s)", what,
		    error_get_pretty(err));
		error_free(err);
		return;
	}
	bad = compare(k, as, samples, &checked);
	tap(bad == 0 && checked > samples / 2,
	    "%s: %ld kernel translations equal the library's (%ld mismatches)",
	    what, checked, bad);
}

/* ---------------------------------------------------------------------- */
/* A small PC-like machine. */

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
	(void)opaque;
	(void)size;
	return addr;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t data,
		       unsigned size)
{
	(void)opaque;
	(void)addr;
	(void)data;
	(void)size;
}

static const MemoryRegionOps mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
	.endianness = DEVICE_LITTLE_ENDIAN,
};

#define NPAM 13
#define IOMMU_PAGES (256u << 20)	/* iova below this is mapped */

struct pc {
	MemoryRegion sysmem, ram, below, above, pci, vga_low, vram, vga_win,
		bios, isa_bios, e1000, pflash, hole, dma_root, smram, extra[8];
	MemoryRegion pam_ram[NPAM], pam_pci[NPAM];
	IOMMUMemoryRegion iommu;
	AddressSpace as, dma;
	uint64_t remap;		/* iova -> iova + remap in the IOMMU */
};

static struct pc *the_pc;

static IOMMUTLBEntry pc_iommu_translate(IOMMUMemoryRegion *iommu,
					hwaddr addr, IOMMUAccessFlags flag,
					int idx)
{
	IOMMUTLBEntry e = {
		.target_as = &the_pc->as,
		.iova = addr & ~0xfffULL,
		.translated_addr = (addr & ~0xfffULL) + the_pc->remap,
		.addr_mask = 0xfff,
		.perm = IOMMU_NONE,
	};

	(void)iommu;
	(void)flag;
	(void)idx;
	if (addr < IOMMU_PAGES)
		e.perm = ((addr >> 12) % 3 == 1) ? IOMMU_RO : IOMMU_RW;
	return e;
}

static const IOMMUMemoryRegionClass pc_iommu_class = {
	.translate = pc_iommu_translate,
};

static void pc_build(struct pc *p)
{
	int i;

	the_pc = p;
	memdisp_iommu_class_register("e2e-iommu", &pc_iommu_class);
	memory_region_init(&p->sysmem, NULL, "system", UINT64_MAX);
	memory_region_init_ram(&p->ram, NULL, "pc.ram", 512 << 20,
			       &error_abort);
	memory_region_init_alias(&p->below, NULL, "ram-below-4g", &p->ram, 0,
				 384 << 20);
	memory_region_add_subregion(&p->sysmem, 0, &p->below);
	memory_region_init_alias(&p->above, NULL, "ram-above-4g", &p->ram,
				 384 << 20, 128 << 20);
	memory_region_add_subregion(&p->sysmem, 1ULL << 32, &p->above);
	memory_region_init(&p->pci, NULL, "pci", UINT64_MAX);
	memory_region_add_subregion_overlap(&p->sysmem, 0, &p->pci, -1);
	memory_region_init_io(&p->vga_low, NULL, &mmio_ops, p, "vga-lowmem",
			      0x20000);
	memory_region_add_subregion_overlap(&p->pci, 0xa0000, &p->vga_low, 1);
	memory_region_init_ram(&p->vram, NULL, "vga.vram", 16 << 20,
			       &error_abort);
	memory_region_add_subregion(&p->pci, 0xfd000000, &p->vram);
	memory_region_init_alias(&p->vga_win, NULL, "vga.bank", &p->vram, 0,
				 0x10000);
	memory_region_add_subregion_overlap(&p->pci, 0xa0000, &p->vga_win, 2);
	memory_region_init_rom(&p->bios, NULL, "pc.bios", 256 << 10,
			       &error_abort);
	memory_region_add_subregion(&p->sysmem, 0xfffc0000, &p->bios);
	memory_region_init_alias(&p->isa_bios, NULL, "isa-bios", &p->bios,
				 128 << 10, 128 << 10);
	memory_region_add_subregion_overlap(&p->pci, 0xe0000, &p->isa_bios, 1);
	memory_region_init_io(&p->e1000, NULL, &mmio_ops, p, "e1000-mmio",
			      0x20000);
	memory_region_add_subregion(&p->pci, 0xfebc0000, &p->e1000);
	memory_region_init_rom_device(&p->pflash, NULL, &mmio_ops, p,
				      "pflash", 1 << 20, &error_abort);
	memory_region_add_subregion(&p->sysmem, 0xffd00000, &p->pflash);
	memory_region_init_io(&p->hole, NULL, NULL, p, "unassigned-hole",
			      0x1000);
	memory_region_add_subregion(&p->pci, 0xfee00000, &p->hole);
	/* The legacy VGA window shows PCI over RAM, as the SMRAM alias does. */
	memory_region_init_alias(&p->smram, NULL, "smram-region", &p->pci,
				 0xa0000, 0x20000);
	memory_region_add_subregion_overlap(&p->sysmem, 0xa0000, &p->smram, 1);
	/* PAM: 16K windows over 0xc0000..0xfffff, RAM or PCI. */
	for (i = 0; i < NPAM; i++) {
		uint64_t a = 0xc0000 + i * 0x4000ULL;

		if (a >= 0x100000)
			break;
		memory_region_init_alias(&p->pam_ram[i], NULL, "pam-ram",
					 &p->ram, a, 0x4000);
		memory_region_set_enabled(&p->pam_ram[i], false);
		memory_region_add_subregion_overlap(&p->sysmem, a,
						    &p->pam_ram[i], 1);
		memory_region_init_alias(&p->pam_pci[i], NULL, "pam-pci",
					 &p->pci, a, 0x4000);
		memory_region_add_subregion_overlap(&p->sysmem, a,
						    &p->pam_pci[i], 1);
	}
	address_space_init(&p->as, &p->sysmem, "memory");
	/* DMA: an IOMMU in front of system memory. */
	memory_region_init(&p->dma_root, NULL, "dma-root", UINT64_MAX);
	memory_region_init_iommu(&p->iommu, sizeof(p->iommu), "e2e-iommu",
				 NULL, "e2e-iommu", 1ULL << 32);
	memory_region_add_subregion(&p->dma_root, 0,
				    MEMORY_REGION(&p->iommu));
	address_space_init(&p->dma, &p->dma_root, "dma");
}

/* ---------------------------------------------------------------------- */
/* A generated map of @n sections (RAM / MMIO / ROM aliases with gaps). */

struct big {
	MemoryRegion root, ram, mmio;
	MemoryRegion *subs;
	size_t n;
	AddressSpace as;
};

static void big_build(struct big *b, size_t n, const char *name)
{
	size_t i;

	b->n = n;
	b->subs = calloc(n, sizeof(*b->subs));
	memory_region_init(&b->root, NULL, name, UINT64_MAX);
	memory_region_init_ram(&b->ram, NULL, "big.ram", n * 0x1000,
			       &error_abort);
	memory_region_init_io(&b->mmio, NULL, &mmio_ops, b, "big.mmio",
			      n * 0x1000);
	memory_region_transaction_begin();
	for (i = 0; i < n; i++) {
		MemoryRegion *src = (i % 3 == 2) ? &b->mmio : &b->ram;

		memory_region_init_alias(&b->subs[i], NULL, "big.win", src,
					 i * 0x1000, 0x1000);
		if (i % 5 == 4)
			memory_region_set_readonly(&b->subs[i], true);
		memory_region_add_subregion(&b->root, i * 0x2000, &b->subs[i]);
	}
	memory_region_transaction_commit();
	address_space_init(&b->as, &b->root, name);
}

/* ---------------------------------------------------------------------- */
/* Module statistics, over our own socket (the mirror may be closed). */

struct mstats {
	uint64_t v[MEMDISP_STATS_A_MAX + 1];
};

static int stats_cb(struct nl_msg *msg, void *arg)
{
	struct mstats *s = arg;
	struct nlattr *tb[MEMDISP_A_MAX + 1], *st[MEMDISP_STATS_A_MAX + 1];
	int i;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MEMDISP_A_MAX, NULL) < 0 ||
	    !tb[MEMDISP_A_STATS] ||
	    nla_parse_nested(st, MEMDISP_STATS_A_MAX, tb[MEMDISP_A_STATS],
			     NULL) < 0)
		return NL_SKIP;
	for (i = 1; i <= MEMDISP_STATS_A_MAX; i++)
		s->v[i] = st[i] ? nla_get_u64(st[i]) : 0;
	return NL_OK;
}

static int get_stats(struct mstats *s)
{
	struct nl_sock *sk = nl_socket_alloc();
	int fam, ret = -1;

	memset(s, 0, sizeof(*s));
	if (!sk || genl_connect(sk) < 0)
		goto out;
	fam = genl_ctrl_resolve(sk, MEMDISP_GENL_NAME);
	if (fam < 0)
		goto out;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, stats_cb, s);
	if (genl_send_simple(sk, fam, MEMDISP_CMD_STATS_GET,
			     MEMDISP_GENL_VERSION, NLM_F_ACK) < 0)
		goto out;
	ret = nl_recvmsgs_default(sk) < 0 ? -1 : 0;
	if (!ret)
		nl_wait_for_ack(sk);
out:
	nl_socket_free(sk);
	return ret;
}

/*
 * Publish @n maps from another process (another owner, as far as our
 * mirror is concerned): each announces a map change on the event group.
 * Return 0 or -1.
 */
static long spam_map_changes(long n)
{
	char arg[32];
	int status;
	pid_t pid;

	snprintf(arg, sizeof(arg), "%ld", n);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "e2e", "spam", arg, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -EIO;
	return 0;
}

static int spam(long n)
{
	MemoryRegion r, io;
	AddressSpace as;
	MemdispKernelAS *k;
	long i;

	memory_region_init(&r, NULL, "spam-root", 0x100000);
	memory_region_init_io(&io, NULL, &mmio_ops, NULL, "spam-io", 0x1000);
	memory_region_add_subregion(&r, 0x1000, &io);
	address_space_init(&as, &r, "spam");
	k = memdisp_kernel_attach(&as, "e2e-spammer", &error_abort);
	for (i = 0; i < n; i++)
		if (memdisp_kernel_resync(k, NULL) < 0)
			return 1;
	memdisp_kernel_detach(k);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Tests. */

static void t_pc(void)
{
	struct pc *p = calloc(1, sizeof(*p));
	MemdispKernelAS *k, *kd;
	struct memdisp_kernel_xlat x;
	struct memdisp_kernel_stats st0, st1;
	Error *err = NULL;
	int i, n;

	pc_build(p);
	k = memdisp_kernel_attach(&p->as, "e2e-memory", &err);
	tap(k != NULL, "attach the PC machine's memory address space%s%s",
	    err ? ": " : "", err ? error_get_pretty(err) : "");
	if (!k) {
		error_free(err);
		return;
	}
	tap(memdisp_kernel_as_id(k) != 0 && memdisp_kernel_generation(k) >= 1,
	    "kernel id %u, generation %llu after the first push",
	    memdisp_kernel_as_id(k),
	    (unsigned long long)memdisp_kernel_generation(k));
	check_map(k, &p->as, "pc after attach");

	memdisp_kernel_get_stats(&st0);
	memory_region_set_enabled(&p->e1000, false);
	memdisp_kernel_get_stats(&st1);
	memory_region_set_enabled(&p->e1000, true);
	tap(st1.delta_pushes == st0.delta_pushes + 1 &&
	    st1.full_pushes == st0.full_pushes,
	    "a one-region change is one MAP_DELTA (deltas %llu->%llu, full %llu->%llu)",
	    (unsigned long long)st0.delta_pushes,
	    (unsigned long long)st1.delta_pushes,
	    (unsigned long long)st0.full_pushes,
	    (unsigned long long)st1.full_pushes);
	check_map(k, &p->as, "disable vga window");
	memory_region_set_enabled(&p->vga_win, true);
	check_map(k, &p->as, "enable vga window");
	memory_region_set_address(&p->e1000, 0xfeb00000);
	check_map(k, &p->as, "move e1000 BAR");
	memory_region_set_size(&p->vram, 8 << 20);
	check_map(k, &p->as, "resize vram");
	memory_region_set_alias_offset(&p->vga_win, 0x10000);
	check_map(k, &p->as, "vga bank switch (alias offset)");
	memory_region_rom_device_set_romd(&p->pflash, false);
	check_map(k, &p->as, "pflash leaves romd mode");
	memory_region_rom_device_set_romd(&p->pflash, true);
	memory_region_set_readonly(&p->below, true);
	check_map(k, &p->as, "ram below 4G read-only");
	memory_region_set_readonly(&p->below, false);
	/* PAM: all RAM, then alternate, as firmware does. */
	memory_region_transaction_begin();
	for (i = 0; i < NPAM; i++) {
		memory_region_set_enabled(&p->pam_ram[i], true);
		memory_region_set_enabled(&p->pam_pci[i], false);
	}
	memory_region_transaction_commit();
	check_map(k, &p->as, "PAM: shadow RAM enabled (one transaction)");
	memory_region_transaction_begin();
	for (i = 0; i < NPAM; i += 2) {
		memory_region_set_enabled(&p->pam_ram[i], false);
		memory_region_set_enabled(&p->pam_pci[i], true);
	}
	memory_region_transaction_commit();
	check_map(k, &p->as, "PAM: every other window back to PCI");
	for (i = 0; i < 8; i++) {
		memory_region_init_io(&p->extra[i], NULL, &mmio_ops, p,
				      "hotplug", 0x1000 << i);
		memory_region_add_subregion_overlap(&p->pci,
						    0xe0000000 + i * 0x100000,
						    &p->extra[i], i & 1);
	}
	check_map(k, &p->as, "subregions added");
	memory_region_del_subregion(&p->pci, &p->extra[3]);
	memory_region_del_subregion(&p->pci, &p->extra[6]);
	check_map(k, &p->as, "subregions deleted");
	memory_region_transaction_begin();
	for (i = 0; i < 200; i++) {
		MemoryRegion *m = &p->extra[rnd() % 8];

		if (!m->container)
			continue;
		switch (rnd() % 3) {
		case 0:
			memory_region_set_enabled(m, rnd() & 1);
			break;
		case 1:
			memory_region_set_address(m, 0xe0000000 +
						  (rnd() % 64) * 0x80000);
			break;
		default:
			memory_region_set_enabled(&p->pam_ram[rnd() % NPAM],
						  rnd() & 1);
		}
	}
	memory_region_transaction_commit();
	check_map(k, &p->as, "a transaction with 200 random edits");
	memory_region_set_log(&p->vram, true, DIRTY_MEMORY_VGA);
	memory_region_transaction_begin();
	memory_region_transaction_commit();
	memdisp_kernel_translate(k, 0xfd000000, 1, false, &x, NULL);
	tap(x.status == MEMDISP_XLAT_OK &&
	    (x.sec_flags & MEMDISP_SEC_F_DIRTY_LOG),
	    "dirty logging on vram shows as a section flag (flags %#x)",
	    x.sec_flags);
	memory_region_set_log(&p->vram, false, DIRTY_MEMORY_VGA);
	memdisp_kernel_translate(k, 0xfd000000, 1, false, &x, NULL);
	tap(x.status == MEMDISP_XLAT_OK &&
	    !(x.sec_flags & MEMDISP_SEC_F_DIRTY_LOG),
	    "and goes away when logging stops (flags %#x)", x.sec_flags);

	/* Resync after someone else changed our map behind our back: the
	 * mirror's generation no longer matches. */
	{
		uint64_t g = memdisp_kernel_generation(k);

		memdisp_kernel_resync(k, NULL);
		tap(memdisp_kernel_generation(k) == g + 1,
		    "explicit resync republishes (generation %llu -> %llu)",
		    (unsigned long long)g,
		    (unsigned long long)memdisp_kernel_generation(k));
	}

	/* IOMMU. */
	kd = memdisp_kernel_attach(&p->dma, "e2e-dma", &err);
	tap(kd != NULL, "attach the DMA address space behind the IOMMU%s%s",
	    err ? ": " : "", err ? error_get_pretty(err) : "");
	if (!kd) {
		error_free(err);
		goto out;
	}
	memdisp_kernel_process_events(0, NULL);
	memdisp_kernel_translate(kd, 0x5008, 4, false, &x, NULL);
	tap(x.status == MEMDISP_XLAT_IOTLB_MISS &&
	    x.iommu_id == memdisp_kernel_iommu_id(&p->iommu) && x.iommu_id &&
	    x.iova == 0x5008,
	    "IOTLB miss before any fill (status %u iommu %u iova %#llx)",
	    x.status, x.iommu_id, (unsigned long long)x.iova);
	n = memdisp_kernel_process_events(2000, &err);
	tap(n == 1, "the miss event is answered by the translate callback (%d fills)%s%s",
	    n, err ? ": " : "", err ? error_get_pretty(err) : "");
	memdisp_kernel_translate(kd, 0x5008, 4, false, &x, NULL);
	{
		struct memdisp_kernel_xlat want;
		struct ref f = { 0 };

		ref_load(&f, &p->as);
		expect(&f, 0x5008 + p->remap, 4, &want);
		tap(x.status == MEMDISP_XLAT_OK && x.depth == 1 &&
		    x.as_id == memdisp_kernel_as_id(k) &&
		    x.region_id == want.region_id && x.offset == want.offset &&
		    x.hva == want.hva,
		    "hit after fill lands in system memory (status %u depth %u region ok %d)",
		    x.status, x.depth, x.region_id == want.region_id);
		free(f.v);
	}
	memdisp_kernel_translate(kd, 0x1000, 4, true, &x, NULL);
	memdisp_kernel_process_events(2000, NULL);
	memdisp_kernel_translate(kd, 0x1000, 4, true, &x, NULL);
	tap(x.status == MEMDISP_XLAT_DENIED,
	    "write through a read-only IOTLB entry is denied (status %u)",
	    x.status);
	memdisp_kernel_translate(kd, IOMMU_PAGES + 0x3000, 1, false, &x, NULL);
	n = memdisp_kernel_process_events(2000, NULL);
	memdisp_kernel_translate(kd, IOMMU_PAGES + 0x3000, 1, false, &x, NULL);
	{
		int again = memdisp_kernel_process_events(300, NULL);

		tap(n == 0 && x.status == MEMDISP_XLAT_IOTLB_MISS && again == 0,
		    "an unmapped iova gets no entry and the kernel stops asking (fills %d, then %d)",
		    n, again);
	}
	/* Invalidation through the IOMMU notifier. */
	{
		IOMMUTLBEvent ev = {
			.type = IOMMU_NOTIFIER_UNMAP,
			.entry = { .target_as = &p->as, .iova = 0x5000,
				   .addr_mask = 0xfff, .perm = IOMMU_NONE },
		};

		memory_region_notify_iommu(&p->iommu, 0, ev);
		memdisp_kernel_translate(kd, 0x5008, 4, false, &x, NULL);
		tap(x.status == MEMDISP_XLAT_IOTLB_MISS,
		    "invalidation (notifier UNMAP) drops the entry (status %u)",
		    x.status);
		p->remap = 0x100000;
		ev.type = IOMMU_NOTIFIER_MAP;
		ev.entry.translated_addr = 0x5000 + p->remap;
		ev.entry.perm = IOMMU_RW;
		memory_region_notify_iommu(&p->iommu, 0, ev);
		memdisp_kernel_translate(kd, 0x5008, 4, false, &x, NULL);
		tap(x.status == MEMDISP_XLAT_OK && x.addr == 0x105008,
		    "a MAP notification installs the new translation without a miss (addr %#llx)",
		    (unsigned long long)x.addr);
	}
	/* Overrun the event socket: the mirror must notice and resync. */
	{
		struct memdisp_kernel_stats a, b;
		uint64_t iova;
		long i;

		memdisp_kernel_process_events(0, NULL);
		memdisp_kernel_get_stats(&a);
		/* Misses of a few pages wait while another owner's address
		 * space publishes (and announces) many maps. */
		for (i = 0; i < 8; i++)
			memdisp_kernel_translate(kd, 0x1000000 + i * 0x1000, 1,
						 false, &x, NULL);
		i = spam_map_changes(30000);
		if (i)
			diag("spam_map_changes: %s", strerror((int)-i));
		memdisp_kernel_process_events(0, NULL);
		memdisp_kernel_get_stats(&b);
		tap(b.lost_events > a.lost_events && b.resyncs > a.resyncs,
		    "lost events (ENOBUFS) are detected and force a resync (lost %llu, resyncs %llu -> %llu)",
		    (unsigned long long)(b.lost_events - a.lost_events),
		    (unsigned long long)a.resyncs,
		    (unsigned long long)b.resyncs);
		iova = 0x1000000 + 5 * 0x1000;
		memdisp_kernel_translate(kd, iova, 1, false, &x, NULL);
		n = memdisp_kernel_process_events(2000, NULL);
		memdisp_kernel_translate(kd, iova, 1, false, &x, NULL);
		tap(x.status == MEMDISP_XLAT_OK && n == 1,
		    "after the overrun a miss is raised again and filled (status %u, fills %d)",
		    x.status, n);
		check_map(k, &p->as, "memory map after the overrun resync");
	}
	memdisp_kernel_detach(kd);
out:
	memdisp_kernel_detach(k);
	address_space_destroy(&p->dma);
	address_space_destroy(&p->as);
}

static void t_big(size_t n, long nsamples)
{
	struct big *b = calloc(1, sizeof(*b));
	MemdispKernelAS *k;
	Error *err = NULL;
	char name[64];
	long save = samples;
	size_t i;

	snprintf(name, sizeof(name), "e2e-big-%zu", n);
	big_build(b, n, name);
	k = memdisp_kernel_attach(&b->as, name, &err);
	tap(k != NULL, "attach a %zu-section map (chunked push)%s%s", n,
	    err ? ": " : "", err ? error_get_pretty(err) : "");
	if (!k) {
		error_free(err);
		return;
	}
	samples = nsamples;
	check_map(k, &b->as, name);
	memory_region_transaction_begin();
	for (i = 0; i < n / 10; i++)
		memory_region_set_enabled(&b->subs[rnd() % n], false);
	memory_region_transaction_commit();
	check_map(k, &b->as, "10% of the windows disabled in one commit");
	memory_region_set_enabled(&b->subs[n / 2], true);
	memory_region_set_enabled(&b->subs[n / 2], false);
	check_map(k, &b->as, "one window toggled");
	samples = save;
	memdisp_kernel_detach(k);
	address_space_destroy(&b->as);
}

static void t_errors(void)
{
	MemoryRegion r;
	AddressSpace as;
	MemdispKernelAS *k, *k2;
	Error *err = NULL;

	memory_region_init(&r, NULL, "err-root", 0x10000);
	address_space_init(&as, &r, "err");
	k = memdisp_kernel_attach(&as, "", &err);
	tap(!k && err && strstr(error_get_pretty(err), "1..63"),
	    "empty kernel name refused: %s", err ? error_get_pretty(err) : "");
	error_free(err);
	err = NULL;
	k = memdisp_kernel_attach(&as, NULL, &err);
	k2 = memdisp_kernel_attach(&as, NULL, &err);
	tap(k && !k2 && err, "attaching twice refused: %s",
	    err ? error_get_pretty(err) : "");
	error_free(err);
	err = NULL;
	{
		struct memdisp_kernel_xlat x;
		int ret = memdisp_kernel_translate(k, 0, 0, false, &x, &err);

		tap(ret < 0 && err && strstr(error_get_pretty(err), "kernel:"),
		    "kernel error carries errno and extack: %s",
		    err ? error_get_pretty(err) : "");
		error_free(err);
		err = NULL;
	}
	memdisp_kernel_detach(k);
	address_space_destroy(&as);
}

static int victim(void)
{
	struct big *b = calloc(1, sizeof(*b));
	MemdispKernelAS *k;
	unsigned long i;

	big_build(b, 100000, "victim");
	k = memdisp_kernel_attach(&b->as, "victim", &error_abort);
	printf("victim ready\n");
	fflush(stdout);
	for (i = 0;; i++) {
		/* Large changes: each commit is a chunked full push. */
		memory_region_transaction_begin();
		memory_region_set_enabled(&b->subs[i % 7], i & 1);
		memory_region_set_address(&b->subs[i % 100000],
					  (1ULL << 40) + i * 0x1000);
		memory_region_transaction_commit();
		memdisp_kernel_resync(k, NULL);
	}
	return 0;
}

static void t_crash(const char *self)
{
	struct mstats s0, s1;
	int status, tries;
	pid_t pid;

	/* Wait for earlier sockets' teardown to settle. */
	for (tries = 0; tries < 50; tries++) {
		if (get_stats(&s0) < 0) {
			tap(false, "stats before the victim");
			return;
		}
		usleep(100000);
		get_stats(&s1);
		if (!memcmp(&s0.v[MEMDISP_STATS_A_LIVE_AS], &s1.v[MEMDISP_STATS_A_LIVE_AS],
			    5 * sizeof(uint64_t)))
			break;
	}
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", self, "victim", (char *)NULL);
		_exit(127);
	}
	/* Let it attach and publish, then catch it inside a chunked push. */
	for (tries = 0; tries < 6000; tries++) {
		get_stats(&s1);
		if (s1.v[MEMDISP_STATS_A_PUBLISHES] >=
		    s0.v[MEMDISP_STATS_A_PUBLISHES] + 3 &&
		    s1.v[MEMDISP_STATS_A_LIVE_TXNS] > s0.v[MEMDISP_STATS_A_LIVE_TXNS])
			break;
		usleep(5000);
	}
	diag("victim mid-update: live as %llu maps %llu txns %llu",
	     (unsigned long long)s1.v[MEMDISP_STATS_A_LIVE_AS],
	     (unsigned long long)s1.v[MEMDISP_STATS_A_LIVE_MAPS],
	     (unsigned long long)s1.v[MEMDISP_STATS_A_LIVE_TXNS]);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	tap(s1.v[MEMDISP_STATS_A_LIVE_TXNS] > s0.v[MEMDISP_STATS_A_LIVE_TXNS],
	    "the victim was killed with a chunked map transaction open");
	for (tries = 0; tries < 100; tries++) {
		get_stats(&s1);
		if (s1.v[MEMDISP_STATS_A_LIVE_AS] == s0.v[MEMDISP_STATS_A_LIVE_AS] &&
		    s1.v[MEMDISP_STATS_A_LIVE_MAPS] == s0.v[MEMDISP_STATS_A_LIVE_MAPS] &&
		    s1.v[MEMDISP_STATS_A_LIVE_TXNS] == s0.v[MEMDISP_STATS_A_LIVE_TXNS] &&
		    s1.v[MEMDISP_STATS_A_LIVE_IOMMUS] == s0.v[MEMDISP_STATS_A_LIVE_IOMMUS])
			break;
		usleep(100000);
	}
	tap(WIFSIGNALED(status) &&
	    s1.v[MEMDISP_STATS_A_LIVE_AS] == s0.v[MEMDISP_STATS_A_LIVE_AS] &&
	    s1.v[MEMDISP_STATS_A_LIVE_MAPS] == s0.v[MEMDISP_STATS_A_LIVE_MAPS] &&
	    s1.v[MEMDISP_STATS_A_LIVE_TXNS] == s0.v[MEMDISP_STATS_A_LIVE_TXNS] &&
	    s1.v[MEMDISP_STATS_A_LIVE_IOMMUS] == s0.v[MEMDISP_STATS_A_LIVE_IOMMUS],
	    "emulator killed mid-update leaves nothing (live as %llu maps %llu txns %llu iommus %llu, before %llu/%llu/%llu/%llu)",
	    (unsigned long long)s1.v[MEMDISP_STATS_A_LIVE_AS],
	    (unsigned long long)s1.v[MEMDISP_STATS_A_LIVE_MAPS],
	    (unsigned long long)s1.v[MEMDISP_STATS_A_LIVE_TXNS],
	    (unsigned long long)s1.v[MEMDISP_STATS_A_LIVE_IOMMUS],
	    (unsigned long long)s0.v[MEMDISP_STATS_A_LIVE_AS],
	    (unsigned long long)s0.v[MEMDISP_STATS_A_LIVE_MAPS],
	    (unsigned long long)s0.v[MEMDISP_STATS_A_LIVE_TXNS],
	    (unsigned long long)s0.v[MEMDISP_STATS_A_LIVE_IOMMUS]);
}

/* ---------------------------------------------------------------------- */
/* Benchmarks. */

static double xlat_ns(MemdispKernelAS *k, uint64_t a)
{
	struct memdisp_kernel_xlat x;
	double t = now_ns();

	memdisp_kernel_translate(k, a, 1, false, &x, NULL);
	return now_ns() - t;
}

static void bench_commit(size_t n)
{
	struct big *b = calloc(1, sizeof(*b));
	struct memdisp_kernel_xlat x;
	MemdispKernelAS *k;
	double t, commit = 0, serve = 0, delta = 0, full = 0, rtt = 0;
	char name[64];
	int i, j, reps = n > 10000 ? 5 : 20;
	uint64_t a = (n / 2) * 0x2000;

	snprintf(name, sizeof(name), "bench-%zu", n);
	fprintf(stderr, "# bench %zu: building\n", n);
	big_build(b, n, name);
	k = memdisp_kernel_attach(&b->as, name, &error_abort);
	fprintf(stderr, "# bench %zu: attached\n", n);
	for (i = 0; i < reps; i++) {
		bool en = i & 1;

		struct ref f = { 0 };
		long nx;

		t = now_ns();
		memory_region_set_enabled(&b->subs[n / 2], en);
		commit += now_ns() - t;
		/* What the library now shows there (outside the timing). */
		ref_load(&f, &b->as);
		en = ref_find(&f, a, &nx) >= 0;
		free(f.v);
		/* Poll until the kernel serves the new map. */
		t = now_ns();
		for (j = 0; j < 1000; j++) {
			memdisp_kernel_translate(k, a, 1, false, &x, NULL);
			if ((x.status == MEMDISP_XLAT_OK) == en)
				break;
		}
		if (j == 1000) {
			Error *e = NULL;

			memdisp_kernel_check(k, &e);
			printf("# warning: rep %d: kernel never served the change (status %u, gen %llu%s%s)\n",
			       i, x.status,
			       (unsigned long long)memdisp_kernel_generation(k),
			       e ? ": " : "", e ? error_get_pretty(e) : "");
			error_free(e);
		}
		serve += now_ns() - t;
		rtt += xlat_ns(k, a);
	}
	fprintf(stderr, "# bench %zu: commit-to-served done\n", n);
	/* Delta vs full push of the same one-region change. */
	for (i = 0; i < reps; i++) {
		struct memdisp_kernel_stats s0, s1;

		memdisp_kernel_get_stats(&s0);
		t = now_ns();
		memory_region_set_enabled(&b->subs[n / 3], i & 1);
		delta += now_ns() - t;
		memdisp_kernel_get_stats(&s1);
		if (s1.delta_pushes != s0.delta_pushes + 1)
			printf("# warning: change was not a delta\n");
		t = now_ns();
		memdisp_kernel_resync(k, NULL);
		full += now_ns() - t;
	}
	printf("bench: commit_to_served_%zu %.1f us\n", n,
	       (commit + serve) / reps / 1e3);
	printf("bench: commit_call_%zu %.1f us\n", n, commit / reps / 1e3);
	printf("bench: served_after_commit_%zu %.1f us\n", n,
	       serve / reps / 1e3);
	printf("bench: translate_rtt_%zu %.1f us\n", n, rtt / reps / 1e3);
	printf("bench: delta_commit_%zu %.1f us\n", n, delta / reps / 1e3);
	printf("bench: full_push_%zu %.1f us\n", n, full / reps / 1e3);
	printf("bench: full_over_delta_%zu %.1f x\n", n, full / delta);
	memdisp_kernel_detach(k);
	address_space_destroy(&b->as);
}

static void bench_miss(void)
{
	struct pc *p = calloc(1, sizeof(*p));
	struct memdisp_kernel_xlat x;
	MemdispKernelAS *k, *kd;
	double t, fill = 0, hit = 0;
	int i, reps = 200;

	fprintf(stderr, "# bench miss\n");
	pc_build(p);
	k = memdisp_kernel_attach(&p->as, "bench-memory", &error_abort);
	kd = memdisp_kernel_attach(&p->dma, "bench-dma", &error_abort);
	for (i = 0; i < reps; i++) {
		uint64_t iova = 0x100000 + (uint64_t)i * 0x3000;

		t = now_ns();
		memdisp_kernel_translate(kd, iova, 1, false, &x, NULL);
		memdisp_kernel_process_events(1000, NULL);
		memdisp_kernel_translate(kd, iova, 1, false, &x, NULL);
		fill += now_ns() - t;
		if (x.status != MEMDISP_XLAT_OK)
			printf("# warning: no hit after fill at %#llx\n",
			       (unsigned long long)iova);
		hit += xlat_ns(kd, iova);
	}
	printf("bench: miss_to_fill %.1f us\n", (fill - hit) / reps / 1e3);
	printf("bench: iotlb_hit_translate_rtt %.1f us\n", hit / reps / 1e3);
	memdisp_kernel_detach(kd);
	memdisp_kernel_detach(k);
}

static volatile sig_atomic_t hold_stop;

static void hold_sig(int sig)
{
	(void)sig;
	hold_stop = 1;
}

/* Keep the PC machine mirrored and answer misses until SIGTERM. */
static int hold(void)
{
	struct pc *p = calloc(1, sizeof(*p));
	MemdispKernelAS *k, *kd;

	pc_build(p);
	k = memdisp_kernel_attach(&p->as, "hold-memory", &error_abort);
	kd = memdisp_kernel_attach(&p->dma, "hold-dma", &error_abort);
	signal(SIGTERM, hold_sig);
	printf("ready iommu %u\n", memdisp_kernel_iommu_id(&p->iommu));
	fflush(stdout);
	while (!hold_stop)
		memdisp_kernel_process_events(100, NULL);
	memdisp_kernel_detach(kd);
	memdisp_kernel_detach(k);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The oracle's real machine maps (QEMU 7.2 dumps), rebuilt and mirrored. */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (!r)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

static void hint_warn(void *ctx, const char *msg)
{
	(void)ctx;
	diag("hints: %s", msg);
}

/* Does section @s name the address space @want? */
static bool as_named(const struct mt_section *s, const char *want)
{
	size_t j;

	for (j = 0; j < s->n_as; j++)
		if (!strcmp(s->as_names[j], want))
			return true;
	return false;
}

/*
 * One real machine map: every address space of the dump (each group of
 * names sharing a root counts once) is rebuilt, mirrored and compared.
 * "memory" (else "cpu-memory-0", else the first) gets half of the samples,
 * the others share the rest (at least 1,000 each); addresses under IOMMU
 * sections are left to the e2e suite's own machines.
 */
static void t_map(const char *dir, const char *name)
{
	char path[512], err[MT_ERR_LEN];
	struct mt_dump *d = NULL;
	MemoryRegion **mrs = NULL;
	AddressSpace *as = NULL;
	MemdispKernelAS **k = NULL;
	struct mt_section **secs = NULL;
	long checked, total = 0, main_checked = 0, bad = 0, n, rest;
	size_t nas = 0, i, a, main_as = 0;
	bool ok = true;
	char *buf;
	size_t len;
	Error *e = NULL;

	snprintf(path, sizeof(path), "%s/%s.treeD.txt", dir, name);
	buf = slurp(path, &len);
	if (!buf) {
		tap(false, "map %s: cannot read %s", name, path);
		return;
	}
	if (mt_parse(buf, len, path, &d, err)) {
		free(buf);
		tap(false, "map %s: %s", name, err);
		return;
	}
	free(buf);
	snprintf(path, sizeof(path), "%s/%s.hints", dir, name);
	buf = slurp(path, &len);
	if (!buf) {
		tap(false, "map %s: cannot read %s", name, path);
		goto out;
	}
	if (mt_apply_hints(d, buf, len, path, hint_warn, NULL, err)) {
		free(buf);
		tap(false, "map %s: %s", name, err);
		goto out;
	}
	free(buf);
	mrs = mtb_build(d, name, NULL, NULL, err);
	if (!mrs) {
		tap(false, "map %s: %s", name, err);
		goto out;
	}
	secs = calloc(d->nsecs + 1, sizeof(*secs));
	as = calloc(d->nsecs + 1, sizeof(*as));
	k = calloc(d->nsecs + 1, sizeof(*k));
	if (!secs || !as || !k)
		abort();
	for (i = 0; i < d->nsecs; i++) {
		struct mt_section *s = d->secs[i];

		if (!s->is_as || !s->root || !s->n_as)
			continue;
		secs[nas] = s;
		address_space_init(&as[nas], mrs[mt_class(s->root)->index],
				   s->as_names[0]);
		nas++;
	}
	for (a = nas; a-- > 0;)
		if (as_named(secs[a], "cpu-memory-0"))
			main_as = a;
	for (a = nas; a-- > 0;)
		if (as_named(secs[a], "memory"))
			main_as = a;
	rest = nas > 1 ? samples / 2 / (long)(nas - 1) : 0;
	for (a = 0; a < nas; a++) {
		char kname[64];

		snprintf(kname, sizeof(kname), "map-%.24s-%zu", name, a);
		k[a] = memdisp_kernel_attach(&as[a], kname, &e);
		if (!k[a]) {
			diag("map %s: attach %s: %s", name,
			     secs[a]->as_names[0], error_get_pretty(e));
			error_free(e);
			e = NULL;
			ok = false;
			continue;
		}
		if (memdisp_kernel_check(k[a], &e) < 0) {
			diag("map %s: %s not in sync: %s", name,
			     secs[a]->as_names[0], error_get_pretty(e));
			error_free(e);
			e = NULL;
			ok = false;
			continue;
		}
		n = a == main_as ? (nas > 1 ? samples / 2 : samples) : rest;
		if (n < 1000)
			n = 1000;
		bad += compare(k[a], &as[a], n, &checked);
		if (checked < n / 2) {
			diag("map %s: %s: %ld of %ld samples outside IOMMU sections",
			     name, secs[a]->as_names[0], checked, n);
		}
		total += checked;
		if (a == main_as)
			main_checked = checked;
	}
	tap(ok && nas && bad == 0 && total >= samples / 2,
	    "map %s: %zu address spaces, %ld kernel translations (%ld on %s) equal address_space_translate (%ld mismatches)",
	    name, nas, total, main_checked,
	    nas ? secs[main_as]->as_names[0] : "-", bad);
	for (a = 0; a < nas; a++) {
		memdisp_kernel_detach(k[a]);
		address_space_destroy(&as[a]);
	}
out:
	free(k);
	free(as);
	free(secs);
	free(mrs);
	mt_free(d);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int t_maps(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (!dp) {
		tap(false, "maps: cannot open %s", dir);
		return 1;
	}
	while ((de = readdir(dp))) {
		size_t l = strlen(de->d_name);
		const char *suf = ".treeD.txt";

		if (l <= strlen(suf) || strcmp(de->d_name + l - strlen(suf), suf))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = strndup(de->d_name, l - strlen(suf));
	}
	closedir(dp);
	if (!n)
		tap(false, "maps: no *.treeD.txt in %s", dir);
	qsort(names, n, sizeof(*names), name_cmp);
	diag("maps: every address space of each dump compared; addresses under IOMMU regions are left to the suite's own machines");
	for (i = 0; i < n; i++) {
		t_map(dir, names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	Error *err = NULL;

	if (getenv("E2E_SAMPLES"))
		samples = atol(getenv("E2E_SAMPLES"));
	if (!strcmp(mode, "victim"))
		return victim();
	if (!strcmp(mode, "hold"))
		return hold();
	if (!strcmp(mode, "spam") && argc > 2)
		return spam(atol(argv[2]));
	if (!strcmp(mode, "runas") && argc > 3) {
		/* e2e runas UID PROG ARGS...: drop to UID (no capabilities). */
		uid_t uid = (uid_t)atoi(argv[2]);

		if (setgid(uid) || setuid(uid))
			return 126;
		execvp(argv[3], argv + 3);
		return 127;
	}
	if (!strcmp(mode, "bench")) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		printf("# e2e bench (in the VM, TCG: compare ratios only)\n");
		bench_commit(1000);
		bench_commit(100000);
		bench_miss();
		return 0;
	}
	printf("TAP version 13\n");
	if (!strcmp(mode, "maps") && argc > 2) {
		t_maps(argv[2]);
		printf("1..%d\n", tap_n);
		return tap_fail != 0;
	}
	if (!strcmp(mode, "nomod")) {
		MemoryRegion r;
		AddressSpace as;
		MemdispKernelAS *k;

		memory_region_init(&r, NULL, "root", 0x1000);
		address_space_init(&as, &r, "nomod");
		k = memdisp_kernel_attach(&as, NULL, &err);
		tap(!k && err && strstr(error_get_pretty(err), "not loaded"),
		    "attach without the module fails and says so: %s",
		    err ? error_get_pretty(err) : "(no error)");
		printf("1..%d\n", tap_n);
		return tap_fail != 0;
	}
	t_errors();
	t_pc();
	t_big(1000, samples);
	t_big(100000, samples / 4);
	t_crash(argv[0]);
	printf("1..%d\n", tap_n);
	return tap_fail != 0;
}
