// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: BAR0 (register file, PV-info page, GTT window; every access
 * trapped) and BAR2 (the aperture; plain memory, mmap-able).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vm_common.h"

#define BAR0	VFIO_PCI_BAR0_REGION_INDEX
#define BAR2	VFIO_PCI_BAR2_REGION_INDEX

static struct vm_dev dev;

static int bar_init(void)
{
	return vm_dev_setup(&dev, 2, true) ? -1 : 0;
}

static int bar_cleanup(void)
{
	vm_dev_teardown(&dev);
	return vm_suite_cleanup();
}

static uint32_t rd(uint32_t off)
{
	return vm_mmio_rd(&dev, off);
}

static void wr(uint32_t off, uint32_t v)
{
	vm_mmio_wr(&dev, off, v);
}

/* an access of @len bytes that must complete */
static void rd_n(uint32_t off, void *buf, size_t len)
{
	VM_EQ(gvt_vfio_region_read(&dev.d, BAR0, off, buf, len), len);
}

static void wr_n(uint32_t off, const void *buf, size_t len)
{
	VM_EQ(gvt_vfio_region_write(&dev.d, BAR0, off, buf, len), len);
}

static long long stat_get(const char *name)
{
	return vm_stat(dev.uuid, name);
}

/* ---- BAR0 ------------------------------------------------------------ */

static void test_identification(void)
{
	VM_EQ(rd(GVT_REG_ID), GVT_ID_MAGIC);
	VM_EQ(rd(GVT_REG_VERSION), GVT_VERSION_VALUE);
	VM_EQ(rd(GVT_REG_CAPS), GVT_CAPS_VALUE);
	VM_EQ(rd(GVT_REG_NUM_ENGINES), GVT_NUM_ENGINES);
	VM_EQ(rd(GVT_REG_GTT_ENTRIES), GVT_GTT_ENTRIES);
	VM_EQ(rd(GVT_REG_STATUS), 0);
	VM_EQ(rd(GVT_REG_ERROR), GVT_ERR_NONE);
	VM_EQ(rd(GVT_ENGINE_REG(GVT_ENGINE_RENDER, GVT_RING_STATUS)),
	      GVT_RING_STATUS_IDLE);
	VM_EQ(rd(GVT_ENGINE_REG(GVT_ENGINE_COPY, GVT_RING_STATUS)),
	      GVT_RING_STATUS_IDLE);
}

static void test_pvinfo(void)
{
	vm_check_pvinfo(&dev.d, dev.div);
}

static void test_scratch_access_sizes(void)
{
	uint8_t b[8];
	uint16_t h;
	uint32_t w;
	uint64_t q;

	wr(GVT_REG_SCRATCH, 0x12345678);
	VM_EQ(rd(GVT_REG_SCRATCH), 0x12345678);

	/* byte reads see little-endian lanes */
	rd_n(GVT_REG_SCRATCH + 0, &b[0], 1);
	rd_n(GVT_REG_SCRATCH + 3, &b[3], 1);
	VM_EQ(b[0], 0x78);
	VM_EQ(b[3], 0x12);
	/* a byte write changes its lane only */
	b[0] = 0xab;
	wr_n(GVT_REG_SCRATCH + 1, &b[0], 1);
	VM_EQ(rd(GVT_REG_SCRATCH), 0x1234ab78);
	/* word lanes */
	h = 0xcafe;
	wr_n(GVT_REG_SCRATCH + 2, &h, 2);
	VM_EQ(rd(GVT_REG_SCRATCH), 0xcafeab78);
	rd_n(GVT_REG_SCRATCH, &h, 2);
	VM_EQ(h, 0xab78);

	/*
	 * An 8-byte access covers SCRATCH and the unknown dword after it: it
	 * must succeed, carry SCRATCH in the low half and read 0 above it.
	 */
	q = 0;
	VM_OK(&dev.d, gvt_vfio_mmio_read64(&dev.d, GVT_REG_SCRATCH, &q));
	VM_EQ(q, 0xcafeab78ull);
	VM_OK(&dev.d, gvt_vfio_mmio_write64(&dev.d, GVT_REG_SCRATCH,
					    0x0badf00d87654321ull));
	VM_EQ(rd(GVT_REG_SCRATCH), 0x87654321);
	VM_EQ(rd(GVT_REG_SCRATCH + 4), 0);

	/* an unaligned 4-byte read splits into pieces and still works */
	w = 0;
	rd_n(GVT_REG_SCRATCH + 1, &w, 4);
	VM_EQ(w & 0x00ffffff, 0x876543);
	wr(GVT_REG_SCRATCH, 0);
}

