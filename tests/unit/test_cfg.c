// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the vGPU's PCI configuration space as a guest (or the VMM
 * probing it) sees it through gvt_model_rw(GVT_SPACE_CFG, ...).
 */
#include <stdint.h>
#include <linux/pci_regs.h>
#include <CUnit/CUnit.h>
#include "gvt_model.h"
#include "unit.h"

#define MSI	GVT_CFG_MSI_OFFSET
#define VNDR	GVT_CFG_VNDR_OFFSET

static u32 rd8(u32 off) { return ut_rd(GVT_SPACE_CFG, off, 1); }
static u32 rd16(u32 off) { return ut_rd(GVT_SPACE_CFG, off, 2); }
static u32 rd32(u32 off) { return ut_rd(GVT_SPACE_CFG, off, 4); }
static void wr8(u32 off, u32 v) { ut_wr(GVT_SPACE_CFG, off, 1, v); }
static void wr16(u32 off, u32 v) { ut_wr(GVT_SPACE_CFG, off, 2, v); }
static void wr32(u32 off, u32 v) { ut_wr(GVT_SPACE_CFG, off, 4, v); }

static void test_identity(void)
{
	ut_fresh();
	CU_ASSERT_EQUAL(rd16(PCI_VENDOR_ID), GVT_PCI_VENDOR_ID);
	CU_ASSERT_EQUAL(rd16(PCI_DEVICE_ID), GVT_PCI_DEVICE_ID);
	CU_ASSERT_EQUAL(rd32(PCI_VENDOR_ID),
			GVT_PCI_VENDOR_ID | (GVT_PCI_DEVICE_ID << 16));
	CU_ASSERT_EQUAL(rd8(PCI_REVISION_ID), GVT_PCI_REVISION);
	CU_ASSERT_EQUAL(rd8(PCI_CLASS_PROG), GVT_PCI_CLASS & 0xff);
	CU_ASSERT_EQUAL(rd16(PCI_CLASS_DEVICE), GVT_PCI_CLASS >> 8);
	CU_ASSERT_EQUAL(rd32(PCI_CLASS_REVISION) >> 8, GVT_PCI_CLASS);
	CU_ASSERT_EQUAL(rd8(PCI_HEADER_TYPE), PCI_HEADER_TYPE_NORMAL);
	CU_ASSERT_EQUAL(rd16(PCI_SUBSYSTEM_VENDOR_ID), GVT_PCI_SUBVENDOR_ID);
	CU_ASSERT_EQUAL(rd16(PCI_SUBSYSTEM_ID), GVT_PCI_SUBDEVICE_ID);
	CU_ASSERT_EQUAL(rd16(PCI_STATUS), PCI_STATUS_CAP_LIST);
	CU_ASSERT_EQUAL(rd16(PCI_COMMAND), 0);
	CU_ASSERT_EQUAL(rd8(PCI_INTERRUPT_PIN), 1);
	CU_ASSERT_EQUAL(rd8(PCI_BIST), 0);
	CU_ASSERT_EQUAL(rd32(PCI_ROM_ADDRESS), 0);
}

