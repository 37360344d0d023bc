// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pc-machine: a small PC-like machine built with libmemdisp, the way a QEMU
 * board and its devices build theirs.  It prints the region tree and the
 * flattened view of every address space in QEMU's `info mtree` formats, and
 * shows what a few edits (a PAM-style toggle, a BAR move) change.
 *
 *   system (container, 2^64)
 *     ram-below-4g   alias of pc.ram [0, 3 GiB)
 *     ram-above-4g   alias of pc.ram [3 GiB, 4 GiB) at 4 GiB
 *     pci            container (prio -1): PCI address space behind the hole
 *       vga-lowmem   alias of vga.vram at 0xa0000 (prio 1)
 *       e1000-mmio   MMIO BAR at 0xfebc0000
 *       isa-bios     alias of pc.bios at 0xe0000 (prio 1)
 *       pc.bios      ROM at 0xfffc0000
 *     pam-rom        readonly alias of pci [0xe0000, 0x100000) (prio 1): a
 *                    PAM-style window that lets the BIOS show below 1 MiB
 *   io (I/O ports, an io region with subregions: its name fills the gaps)
 *   dma-e1000 address space: an IOMMU in front of the system memory
 *
 * With --kernel it also mirrors the address spaces into memdisp.ko (which
 * must be loaded) and runs memdispctl to show the kernel's copy: its maps,
 * translations of sample addresses, an edit arriving as a delta, and an
 * IOMMU miss that the library fills from the IOMMU's translate callback.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memdisp/memory.h>
#include <memdisp/kernel.h>

#define GiB (1024ULL * 1024 * 1024)
#define MiB (1024ULL * 1024)
#define KiB 1024ULL

struct e1000 {
	MemoryRegion mmio;
	uint32_t regs[32];
};

static uint64_t e1000_read(void *opaque, hwaddr addr, unsigned size)
{
	struct e1000 *s = opaque;

	(void)size;
	return s->regs[(addr / 4) % 32];
}

static void e1000_write(void *opaque, hwaddr addr, uint64_t data,
			unsigned size)
{
	struct e1000 *s = opaque;

	(void)size;
	s->regs[(addr / 4) % 32] = (uint32_t)data;
}

static const MemoryRegionOps e1000_ops = {
	.read = e1000_read,
	.write = e1000_write,
	.endianness = DEVICE_LITTLE_ENDIAN,
	.valid = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t ioport_read(void *opaque, hwaddr addr, unsigned size)
{
	(void)opaque;
	(void)addr;
	(void)size;
	return ~0ULL;
}

static void ioport_write(void *opaque, hwaddr addr, uint64_t data,
			 unsigned size)
{
	(void)opaque;
	(void)addr;
	(void)data;
	(void)size;
}

static const MemoryRegionOps ioport_ops = {
	.read = ioport_read,
	.write = ioport_write,
	.endianness = DEVICE_LITTLE_ENDIAN,
};

/*
 * A toy IOMMU: device address D maps to guest physical 1 GiB + D for the
 * first 16 MiB, read-write; everything else is not mapped.
 */
static IOMMUTLBEntry toy_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
				   IOMMUAccessFlags flag, int iommu_idx);

static AddressSpace as_memory, as_io, as_dma;
static MemdispKernelAS *kmem, *kdma;

static IOMMUTLBEntry toy_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
				   IOMMUAccessFlags flag, int iommu_idx)
{
	IOMMUTLBEntry e = {
		.target_as = &as_memory,
		.iova = addr & ~0xfffULL,
		.addr_mask = 0xfff,
		.perm = IOMMU_NONE,
	};

	(void)iommu;
	(void)flag;
	(void)iommu_idx;
	if (addr < 16 * MiB) {
		e.translated_addr = 1 * GiB + e.iova;
		e.perm = IOMMU_RW;
	}
	return e;
}

static const IOMMUMemoryRegionClass toy_iommu_class = {
	.translate = toy_translate,
};

static void show(const char *title, bool flat)
{
	printf("\n### %s\n\n", title);
	fflush(stdout);
	mtree_info(flat, false, false, false);
	fflush(stdout);
}

/* Run "memdispctl ARGS" from the directory of this program, else $PATH. */
static char ctl_path[4096] = "memdispctl";