static void test_read_only_registers(void)
{
	uint32_t id = rd(GVT_PV_VGPU_ID);

	wr(GVT_REG_ID, 0);
	VM_EQ(rd(GVT_REG_ID), GVT_ID_MAGIC);
	wr(GVT_REG_VERSION, 0xffffffff);
	VM_EQ(rd(GVT_REG_VERSION), GVT_VERSION_VALUE);
	wr(GVT_REG_GTT_ENTRIES, 1);
	VM_EQ(rd(GVT_REG_GTT_ENTRIES), GVT_GTT_ENTRIES);
	wr(GVT_PV_VGPU_ID, id + 1);
	VM_EQ(rd(GVT_PV_VGPU_ID), id);
	wr(GVT_PV_APERTURE_SIZE, 0);
	VM_EQ(rd(GVT_PV_APERTURE_SIZE),
	      gvt_vfio_region_size(&dev.d, BAR2));
	/* ring HEAD belongs to the engine */
	wr(GVT_ENGINE_REG(GVT_ENGINE_RENDER, GVT_RING_HEAD), 0x100);
	VM_EQ(rd(GVT_ENGINE_REG(GVT_ENGINE_RENDER, GVT_RING_HEAD)), 0);
}

static void test_ro_masks(void)
{
	uint32_t start = GVT_ENGINE_REG(GVT_ENGINE_RENDER, GVT_RING_START);
	uint32_t bstart = GVT_ENGINE_REG(GVT_ENGINE_COPY, GVT_RING_START);

	wr(GVT_REG_IER, 0xffffffff);
	VM_EQ(rd(GVT_REG_IER), GVT_IRQ_ALL);
	wr(GVT_REG_IER, 0);
	VM_EQ(rd(GVT_REG_IER), 0);

	/* ring START is a page address: its low 12 bits stay 0 */
	wr(start, 0xffffffff);
	VM_EQ(rd(start), 0xfffff000);
	wr(bstart, 0x12345678);
	VM_EQ(rd(bstart), 0x12345000);
	wr(start, 0);
	wr(bstart, 0);

	/* GTT_CTL has one bit; the plane stride is a multiple of 64 */
	wr(GVT_REG_GTT_CTL, 0xffffffff);
	VM_EQ(rd(GVT_REG_GTT_CTL), GVT_GTT_CTL_ENABLE);
	wr(GVT_REG_GTT_CTL, 0);
	wr(GVT_REG_PLANE_STRIDE, 0xffffffff);
	VM_EQ(rd(GVT_REG_PLANE_STRIDE), ~0xfffc003fu);
	wr(GVT_REG_PLANE_STRIDE, 0);
}

static void test_iir_write_one_clears(void)
{
	/*
	 * Nothing raised an interrupt, so IIR is 0; writing ones must not
	 * set bits in a W1C register.
	 */
	VM_EQ(rd(GVT_REG_IIR), 0);
	wr(GVT_REG_IIR, 0xffffffff);
	VM_EQ(rd(GVT_REG_IIR), 0);
	/* IIR_ACK is read-only: a write sets nothing anywhere */
	wr(GVT_REG_IIR_ACK, 0xffffffff);
	VM_EQ(rd(GVT_REG_IIR_ACK), 0);
	VM_EQ(rd(GVT_REG_IIR), 0);
	/* IMR resets to all masked and takes only defined bits */
	VM_EQ(rd(GVT_REG_IMR), GVT_IRQ_ALL);
	wr(GVT_REG_IMR, 0xffffffff);
	VM_EQ(rd(GVT_REG_IMR), GVT_IRQ_ALL);
}

static void test_unknown_offsets(void)
{
	static const uint32_t offs[] = {
		0x001c, 0x0034, 0x0ffc, 0x1034, 0x2020, 0x3014, 0x8000,
		GVT_MMIO_SIZE - 4, GVT_MMIO_SIZE, GVT_GTT_OFFSET - 4,
	};
	long long before = stat_get("mmio_unknown"), after;
	unsigned int i;
	uint8_t b = 0x5a;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		wr(offs[i], 0xffffffff);
		VM_EQ(rd(offs[i]), 0);
	}
	/* narrower accesses too */
	wr_n(0x8001, &b, 1);
	rd_n(0x8001, &b, 1);
	VM_EQ(b, 0);

	/* the model counts them; the counter is visible in sysfs */
	after = stat_get("mmio_unknown");
	CU_ASSERT(before >= 0);
	CU_ASSERT(after > before);
}