/* walks the list the way pci_find_capability() does */
static void test_cap_walk(void)
{
	u32 pos, ids[8], at[8], n = 0;

	ut_fresh();
	pos = rd8(PCI_CAPABILITY_LIST);
	while (pos && n < ARRAY_SIZE(ids)) {
		/* pointers are dword aligned and past the header */
		UT_EQ(pos & 3, 0, "cap %u at 0x%x", n, pos);
		CU_ASSERT(pos >= 0x40 && pos < GVT_CFG_SIZE);
		at[n] = pos;
		ids[n++] = rd8(pos + PCI_CAP_LIST_ID);
		pos = rd8(pos + PCI_CAP_LIST_NEXT);
	}
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(pos, 0);

	CU_ASSERT_EQUAL(at[0], MSI);
	CU_ASSERT_EQUAL(ids[0], PCI_CAP_ID_MSI);
	CU_ASSERT_EQUAL(rd16(MSI + PCI_MSI_FLAGS),
			PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
	CU_ASSERT_FALSE(gvt_model_msi_enabled(ut_m));

	CU_ASSERT_EQUAL(at[1], VNDR);
	CU_ASSERT_EQUAL(ids[1], PCI_CAP_ID_VNDR);
	CU_ASSERT_EQUAL(rd8(VNDR + 2), GVT_CFG_VNDR_SIZE);
	CU_ASSERT_EQUAL(rd32(VNDR + 4), GVT_ID_MAGIC);
	CU_ASSERT_EQUAL(rd32(VNDR + 8), GVT_PVINFO_BASE);
	/* the 64-bit, maskable MSI capability ends where the next begins */
	CU_ASSERT(MSI + PCI_MSI_PENDING_64 + 4 <= VNDR);
}

/* the VMM's BAR sizing probe: save, write all ones, read, restore */
static u32 bar_probe(u32 off)
{
	u32 save = rd32(off), v;

	wr32(off, 0xffffffff);
	v = rd32(off);
	wr32(off, save);
	UT_EQ(rd32(off), save, "restore of 0x%x", off);
	return v;
}

static void test_bar0_sizing(void)
{
	u32 v;

	ut_fresh();
	CU_ASSERT_EQUAL(rd32(PCI_BASE_ADDRESS_0) & 0xf,
			PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_32);
	v = bar_probe(PCI_BASE_ADDRESS_0);
	CU_ASSERT_EQUAL(v & 0xf, PCI_BASE_ADDRESS_MEM_TYPE_32);
	CU_ASSERT_EQUAL((u32)~(v & ~0xfu) + 1, GVT_BAR0_SIZE);
	/* an address aligned to the size sticks, low bits do not */
	wr32(PCI_BASE_ADDRESS_0, 0xfe000000 | 0x1fffff);
	CU_ASSERT_EQUAL(rd32(PCI_BASE_ADDRESS_0), 0xfe000000);
	/* BAR1 is not implemented: reads 0 whatever is written */
	CU_ASSERT_EQUAL(bar_probe(PCI_BASE_ADDRESS_1), 0);
}

static void test_bar2_sizing(void)
{
	u32 lo, hi;
	u64 v;

	ut_fresh();
	lo = rd32(PCI_BASE_ADDRESS_2);
	CU_ASSERT_EQUAL(lo & 0xf, PCI_BASE_ADDRESS_MEM_TYPE_64 |
			PCI_BASE_ADDRESS_MEM_PREFETCH);
	/* Linux sizes a 64-bit BAR by probing both halves */
	wr32(PCI_BASE_ADDRESS_2, 0xffffffff);
	wr32(PCI_BASE_ADDRESS_3, 0xffffffff);
	lo = rd32(PCI_BASE_ADDRESS_2);
	hi = rd32(PCI_BASE_ADDRESS_3);
	CU_ASSERT_EQUAL(lo & 0xf, PCI_BASE_ADDRESS_MEM_TYPE_64 |
			PCI_BASE_ADDRESS_MEM_PREFETCH);
	CU_ASSERT_EQUAL(hi, 0xffffffff);
	v = ((u64)hi << 32 | lo) & ~(u64)0xf;
	CU_ASSERT_EQUAL(~v + 1, ut_m->p.aperture_size);

	/* a 64-bit address above 4 GiB */
	wr32(PCI_BASE_ADDRESS_2, 0x80000000);
	wr32(PCI_BASE_ADDRESS_3, 0x00000023);
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_CFG, PCI_BASE_ADDRESS_2),
			0x2380000000ull | PCI_BASE_ADDRESS_MEM_TYPE_64 |
			PCI_BASE_ADDRESS_MEM_PREFETCH);
	/* bits below the aperture size are not address bits */
	wr32(PCI_BASE_ADDRESS_2, ut_m->p.aperture_size >> 1);
	CU_ASSERT_EQUAL(rd32(PCI_BASE_ADDRESS_2) & ~0xfu, 0);

	CU_ASSERT_EQUAL(bar_probe(PCI_BASE_ADDRESS_4), 0);
	CU_ASSERT_EQUAL(bar_probe(PCI_BASE_ADDRESS_5), 0);
	CU_ASSERT_EQUAL(bar_probe(PCI_ROM_ADDRESS), 0);
}