static void ctl(const char *args)
{
	char cmd[8192];
	int rc;

	printf("\n$ memdispctl %s\n", args);
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "%s %s", ctl_path, args);
	rc = system(cmd);
	if (rc != 0)
		printf("(memdispctl exited with status %d)\n", rc);
	fflush(stdout);
}

static void find_ctl(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	if (slash)
		snprintf(ctl_path, sizeof(ctl_path), "%.*s/memdispctl",
			 (int)(slash - argv0), argv0);
}

static void die(Error *err)
{
	fprintf(stderr, "pc-machine: %s\n", error_get_pretty(err));
	error_free(err);
	exit(1);
}

static void kernel_demo(void)
{
	Error *err = NULL;
	int n;

	printf("\n### Mirroring into memdisp.ko\n");
	kmem = memdisp_kernel_attach(&as_memory, NULL, &err);
	if (!kmem)
		die(err);
	kdma = memdisp_kernel_attach(&as_dma, NULL, &err);
	if (!kdma)
		die(err);
	printf("attached \"memory\" as kernel address space %u and \"e1000\" as %u\n",
	       memdisp_kernel_as_id(kmem), memdisp_kernel_as_id(kdma));

	ctl("as list");
	ctl("as show memory");
	printf("\nThe BIOS through the readonly PAM window, RAM, the NIC's BAR, the PCI hole:\n");
	ctl("translate memory 0xe0000 16");
	ctl("translate memory 0xe0000 4 --write");
	ctl("translate memory 0x100000 4096");
	ctl("translate memory 0xfebc0004 4");
	ctl("translate memory 0xd0000000 4");

	printf("\nThe NIC's DMA goes through the IOMMU; the kernel has no IOTLB entry yet:\n");
	ctl("translate e1000 0x2000 8");
	/*
	 * The kernel queues the miss event from a work item, and other events
	 * (map changes) may be ahead of it: wait up to 5 s for the miss.
	 */
	n = 0;
	for (int tries = 0; n == 0 && tries < 50; tries++) {
		n = memdisp_kernel_process_events(100, &err);
		if (n < 0)
			die(err);
	}
	printf("\nThe library answered %d IOTLB miss(es) from the IOMMU's translate callback.\n", n);
	ctl("translate e1000 0x2000 8");

	printf("\nClose the PAM window and move the BAR in one transaction: one delta.\n");
}

static void kernel_after_edit(void)
{
	struct memdisp_kernel_stats st;

	ctl("as show memory");
	ctl("translate memory 0xe0000 4 --write");
	ctl("translate memory 0xfe000000 4");
	ctl("stats");
	memdisp_kernel_get_stats(&st);
	printf("\nlibrary side: %llu full push(es), %llu delta push(es), %llu IOTLB miss(es) filled, %llu failure(s)\n",
	       (unsigned long long)st.full_pushes,
	       (unsigned long long)st.delta_pushes,
	       (unsigned long long)st.fills,
	       (unsigned long long)st.failures);
}