static void test_gtt_window(void)
{
	static const uint32_t idx[] = { 0, 1, 777, GVT_GTT_ENTRIES - 1 };
	uint64_t v, q;
	uint32_t lo, hi;
	unsigned int i;

	for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		uint32_t off = GVT_GTT_OFFSET + 8 * idx[i];

		v = 0x0123456789abc001ull ^ ((uint64_t)idx[i] << 12);
		/* whole 64-bit write, read back whole and in halves */
		VM_OK(&dev.d, gvt_vfio_mmio_write64(&dev.d, off, v));
		q = 0;
		VM_OK(&dev.d, gvt_vfio_mmio_read64(&dev.d, off, &q));
		VM_EQ(q, v);
		lo = rd(off);
		hi = rd(off + 4);
		VM_EQ(lo, (uint32_t)v);
		VM_EQ(hi, (uint32_t)(v >> 32));
		/* halves written separately make one PTE */
		wr(off, 0x11111003);
		wr(off + 4, 0x00000022);
		VM_OK(&dev.d, gvt_vfio_mmio_read64(&dev.d, off, &q));
		VM_EQ(q, 0x0000002211111003ull);
		VM_OK(&dev.d, gvt_vfio_mmio_write64(&dev.d, off, 0));
	}
	/* neighbours are separate entries */
	VM_OK(&dev.d, gvt_vfio_mmio_write64(&dev.d, GVT_GTT_OFFSET + 8, ~0ull));
	VM_OK(&dev.d, gvt_vfio_mmio_read64(&dev.d, GVT_GTT_OFFSET, &q));
	VM_EQ(q, 0);
	VM_OK(&dev.d, gvt_vfio_mmio_read64(&dev.d, GVT_GTT_OFFSET + 16, &q));
	VM_EQ(q, 0);
	VM_OK(&dev.d, gvt_vfio_mmio_write64(&dev.d, GVT_GTT_OFFSET + 8, 0));
}

static void test_bar0_bounds(void)
{
	uint32_t last = GVT_GTT_OFFSET + 8 * (GVT_GTT_ENTRIES - 1);
	uint8_t buf[16];
	uint64_t q = 0;

	memset(buf, 0xee, sizeof(buf));
	VM_OK(&dev.d, gvt_vfio_mmio_write64(&dev.d, last, 0x5555aaaa5555a001ull));
	/* starting past the end */
	VM_ERR(gvt_vfio_region_read(&dev.d, BAR0, GVT_BAR0_SIZE, buf, 4), EINVAL);
	VM_ERR(gvt_vfio_region_write(&dev.d, BAR0, GVT_BAR0_SIZE, buf, 4), EINVAL);
	VM_ERR(gvt_vfio_region_read(&dev.d, BAR0, GVT_BAR0_SIZE + 0x1000, buf, 1),
	       EINVAL);
	/* crossing the end: refused whole, nothing written */
	VM_ERR(gvt_vfio_region_read(&dev.d, BAR0, GVT_BAR0_SIZE - 4, buf, 8), EINVAL);
	VM_ERR(gvt_vfio_region_write(&dev.d, BAR0, GVT_BAR0_SIZE - 4, buf, 8), EINVAL);
	VM_ERR(gvt_vfio_region_write(&dev.d, BAR0, GVT_BAR0_SIZE - 1, buf, 2), EINVAL);
	VM_OK(&dev.d, gvt_vfio_mmio_read64(&dev.d, last, &q));
	VM_EQ(q, 0x5555aaaa5555a001ull);
	/* ending exactly at the end is fine */
	VM_EQ(gvt_vfio_region_read(&dev.d, BAR0, GVT_BAR0_SIZE - 1, buf, 1), 1);
	VM_OK(&dev.d, gvt_vfio_mmio_write64(&dev.d, last, 0));
}