/* the BAR2 size follows the vGPU's aperture, whatever its size */
static void test_bar2_sizing_per_type(void)
{
	struct gvt_vgpu_params p;
	u32 sz, lo, hi;

	for (sz = GVT_PAGE_SIZE; sz <= GVT_GM_SPACE; sz <<= 1) {
		ut_default_params(&p);
		p.aperture_base = 0;
		p.aperture_size = sz;
		CU_ASSERT_EQUAL_FATAL(gvt_model_init(ut_m, &p, NULL, ut_aperture), 0);
		wr32(PCI_BASE_ADDRESS_2, 0xffffffff);
		wr32(PCI_BASE_ADDRESS_3, 0xffffffff);
		lo = rd32(PCI_BASE_ADDRESS_2);
		hi = rd32(PCI_BASE_ADDRESS_3);
		UT_EQ(~(((u64)hi << 32 | lo) & ~(u64)0xf) + 1, sz,
		      "aperture 0x%x", sz);
	}
}

/* nothing the guest writes changes the identity of the device */
static void test_read_only_bytes(void)
{
	u8 ones[GVT_CFG_SIZE], before[GVT_CFG_SIZE];
	u32 pass, i;

	ut_fresh();
	memcpy(before, ut_m->cfg, sizeof(before));
	wr16(PCI_VENDOR_ID, 0xffff);
	CU_ASSERT_EQUAL(rd16(PCI_VENDOR_ID), GVT_PCI_VENDOR_ID);
	wr8(PCI_VENDOR_ID + 1, 0);
	CU_ASSERT_EQUAL(rd16(PCI_VENDOR_ID), GVT_PCI_VENDOR_ID);
	wr32(PCI_VENDOR_ID, 0);
	CU_ASSERT_EQUAL(rd32(PCI_VENDOR_ID),
			GVT_PCI_VENDOR_ID | (GVT_PCI_DEVICE_ID << 16));

	/* all ones over the whole space, then all zeroes */
	for (pass = 0; pass < 2; pass++) {
		memset(ones, pass ? 0 : 0xff, sizeof(ones));
		CU_ASSERT_EQUAL(gvt_model_rw(ut_m, GVT_SPACE_CFG, 0, ones,
					     sizeof(ones), true), 0);
		CU_ASSERT_EQUAL(rd16(PCI_VENDOR_ID), GVT_PCI_VENDOR_ID);
		CU_ASSERT_EQUAL(rd16(PCI_DEVICE_ID), GVT_PCI_DEVICE_ID);
		CU_ASSERT_EQUAL(rd32(PCI_CLASS_REVISION),
				(GVT_PCI_CLASS << 8) | GVT_PCI_REVISION);
		CU_ASSERT_EQUAL(rd8(PCI_HEADER_TYPE), PCI_HEADER_TYPE_NORMAL);
		CU_ASSERT_EQUAL(rd16(PCI_SUBSYSTEM_VENDOR_ID), GVT_PCI_SUBVENDOR_ID);
		CU_ASSERT_EQUAL(rd16(PCI_SUBSYSTEM_ID), GVT_PCI_SUBDEVICE_ID);
		CU_ASSERT_EQUAL(rd8(PCI_CAPABILITY_LIST), MSI);
		CU_ASSERT_EQUAL(rd8(PCI_INTERRUPT_PIN), 1);
		CU_ASSERT_EQUAL(rd16(PCI_STATUS), PCI_STATUS_CAP_LIST);
		CU_ASSERT_EQUAL(rd8(MSI + PCI_CAP_LIST_ID), PCI_CAP_ID_MSI);
		CU_ASSERT_EQUAL(rd8(MSI + PCI_CAP_LIST_NEXT), VNDR);
		CU_ASSERT_EQUAL(rd32(MSI + PCI_MSI_PENDING_64), 0);
		CU_ASSERT_EQUAL(rd32(VNDR), PCI_CAP_ID_VNDR |
				(GVT_CFG_VNDR_SIZE << 16));
		CU_ASSERT_EQUAL(rd32(VNDR + 4), GVT_ID_MAGIC);
		CU_ASSERT_EQUAL(rd32(VNDR + 8), GVT_PVINFO_BASE);
		/* past the capabilities the space is empty and stays so */
		for (i = VNDR + GVT_CFG_VNDR_SIZE; i < GVT_CFG_SIZE; i++)
			UT_EQ(ut_m->cfg[i], 0, "byte 0x%x", i);
	}
	/* and every byte whose write mask is 0 kept its value */
	for (i = 0; i < GVT_CFG_SIZE; i++)
		UT_EQ(ut_m->cfg[i] & ~ut_m->cfg_wmask[i],
		      before[i] & ~ut_m->cfg_wmask[i], "byte 0x%x", i);
}