int main(int argc, char **argv)
{
	bool kernel = argc > 1 && !strcmp(argv[1], "--kernel");
	static MemoryRegion system, pc_ram, ram_below, ram_above, pci;
	static MemoryRegion vga_vram, vga_lowmem, bios, isa_bios, pam, io, pic;
	static MemoryRegion dma_root;
	static IOMMUMemoryRegion iommu;
	static struct e1000 nic;
	Error *err = NULL;

	/* Guest RAM: 4 GiB, split around the PCI hole at 3 GiB. */
	memory_region_init(&system, NULL, "system", UINT64_MAX);
	memory_region_init_ram(&pc_ram, NULL, "pc.ram", 4 * GiB, &err);
	if (err) {
		fprintf(stderr, "pc-machine: %s\n", error_get_pretty(err));
		return 1;
	}
	memory_region_init_alias(&ram_below, NULL, "ram-below-4g", &pc_ram,
				 0, 3 * GiB);
	memory_region_init_alias(&ram_above, NULL, "ram-above-4g", &pc_ram,
				 3 * GiB, 1 * GiB);
	memory_region_add_subregion(&system, 0, &ram_below);
	memory_region_add_subregion(&system, 4 * GiB, &ram_above);

	/* The PCI address space shows through wherever RAM does not cover. */
	memory_region_init(&pci, NULL, "pci", UINT64_MAX);
	memory_region_add_subregion_overlap(&system, 0, &pci, -1);

	/* Legacy VGA window: an alias of the VRAM over the RAM at 0xa0000. */
	memory_region_init_ram(&vga_vram, NULL, "vga.vram", 16 * MiB, &err);
	if (err) {
		fprintf(stderr, "pc-machine: %s\n", error_get_pretty(err));
		return 1;
	}
	memory_region_init_alias(&vga_lowmem, NULL, "vga-lowmem", &vga_vram,
				 0, 128 * KiB);
	memory_region_add_subregion_overlap(&system, 0xa0000, &vga_lowmem, 1);

	/* BIOS ROM at the top of 4 GiB, and its last 128 KiB below 1 MiB. */
	memory_region_init_rom(&bios, NULL, "pc.bios", 256 * KiB, &err);
	if (err) {
		fprintf(stderr, "pc-machine: %s\n", error_get_pretty(err));
		return 1;
	}
	memory_region_add_subregion(&pci, 0xfffc0000, &bios);
	memory_region_init_alias(&isa_bios, NULL, "isa-bios", &bios,
				 128 * KiB, 128 * KiB);
	memory_region_add_subregion_overlap(&pci, 0xe0000, &isa_bios, 1);

	/*
	 * RAM covers 0xe0000 too; as on a PC's chipset, a readonly window of
	 * higher priority decides whether the CPU sees the BIOS or the RAM.
	 */
	memory_region_init_alias(&pam, NULL, "pam-rom", &pci, 0xe0000,
				 128 * KiB);
	memory_region_set_readonly(&pam, true);
	memory_region_add_subregion_overlap(&system, 0xe0000, &pam, 1);

	/* A NIC's MMIO BAR in the PCI hole. */
	memory_region_init_io(&nic.mmio, NULL, &e1000_ops, &nic, "e1000-mmio",
			      128 * KiB);
	memory_region_add_subregion(&pci, 0xfebc0000, &nic.mmio);

	/* I/O ports: "io" answers every port no device claims. */
	memory_region_init_io(&io, NULL, &ioport_ops, NULL, "io", 65536);
	memory_region_init_io(&pic, NULL, &ioport_ops, NULL, "pic", 2);
	memory_region_add_subregion(&io, 0x20, &pic);

	/* The NIC's DMA goes through an IOMMU into system memory. */
	memdisp_iommu_class_register("toy-iommu", &toy_iommu_class);
	memory_region_init(&dma_root, NULL, "e1000-dma", UINT64_MAX);
	memory_region_init_iommu(&iommu, sizeof(iommu), "toy-iommu", NULL,
				 "toy-iommu", UINT64_MAX);
	memory_region_add_subregion(&dma_root, 0, MEMORY_REGION(&iommu));

	address_space_init(&as_memory, &system, "memory");
	address_space_init(&as_io, &io, "I/O");
	address_space_init(&as_dma, &dma_root, "e1000");

	if (argc > 1 && !kernel) {
		fprintf(stderr, "usage: pc-machine [--kernel]\n");
		return 2;
	}
	find_ctl(argv[0]);

	show("info mtree", false);
	show("info mtree -f", true);
	if (kernel)
		kernel_demo();

	/*
	 * Edits, as firmware and guests make them: the BIOS write-enables
	 * shadow RAM at 0xe0000 (the PAM window closes) and the guest
	 * moves the NIC's BAR, in one transaction: one re-render.
	 */
	memory_region_transaction_begin();
	memory_region_set_enabled(&pam, false);
	memory_region_set_address(&nic.mmio, 0xfe000000);
	memory_region_transaction_commit();
	show("info mtree -f after closing the PAM window and moving the BAR", true);
	if (kernel)
		kernel_after_edit();

	memdisp_kernel_detach(kdma);
	memdisp_kernel_detach(kmem);
	address_space_destroy(&as_dma);
	address_space_destroy(&as_io);
	address_space_destroy(&as_memory);
	return 0;
}