static void test_timestamp_advances(void)
{
	struct timespec ms = { 0, 2 * 1000 * 1000 };
	uint64_t t0, t1;
	uint32_t lo, hi;

	/* LO latches HI, so read LO first */
	lo = rd(GVT_REG_TIMESTAMP_LO);
	hi = rd(GVT_REG_TIMESTAMP_HI);
	t0 = (uint64_t)hi << 32 | lo;
	nanosleep(&ms, NULL);
	lo = rd(GVT_REG_TIMESTAMP_LO);
	hi = rd(GVT_REG_TIMESTAMP_HI);
	t1 = (uint64_t)hi << 32 | lo;
	CU_ASSERT(t1 > t0);
	/* nanoseconds: 2 ms of sleep is at least 1 ms of GPU clock */
	CU_ASSERT(t1 - t0 >= 1000000);
	vm_note("timestamp advanced %llu ns over a 2 ms sleep",
		(unsigned long long)(t1 - t0));
	/* and it is read-only */
	wr(GVT_REG_TIMESTAMP_HI, 0xffffffff);
	CU_ASSERT(rd(GVT_REG_TIMESTAMP_HI) != 0xffffffff);
}

static void test_bar0_stats(void)
{
	long long r0 = stat_get("mmio_reads"), w0 = stat_get("mmio_writes");
	long long g0 = stat_get("gtt_writes");

	CU_ASSERT_FATAL(r0 >= 0 && w0 >= 0 && g0 >= 0);
	rd(GVT_REG_SCRATCH);
	wr(GVT_REG_SCRATCH, 1);
	wr(GVT_REG_SCRATCH, 0);
	wr(GVT_GTT_OFFSET, 0);
	CU_ASSERT(stat_get("mmio_reads") >= r0 + 1);
	CU_ASSERT(stat_get("mmio_writes") >= w0 + 2);
	CU_ASSERT(stat_get("gtt_writes") >= g0 + 1);
}

/* ---- BAR2 ------------------------------------------------------------ */

static uint64_t bar2_size(void)
{
	return gvt_vfio_region_size(&dev.d, BAR2);
}

static void test_bar2_rw(void)
{
	uint64_t size = bar2_size();
	uint64_t offs[3];
	uint8_t out[64], in[64];
	unsigned int i, j;

	CU_ASSERT_FATAL(size >= sizeof(out));
	offs[0] = 0;
	offs[1] = size / 2 + 3;		/* unaligned, mid-region */
	offs[2] = size - sizeof(out);	/* up to the last byte */
	for (i = 0; i < 3; i++) {
		for (j = 0; j < sizeof(out); j++)
			out[j] = (uint8_t)(i * 64 + j * 7 + 1);
		VM_EQ(gvt_vfio_region_write(&dev.d, BAR2, offs[i], out, sizeof(out)),
		      sizeof(out));
		memset(in, 0, sizeof(in));
		VM_EQ(gvt_vfio_region_read(&dev.d, BAR2, offs[i], in, sizeof(in)),
		      sizeof(in));
		CU_ASSERT(!memcmp(in, out, sizeof(in)));
	}
}

static void test_bar2_bounds(void)
{
	uint64_t size = bar2_size();
	uint8_t buf[8] = { 0 };

	VM_ERR(gvt_vfio_region_read(&dev.d, BAR2, size, buf, 1), EINVAL);
	VM_ERR(gvt_vfio_region_write(&dev.d, BAR2, size, buf, 1), EINVAL);
	VM_ERR(gvt_vfio_region_read(&dev.d, BAR2, size - 4, buf, 8), EINVAL);
	VM_ERR(gvt_vfio_region_write(&dev.d, BAR2, size - 4, buf, 8), EINVAL);
}