static void test_command(void)
{
	const u16 rw = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		       PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE;

	ut_fresh();
	wr16(PCI_COMMAND, 0xffff);
	CU_ASSERT_EQUAL(rd16(PCI_COMMAND), rw);
	/* no I/O BAR: I/O decoding cannot be turned on */
	CU_ASSERT_EQUAL(rd16(PCI_COMMAND) & PCI_COMMAND_IO, 0);
	wr16(PCI_COMMAND, 0);
	CU_ASSERT_EQUAL(rd16(PCI_COMMAND), 0);
	wr16(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	CU_ASSERT_EQUAL(rd16(PCI_COMMAND), PCI_COMMAND_MEMORY);
	/* a dword write of command+status changes only command's bits */
	wr32(PCI_COMMAND, 0xffffffff);
	CU_ASSERT_EQUAL(rd32(PCI_COMMAND), rw | (PCI_STATUS_CAP_LIST << 16));
	/* the writable scratch bytes of the header */
	wr8(PCI_CACHE_LINE_SIZE, 0x10);
	wr8(PCI_LATENCY_TIMER, 0x40);
	wr8(PCI_INTERRUPT_LINE, 0x0b);
	CU_ASSERT_EQUAL(rd8(PCI_CACHE_LINE_SIZE), 0x10);
	CU_ASSERT_EQUAL(rd8(PCI_LATENCY_TIMER), 0x40);
	CU_ASSERT_EQUAL(rd8(PCI_INTERRUPT_LINE), 0x0b);
}

static void test_status_w1c(void)
{
	const u16 errs = PCI_STATUS_SIG_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
			 PCI_STATUS_DETECTED_PARITY;

	ut_fresh();
	/* the model never raises these itself: plant them as hardware would */
	gvt_put16(&ut_m->cfg[PCI_STATUS], PCI_STATUS_CAP_LIST | errs);
	wr16(PCI_STATUS, 0);
	CU_ASSERT_EQUAL(rd16(PCI_STATUS), PCI_STATUS_CAP_LIST | errs);
	wr16(PCI_STATUS, PCI_STATUS_SIG_TARGET_ABORT);
	CU_ASSERT_EQUAL(rd16(PCI_STATUS), PCI_STATUS_CAP_LIST |
			PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_DETECTED_PARITY);
	/* a byte write to the high byte reaches the high bits */
	wr8(PCI_STATUS + 1, PCI_STATUS_DETECTED_PARITY >> 8);
	CU_ASSERT_EQUAL(rd16(PCI_STATUS), PCI_STATUS_CAP_LIST |
			PCI_STATUS_REC_MASTER_ABORT);
	/* ones everywhere clear the error bits but not CAP_LIST */
	wr16(PCI_STATUS, 0xffff);
	CU_ASSERT_EQUAL(rd16(PCI_STATUS), PCI_STATUS_CAP_LIST);
	/* writing to command in the same dword does not clear status */
	gvt_put16(&ut_m->cfg[PCI_STATUS], PCI_STATUS_CAP_LIST | errs);
	wr32(PCI_COMMAND, PCI_COMMAND_MEMORY);
	CU_ASSERT_EQUAL(rd16(PCI_STATUS), PCI_STATUS_CAP_LIST | errs);
	CU_ASSERT_EQUAL(rd16(PCI_COMMAND), PCI_COMMAND_MEMORY);
}

static void test_msi(void)
{
	ut_fresh();
	wr16(MSI + PCI_MSI_FLAGS, 0xffff);
	CU_ASSERT_EQUAL(rd16(MSI + PCI_MSI_FLAGS), PCI_MSI_FLAGS_64BIT |
			PCI_MSI_FLAGS_MASKBIT | PCI_MSI_FLAGS_ENABLE);
	CU_ASSERT_TRUE(gvt_model_msi_enabled(ut_m));
	/* one vector only: multiple-message enable stays 0 */
	CU_ASSERT_EQUAL(rd16(MSI + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_QSIZE, 0);
	wr16(MSI + PCI_MSI_FLAGS, 0);
	CU_ASSERT_FALSE(gvt_model_msi_enabled(ut_m));
	CU_ASSERT_EQUAL(rd16(MSI + PCI_MSI_FLAGS),
			PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
	/* the enable bit through a dword write covering the cap header */
	wr32(MSI, 0xffffffff);
	CU_ASSERT_TRUE(gvt_model_msi_enabled(ut_m));
	CU_ASSERT_EQUAL(rd8(MSI + PCI_CAP_LIST_ID), PCI_CAP_ID_MSI);
	CU_ASSERT_EQUAL(rd8(MSI + PCI_CAP_LIST_NEXT), VNDR);

	wr32(MSI + PCI_MSI_ADDRESS_LO, 0xfee01003);
	CU_ASSERT_EQUAL(rd32(MSI + PCI_MSI_ADDRESS_LO), 0xfee01000);
	wr32(MSI + PCI_MSI_ADDRESS_HI, 0x12345678);
	CU_ASSERT_EQUAL(rd32(MSI + PCI_MSI_ADDRESS_HI), 0x12345678);
	wr16(MSI + PCI_MSI_DATA_64, 0xabcd);
	CU_ASSERT_EQUAL(rd16(MSI + PCI_MSI_DATA_64), 0xabcd);
	/* the two bytes after the data are reserved */
	wr32(MSI + PCI_MSI_DATA_64, 0xffff4321);
	CU_ASSERT_EQUAL(rd32(MSI + PCI_MSI_DATA_64), 0x4321);
	/* one vector: one mask bit; pending is read-only */
	wr32(MSI + PCI_MSI_MASK_64, 0xffffffff);
	CU_ASSERT_EQUAL(rd32(MSI + PCI_MSI_MASK_64), 1);
	wr32(MSI + PCI_MSI_PENDING_64, 0xffffffff);
	CU_ASSERT_EQUAL(rd32(MSI + PCI_MSI_PENDING_64), 0);
	/* the model exposes what the client needs to deliver the MSI */
	CU_ASSERT_EQUAL(gvt_get32(&ut_m->cfg[MSI + PCI_MSI_ADDRESS_LO]), 0xfee01000);
	CU_ASSERT_EQUAL(gvt_get16(&ut_m->cfg[MSI + PCI_MSI_DATA_64]), 0x4321);
}

/* a device reset stops decoding and MSI; BAR addresses and MSI routing stay */
static void test_cfg_after_reset(void)
{
	ut_fresh();
	wr32(PCI_BASE_ADDRESS_0, 0xfe000000);
	wr16(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	wr16(MSI + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
	wr32(MSI + PCI_MSI_ADDRESS_LO, 0xfee00000);
	wr16(MSI + PCI_MSI_DATA_64, 0x4041);
	wr32(MSI + PCI_MSI_MASK_64, 1);
	gvt_model_reset(ut_m);
	CU_ASSERT_EQUAL(rd16(PCI_COMMAND), 0);
	CU_ASSERT_FALSE(gvt_model_msi_enabled(ut_m));
	CU_ASSERT_EQUAL(rd32(MSI + PCI_MSI_MASK_64), 0);
	CU_ASSERT_EQUAL(rd32(PCI_BASE_ADDRESS_0), 0xfe000000);
	CU_ASSERT_EQUAL(rd32(MSI + PCI_MSI_ADDRESS_LO), 0xfee00000);
	CU_ASSERT_EQUAL(rd16(MSI + PCI_MSI_DATA_64), 0x4041);
	CU_ASSERT_EQUAL(rd16(PCI_VENDOR_ID), GVT_PCI_VENDOR_ID);
	CU_ASSERT_EQUAL(rd16(PCI_STATUS), PCI_STATUS_CAP_LIST);
}

static void test_whole_read(void)
{
	u8 buf[GVT_CFG_SIZE + 4];
	u64 reads;

	ut_fresh();
	memset(buf, 0xee, sizeof(buf));
	reads = ut_m->stats.cfg_reads;
	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, GVT_SPACE_CFG, 0, buf,
				     GVT_CFG_SIZE, false), 0);
	CU_ASSERT_EQUAL(memcmp(buf, ut_m->cfg, GVT_CFG_SIZE), 0);
	CU_ASSERT_EQUAL(buf[GVT_CFG_SIZE], 0xee);
	CU_ASSERT_EQUAL(gvt_get16(buf), GVT_PCI_VENDOR_ID);
	CU_ASSERT_EQUAL(gvt_get32(buf + VNDR + 4), GVT_ID_MAGIC);
	/* split into dword accesses, as gvt_model_rw() documents */
	CU_ASSERT_EQUAL(ut_m->stats.cfg_reads, reads + GVT_CFG_SIZE / 4);
}

/* every (offset, length) reads the same bytes as the space holds */
static void test_any_length_read(void)
{
	u8 buf[12];
	u32 off, len, bad = 0, bad_off = 0, bad_len = 0;

	ut_fresh();
	/* distinctive bytes everywhere, so that a misplaced piece shows */
	for (off = 0; off < GVT_CFG_SIZE; off++)
		ut_m->cfg[off] = (u8)(off * 13 + 7);
	for (off = 0; off < GVT_CFG_SIZE; off++) {
		for (len = 1; len <= 9 && off + len <= GVT_CFG_SIZE; len++) {
			memset(buf, 0xcc, sizeof(buf));
			if (gvt_model_rw(ut_m, GVT_SPACE_CFG, off, buf, len, false) ||
			    memcmp(buf, &ut_m->cfg[off], len) || buf[len] != 0xcc) {
				if (!bad++) {
					bad_off = off;
					bad_len = len;
				}
			}
		}
	}
	UT_EQ(bad, 0, "first wrong read: off 0x%x len %u", bad_off, bad_len);
}

static void test_odd_splits(void)
{
	u8 in[8], out[8];
	u64 writes, reads;

	ut_fresh();
	/* 3 bytes at 0x3d: interrupt pin, min_gnt, max_lat are read-only */
	memset(out, 0x77, sizeof(out));
	writes = ut_m->stats.cfg_writes;
	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, GVT_SPACE_CFG, 0x3d, out, 3, true), 0);
	CU_ASSERT_EQUAL(rd32(PCI_INTERRUPT_LINE), 0x000001ff);
	/* one byte at 0x3d, then an aligned word at 0x3e */
	CU_ASSERT_EQUAL(ut_m->stats.cfg_writes, writes + 2);

	/* 3 bytes at 0x0d: latency timer (rw), header type, BIST (ro) */
	out[0] = 0x20;
	out[1] = 0x80;
	out[2] = 0x40;
	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, GVT_SPACE_CFG, PCI_LATENCY_TIMER,
				     out, 3, true), 0);
	CU_ASSERT_EQUAL(rd8(PCI_LATENCY_TIMER), 0x20);
	CU_ASSERT_EQUAL(rd8(PCI_HEADER_TYPE), PCI_HEADER_TYPE_NORMAL);
	CU_ASSERT_EQUAL(rd8(PCI_BIST), 0);

	/* 7 bytes at MSI address byte 1: 1 + 2 + 4 pieces, all writable */
	memcpy(out, "\x11\x22\x33\x44\x55\x66\x77", 7);
	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, GVT_SPACE_CFG, MSI + 5, out, 7, true), 0);
	CU_ASSERT_EQUAL(rd32(MSI + PCI_MSI_ADDRESS_LO), 0x33221100);
	CU_ASSERT_EQUAL(rd32(MSI + PCI_MSI_ADDRESS_HI), 0x77665544);

	/* 7 bytes from offset 1 */
	memset(in, 0xcc, sizeof(in));
	reads = ut_m->stats.cfg_reads;
	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, GVT_SPACE_CFG, 1, in, 7, false), 0);
	CU_ASSERT_EQUAL(ut_m->stats.cfg_reads, reads + 3);
	CU_ASSERT_EQUAL(in[0], GVT_PCI_VENDOR_ID >> 8);
	CU_ASSERT_EQUAL(gvt_get16(&in[1]), GVT_PCI_DEVICE_ID);
	CU_ASSERT_EQUAL(gvt_get16(&in[3]), 0);
	CU_ASSERT_EQUAL(gvt_get16(&in[5]), PCI_STATUS_CAP_LIST);
	CU_ASSERT_EQUAL(in[7], 0xcc);
}

/* a write of any (offset, length) lands byte for byte, through the masks */
static void test_any_length_write(void)
{
	u8 before[GVT_CFG_SIZE], data[8];
	u32 off, len, i, bad = 0;

	for (off = 0; off < GVT_CFG_SIZE; off += 3) {
		for (len = 1; len <= 8 && off + len <= GVT_CFG_SIZE; len++) {
			ut_fresh();
			memcpy(before, ut_m->cfg, sizeof(before));
			for (i = 0; i < len; i++)
				data[i] = (u8)(0x5a ^ (off + i) * 31);
			CU_ASSERT_EQUAL(gvt_model_rw(ut_m, GVT_SPACE_CFG, off,
						     data, len, true), 0);
			for (i = 0; i < GVT_CFG_SIZE; i++) {
				u8 wm = ut_m->cfg_wmask[i], w1c = ut_m->cfg_w1cmask[i];
				u8 want = before[i];

				if (i >= off && i < off + len)
					want = ((want & ~wm) | (data[i - off] & wm)) &
					       ~(data[i - off] & w1c);
				/* report the first difference, count them all */
				if (ut_m->cfg[i] != want && !bad++)
					UT_EQ(ut_m->cfg[i], want, "write 0x%x+%u byte 0x%x",
					      off, len, i);
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_out_of_range(void)
{
	static const struct { u64 off; size_t len; } cases[] = {
		{ GVT_CFG_SIZE, 1 },
		{ GVT_CFG_SIZE, 0 },
		{ 250, 8 },
		{ 255, 2 },
		{ 0, GVT_CFG_SIZE + 1 },
		{ 0, SIZE_MAX },
		{ 1, SIZE_MAX },
		/* off + len wraps to a small number */
		{ 16, UINT64_MAX - 15 },
		{ UINT64_MAX, 1 },
		{ UINT64_MAX, 2 },
		{ 1ull << 32, 4 },
		{ (1ull << 32) + 4, 4 },
	};
	struct gvt_vgpu_stats st;
	u8 before[GVT_CFG_SIZE], buf[16];
	u32 i, w;

	ut_fresh();
	memcpy(before, ut_m->cfg, sizeof(before));
	st = ut_m->stats;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		for (w = 0; w < 2; w++) {
			memset(buf, w ? 0xff : 0x99, sizeof(buf));
			UT_EQ(gvt_model_rw(ut_m, GVT_SPACE_CFG, cases[i].off, buf,
					   cases[i].len, w), (u64)-EINVAL,
			      "off 0x%llx len 0x%zx %s",
			      (unsigned long long)cases[i].off, cases[i].len,
			      w ? "write" : "read");
			if (!w)
				UT_EQ(buf[0], 0x99, "case %u", i);
		}
	}
	CU_ASSERT_EQUAL(memcmp(before, ut_m->cfg, sizeof(before)), 0);
	CU_ASSERT_EQUAL(memcmp(&st, &ut_m->stats, sizeof(st)), 0);
	/* the last byte itself is in range */
	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, GVT_SPACE_CFG, 255, buf, 1, false), 0);
}

static void test_cfg_stats(void)
{
	ut_fresh();
	rd32(0);
	rd16(2);
	wr8(PCI_LATENCY_TIMER, 1);
	CU_ASSERT_EQUAL(ut_m->stats.cfg_reads, 2);
	CU_ASSERT_EQUAL(ut_m->stats.cfg_writes, 1);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_reads, 0);
}

CU_TestInfo ut_cfg_tests[] = {
	{ "identity", test_identity },
	{ "capability walk", test_cap_walk },
	{ "BAR0 sizing", test_bar0_sizing },
	{ "BAR2/3 sizing", test_bar2_sizing },
	{ "BAR2 size per aperture size", test_bar2_sizing_per_type },
	{ "read-only bytes", test_read_only_bytes },
	{ "command register", test_command },
	{ "status W1C bits", test_status_w1c },
	{ "MSI capability", test_msi },
	{ "after device reset", test_cfg_after_reset },
	{ "whole space in one read", test_whole_read },
	{ "reads of any offset and length", test_any_length_read },
	{ "odd-length splits", test_odd_splits },
	{ "writes of any offset and length", test_any_length_write },
	{ "out of range", test_out_of_range },
	{ "statistics", test_cfg_stats },
	CU_TEST_INFO_NULL,
};