static void test_bar2_mmap(void)
{
	uint64_t size = bar2_size();
	volatile uint32_t *p;
	uint32_t v = 0;
	void *map = NULL;
	int ret;

	ret = gvt_vfio_mmap_region(&dev.d, BAR2, 0, size,
				   PROT_READ | PROT_WRITE, &map);
	VM_OK_FATAL(&dev.d, ret);
	p = map;

	/* mmap -> pread */
	p[0] = 0xa1b2c3d4;
	p[size / 4 - 1] = 0x01020304;
	VM_EQ(gvt_vfio_region_read(&dev.d, BAR2, 0, &v, 4), 4);
	VM_EQ(v, 0xa1b2c3d4);
	VM_EQ(gvt_vfio_region_read(&dev.d, BAR2, size - 4, &v, 4), 4);
	VM_EQ(v, 0x01020304);

	/* pwrite -> mmap, on a page in the middle */
	v = 0x55667788;
	VM_EQ(gvt_vfio_region_write(&dev.d, BAR2, size / 2, &v, 4), 4);
	VM_EQ(p[size / 8], 0x55667788);

	/* a second mapping of one page at an offset sees the same memory */
	{
		void *m2 = NULL;

		ret = gvt_vfio_mmap_region(&dev.d, BAR2, size / 2, GVT_PAGE_SIZE,
					   PROT_READ, &m2);
		VM_OK(&dev.d, ret);
		if (!ret) {
			VM_EQ(*(volatile uint32_t *)m2, 0x55667788);
			munmap(m2, GVT_PAGE_SIZE);
		}
	}
	munmap(map, size);
}

static void test_bar2_mmap_bounds(void)
{
	uint64_t size = bar2_size();
	void *map = NULL;
	int ret;

	ret = gvt_vfio_mmap_region(&dev.d, BAR2, 0, size + GVT_PAGE_SIZE,
				   PROT_READ | PROT_WRITE, &map);
	CU_ASSERT(ret < 0);
	if (!ret)
		munmap(map, size + GVT_PAGE_SIZE);
	ret = gvt_vfio_mmap_region(&dev.d, BAR2, size, GVT_PAGE_SIZE,
				   PROT_READ, &map);
	CU_ASSERT(ret < 0);
	if (!ret)
		munmap(map, GVT_PAGE_SIZE);
	ret = gvt_vfio_mmap_region(&dev.d, BAR2, size - GVT_PAGE_SIZE,
				   2 * GVT_PAGE_SIZE, PROT_READ, &map);
	CU_ASSERT(ret < 0);
	if (!ret)
		munmap(map, 2 * GVT_PAGE_SIZE);
}

static void test_bar0_not_mappable(void)
{
	void *map = NULL;
	int ret;

	ret = gvt_vfio_mmap_region(&dev.d, BAR0, 0, GVT_PAGE_SIZE, PROT_READ,
				   &map);
	CU_ASSERT(ret < 0);
	if (!ret)
		munmap(map, GVT_PAGE_SIZE);
	ret = gvt_vfio_mmap_region(&dev.d, VFIO_PCI_CONFIG_REGION_INDEX, 0,
				   GVT_PAGE_SIZE, PROT_READ, &map);
	CU_ASSERT(ret < 0);
	if (!ret)
		munmap(map, GVT_PAGE_SIZE);
}

int vm_register_bar_suites(void)
{
	static const struct vm_test bar0[] = {
		{ "identification and status registers", test_identification },
		{ "PV-info page matches the V1_2 type", test_pvinfo },
		{ "SCRATCH round trip with 1/2/4/8-byte accesses", test_scratch_access_sizes },
		{ "read-only registers ignore writes", test_read_only_registers },
		{ "ro_mask: IER, ring START, GTT_CTL, plane stride", test_ro_masks },
		{ "IIR is write-1-to-clear, IMR resets masked", test_iir_write_one_clears },
		{ "unknown offsets read 0, ignore writes, are counted", test_unknown_offsets },
		{ "GTT window: 64-bit PTEs round trip, whole and in halves", test_gtt_window },
		{ "bounds: past or across the end of BAR0 is EINVAL", test_bar0_bounds },
		{ "timestamp advances in ns and is read-only", test_timestamp_advances },
		{ "sysfs stats count register and GTT accesses", test_bar0_stats },
		{ NULL, NULL }
	};
	static const struct vm_test bar2[] = {
		{ "pread/pwrite round trip at start, middle, end", test_bar2_rw },
		{ "bounds: past or across the end of BAR2 is EINVAL", test_bar2_bounds },
		{ "mmap shared: writes visible to pread and back", test_bar2_mmap },
		{ "mmap beyond the region fails", test_bar2_mmap_bounds },
		{ "BAR0 and config space cannot be mmap-ed", test_bar0_not_mappable },
		{ NULL, NULL }
	};
	int ret;

	ret = vm_add_suite("BAR0 registers", bar_init, bar_cleanup, bar0);
	if (!ret)
		ret = vm_add_suite("BAR2 aperture", bar_init, bar_cleanup, bar2);
	return ret;
}
