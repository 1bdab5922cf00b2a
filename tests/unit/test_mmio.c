// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the BAR0 register file. Expectations come from the
 * register table itself (reset value, ro_mask, flags), so a register added
 * to GVT_REG_LIST is covered without touching this file.
 */
#include <stdint.h>
#include <linux/pci_regs.h>
#include <CUnit/CUnit.h>
#include "gvt_model.h"
#include "unit.h"

#define REG(i)		(gvt_reg_table[i])

static u32 rd(u32 off, u32 len) { return ut_rd(GVT_SPACE_BAR0, off, len); }
static void wr(u32 off, u32 len, u32 v) { ut_wr(GVT_SPACE_BAR0, off, len, v); }

/* registers whose value is not the table's reset value */
static bool per_vgpu(u32 i)
{
	return i == GVT_REGIDX_TIMESTAMP_LO || i == GVT_REGIDX_TIMESTAMP_HI ||
	       (REG(i).flags & GVT_RF_PVINFO);
}

/* what the PV-info page must say for the fixture's parameters */
static u32 pv_expected(const struct gvt_model *m, u32 i)
{
	switch (i) {
	case GVT_REGIDX_PV_VGPU_ID:		return m->p.id;
	case GVT_REGIDX_PV_TYPE_DIV:		return m->p.type_div;
	case GVT_REGIDX_PV_APERTURE_BASE:	return m->p.aperture_base;
	case GVT_REGIDX_PV_APERTURE_SIZE:	return m->p.aperture_size;
	case GVT_REGIDX_PV_HIDDEN_BASE:		return m->p.hidden_base;
	case GVT_REGIDX_PV_HIDDEN_SIZE:		return m->p.hidden_size;
	case GVT_REGIDX_PV_FENCES:		return m->p.fences;
	case GVT_REGIDX_PV_CONTEXTS:		return m->p.contexts;
	case GVT_REGIDX_PV_WEIGHT:		return m->p.weight;
	default:				return REG(i).reset;
	}
}

/* every register as the table or the PV-info parameters say */
static void check_reset_state(const char *when)
{
	u32 i;

	for (i = 0; i < GVT_NUM_REGS; i++) {
		if (i == GVT_REGIDX_TIMESTAMP_LO)
			continue;	/* reads the clock */
		if (REG(i).flags & GVT_RF_PVINFO)
			UT_EQ(rd(REG(i).offset, 4), pv_expected(ut_m, i),
			      "%s %s", when, REG(i).name);
		else if (i != GVT_REGIDX_TIMESTAMP_HI)
			UT_EQ(rd(REG(i).offset, 4), REG(i).reset, "%s %s",
			      when, REG(i).name);
	}
}

static void test_reset_values(void)
{
	u32 i;

	ut_fresh();
	check_reset_state("init");
	/* the same through the model's own accessor, before any read */
	ut_fresh();
	for (i = 0; i < GVT_NUM_REGS; i++)
		if (!per_vgpu(i))
			UT_EQ(gvt_reg(ut_m, i), REG(i).reset, "%s", REG(i).name);
	/* the constants a driver checks first */
	CU_ASSERT_EQUAL(rd(GVT_REG_ID, 4), GVT_ID_MAGIC);
	CU_ASSERT_EQUAL(rd(GVT_REG_VERSION, 4), 0x00010000);
	CU_ASSERT_EQUAL(rd(GVT_REG_CAPS, 4), GVT_CAPS_VALUE);
	CU_ASSERT_EQUAL(rd(GVT_REG_NUM_ENGINES, 4), GVT_NUM_ENGINES);
	CU_ASSERT_EQUAL(rd(GVT_REG_GTT_ENTRIES, 4), GVT_GTT_ENTRIES);
	CU_ASSERT_EQUAL(rd(GVT_REG_IMR, 4), GVT_IRQ_ALL);
	CU_ASSERT_EQUAL(rd(GVT_ENGINE_REG(GVT_ENGINE_COPY, GVT_RING_STATUS), 4),
			GVT_RING_STATUS_IDLE);
}

static void test_pvinfo(void)
{
	struct gvt_vgpu_params p;
	u32 i;

	ut_fresh();
	CU_ASSERT_EQUAL(rd(GVT_PV_MAGIC_LO, 4), GVT_PV_MAGIC_LO_VALUE);
	CU_ASSERT_EQUAL(rd(GVT_PV_MAGIC_HI, 4), GVT_PV_MAGIC_HI_VALUE);
	CU_ASSERT_EQUAL(rd(GVT_PV_VERSION, 4), GVT_PV_VERSION_VALUE);
	CU_ASSERT_EQUAL(rd(GVT_PV_FEATURES, 4), GVT_PV_FEATURES_VALUE);
	CU_ASSERT_EQUAL(rd(GVT_PV_VGPU_ID, 4), 5);
	CU_ASSERT_EQUAL(rd(GVT_PV_TYPE_DIV, 4), 4);
	CU_ASSERT_EQUAL(rd(GVT_PV_WEIGHT, 4), 4);
	CU_ASSERT_EQUAL(rd(GVT_PV_APERTURE_BASE, 4), 0x02000000);
	CU_ASSERT_EQUAL(rd(GVT_PV_APERTURE_SIZE, 4), 0x00100000);
	CU_ASSERT_EQUAL(rd(GVT_PV_HIDDEN_BASE, 4), 0x10000000);
	CU_ASSERT_EQUAL(rd(GVT_PV_HIDDEN_SIZE, 4), 0x04000000);
	CU_ASSERT_EQUAL(rd(GVT_PV_FENCES, 4), 8);
	CU_ASSERT_EQUAL(rd(GVT_PV_CONTEXTS, 4), 16);
	/* "GVTBPFPV" as 8 bytes */
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, GVT_PV_MAGIC_LO),
			0x5650465042545647ull);

	/* survives a guest reset */
	wr(GVT_REG_RESET, 4, GVT_RESET_KEY);
	CU_ASSERT_EQUAL(ut_m->stats.resets, 1);
	check_reset_state("after reset");

	/* another vGPU's parameters show in its own page */
	ut_default_params(&p);
	p.id = 7;
	p.type_div = 8;
	p.weight = GVT_WEIGHT_MAX;
	p.fences = 0xfedcba98;
	CU_ASSERT_EQUAL_FATAL(gvt_model_init(ut_m, &p, NULL, ut_aperture), 0);
	for (i = 0; i < GVT_NUM_REGS; i++)
		if (REG(i).flags & GVT_RF_PVINFO)
			UT_EQ(gvt_reg(ut_m, i), pv_expected(ut_m, i), "%s",
			      REG(i).name);
	CU_ASSERT_EQUAL(rd(GVT_PV_FENCES, 4), 0xfedcba98);
	CU_ASSERT_EQUAL(rd(GVT_PV_WEIGHT, 4), GVT_WEIGHT_MAX);
}

/* the value a write of @val leaves, from the table's ro_mask and flags */
static u32 after_write(u32 i, u32 old, u32 val)
{
	u32 wm = ~REG(i).ro_mask;

	if (REG(i).flags & GVT_RF_W1C)
		return old & ~(val & wm);
	return (old & ~wm) | (val & wm);
}

static void test_ro_masks(void)
{
	static const u32 vals[] = {
		0xffffffff, 0, 0x5a5a5a5a, 0xa5a5a5a5, 0x00001000, 0xffffffff,
	};
	u32 i, k, n = 0;

	for (i = 0; i < GVT_NUM_REGS; i++) {
		/* RO registers and the reset trigger have their own tests */
		if ((REG(i).flags & GVT_RF_RO) || i == GVT_REGIDX_RESET)
			continue;
		n++;
		ut_fresh();
		/* W1C bits need to be set before a write can clear them */
		if (REG(i).flags & GVT_RF_W1C)
			ut_m->regs[i] = REG(i).reset | ~REG(i).ro_mask;
		for (k = 0; k < ARRAY_SIZE(vals); k++) {
			u32 regs[GVT_NUM_REGS], want, got, j;

			memcpy(regs, ut_m->regs, sizeof(regs));
			want = after_write(i, regs[i], vals[k]);
			wr(REG(i).offset, 4, vals[k]);
			got = rd(REG(i).offset, 4);
			UT_EQ(got, want, "%s write 0x%x", REG(i).name, vals[k]);
			/* read-only bits never move */
			UT_EQ(got & REG(i).ro_mask, REG(i).reset & REG(i).ro_mask,
			      "%s ro bits", REG(i).name);
			/* and no other register does */
			for (j = 0; j < GVT_NUM_REGS; j++)
				if (j != i)
					UT_EQ(ut_m->regs[j], regs[j], "%s after %s",
					      REG(j).name, REG(i).name);
		}
	}
	/* a table that lost all its writable registers would pass vacuously */
	CU_ASSERT(n >= 15);
}

/* the meaning of a few masks, stated once more in the ABI's own words */
static void test_ro_mask_semantics(void)
{
	ut_fresh();
	wr(GVT_ENGINE_REG(0, GVT_RING_START), 4, 0x12345678);
	CU_ASSERT_EQUAL(rd(GVT_ENGINE_REG(0, GVT_RING_START), 4), 0x12345000);
	wr(GVT_ENGINE_REG(1, GVT_RING_TAIL), 4, 0x0000101f);
	CU_ASSERT_EQUAL(rd(GVT_ENGINE_REG(1, GVT_RING_TAIL), 4), 0x00001018);
	wr(GVT_ENGINE_REG(0, GVT_RING_CTL), 4, 0xffffffff);
	CU_ASSERT_EQUAL(rd(GVT_ENGINE_REG(0, GVT_RING_CTL), 4),
			GVT_RING_CTL_ENABLE | GVT_RING_CTL_SIZE_MASK);
	wr(GVT_REG_PLANE_STRIDE, 4, 0xffffffff);
	CU_ASSERT_EQUAL(rd(GVT_REG_PLANE_STRIDE, 4), 0x0003ffc0);
	wr(GVT_REG_PLANE_WIDTH, 4, 0xffffffff);
	CU_ASSERT_EQUAL(rd(GVT_REG_PLANE_WIDTH, 4), 0x1fff);
	wr(GVT_REG_PLANE_CTL, 4, 0xffffffff);
	CU_ASSERT_EQUAL(rd(GVT_REG_PLANE_CTL, 4),
			GVT_PLANE_CTL_ENABLE | GVT_PLANE_CTL_FORMAT_MASK);
	wr(GVT_REG_GTT_CTL, 4, 0xffffffff);
	CU_ASSERT_EQUAL(rd(GVT_REG_GTT_CTL, 4), GVT_GTT_CTL_ENABLE);
	wr(GVT_REG_SCRATCH, 4, 0xdeadbeef);
	CU_ASSERT_EQUAL(rd(GVT_REG_SCRATCH, 4), 0xdeadbeef);
}

static void test_ro_registers(void)
{
	static const u32 vals[] = { 0xffffffff, 0, 0x12345678 };
	u32 i, k, n = 0;

	for (i = 0; i < GVT_NUM_REGS; i++) {
		u32 regs[GVT_NUM_REGS];
		u64 ro;

		if (!(REG(i).flags & GVT_RF_RO))
			continue;
		n++;
		ut_fresh();
		memcpy(regs, ut_m->regs, sizeof(regs));
		ro = ut_m->stats.mmio_ro_writes;
		for (k = 0; k < ARRAY_SIZE(vals); k++)
			wr(REG(i).offset, 4, vals[k]);
		/* sub-dword writes are writes too */
		wr(REG(i).offset + 1, 1, 0xff);
		wr(REG(i).offset + 2, 2, 0xffff);
		UT_EQ(memcmp(regs, ut_m->regs, sizeof(regs)), 0, "%s", REG(i).name);
		UT_EQ(ut_m->stats.mmio_ro_writes, ro + ARRAY_SIZE(vals) + 2,
		      "%s", REG(i).name);
		UT_EQ(ut_m->stats.mmio_unknown, 0, "%s", REG(i).name);
	}
	CU_ASSERT(n >= 20);
}

static void test_sub_dword_writes(void)
{
	u32 k;

	ut_fresh();
	for (k = 0; k < 4; k++) {
		wr(GVT_REG_SCRATCH, 4, 0x11223344);
		wr(GVT_REG_SCRATCH + k, 1, 0xa0 + k);
		UT_EQ(rd(GVT_REG_SCRATCH, 4),
		      (0x11223344 & ~(0xffu << 8 * k)) | ((0xa0u + k) << 8 * k),
		      "byte %u", k);
		/* only the byte written, even if the value has more bits */
		wr(GVT_REG_SCRATCH, 4, 0);
		gvt_mmio_write(ut_m, GVT_REG_SCRATCH + k, 1, 0xffffff00 | k);
		UT_EQ(rd(GVT_REG_SCRATCH, 4), k << 8 * k, "byte %u", k);
	}
	for (k = 0; k < 4; k += 2) {
		wr(GVT_REG_SCRATCH, 4, 0x11223344);
		wr(GVT_REG_SCRATCH + k, 2, 0xbeef);
		UT_EQ(rd(GVT_REG_SCRATCH, 4),
		      (0x11223344 & ~(0xffffu << 8 * k)) | (0xbeefu << 8 * k),
		      "word %u", k);
	}
	/* one byte at a time builds the dword */
	for (k = 0; k < 4; k++)
		wr(GVT_REG_SCRATCH + k, 1, 0x10 * (k + 1));
	CU_ASSERT_EQUAL(rd(GVT_REG_SCRATCH, 4), 0x40302010);
	/* a byte write still honours the ro_mask of its byte */
	wr(GVT_REG_PLANE_WIDTH + 1, 1, 0xff);
	CU_ASSERT_EQUAL(rd(GVT_REG_PLANE_WIDTH, 4), 0x1f00);
	wr(GVT_REG_PLANE_WIDTH + 3, 1, 0xff);
	CU_ASSERT_EQUAL(rd(GVT_REG_PLANE_WIDTH, 4), 0x1f00);
}

static void test_sub_dword_reads(void)
{
	u32 k;

	ut_fresh();
	wr(GVT_REG_SCRATCH, 4, 0x44332211);
	for (k = 0; k < 4; k++) {
		UT_EQ(rd(GVT_REG_SCRATCH + k, 1), 0x11 * (k + 1), "byte %u", k);
		UT_EQ(gvt_mmio_read(ut_m, GVT_REG_SCRATCH + k, 1), 0x11 * (k + 1),
		      "byte %u", k);
	}
	CU_ASSERT_EQUAL(rd(GVT_REG_SCRATCH, 2), 0x2211);
	CU_ASSERT_EQUAL(rd(GVT_REG_SCRATCH + 2, 2), 0x4433);
	CU_ASSERT_EQUAL(rd(GVT_REG_ID + 3, 1), GVT_ID_MAGIC >> 24);
	/* a 3-byte read is a byte and a word */
	CU_ASSERT_EQUAL(rd(GVT_REG_SCRATCH + 1, 3), 0x443322);
}

static void test_qword_access(void)
{
	u64 w;

	ut_fresh();
	w = ut_m->stats.mmio_writes;
	/* width and height are neighbours: one 8-byte write sets both */
	ut_wr64(GVT_SPACE_BAR0, GVT_REG_PLANE_WIDTH, 0x0000030000000400ull);
	CU_ASSERT_EQUAL(gvt_reg(ut_m, GVT_REGIDX_PLANE_WIDTH), 0x400);
	CU_ASSERT_EQUAL(gvt_reg(ut_m, GVT_REGIDX_PLANE_HEIGHT), 0x300);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_writes, w + 2);
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, GVT_REG_PLANE_WIDTH),
			0x0000030000000400ull);
	/* each half keeps its own ro_mask */
	ut_wr64(GVT_SPACE_BAR0, GVT_REG_PLANE_WIDTH, ~0ull);
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, GVT_REG_PLANE_WIDTH),
			0x00001fff00001fffull);
	/* a register next to a hole: the hole half reads 0 */
	wr(GVT_REG_SCRATCH, 4, 0x600dcafe);
	ut_wr64(GVT_SPACE_BAR0, GVT_REG_SCRATCH, 0xffffffff12345678ull);
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, GVT_REG_SCRATCH), 0x12345678);
	/* two RO neighbours: both keep their values */
	ut_wr64(GVT_SPACE_BAR0, GVT_REG_ID, 0);
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, GVT_REG_ID),
			(u64)GVT_VERSION_VALUE << 32 | GVT_ID_MAGIC);
}

static void test_unknown_offsets(void)
{
	static const u32 offs[] = {
		0x001c, 0x0034, 0x00fc, 0x0114, 0x0208, 0x0ffc, 0x1034,
		0x1ffc, 0x2020, 0x20fc, 0x2120, 0x3014, 0xfffc,
		/* the gap between the register file and the GTT window */
		GVT_MMIO_SIZE, GVT_MMIO_SIZE + GVT_REG_SCRATCH, 0x80000,
		GVT_GTT_OFFSET - 4,
	};
	u32 regs[GVT_NUM_REGS];
	u32 i;
	u64 unk, r, w;

	ut_fresh();
	memcpy(regs, ut_m->regs, sizeof(regs));
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		unk = ut_m->stats.mmio_unknown;
		r = ut_m->stats.mmio_reads;
		w = ut_m->stats.mmio_writes;
		wr(offs[i], 4, 0xffffffff);
		UT_EQ(rd(offs[i], 4), 0, "off 0x%x", offs[i]);
		wr(offs[i] + 1, 1, 0xff);
		UT_EQ(rd(offs[i] + 3, 1), 0, "off 0x%x", offs[i]);
		UT_EQ(ut_m->stats.mmio_unknown, unk + 4, "off 0x%x", offs[i]);
		UT_EQ(ut_m->stats.mmio_reads, r + 2, "off 0x%x", offs[i]);
		UT_EQ(ut_m->stats.mmio_writes, w + 2, "off 0x%x", offs[i]);
	}
	CU_ASSERT_EQUAL(memcmp(regs, ut_m->regs, sizeof(regs)), 0);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_ro_writes, 0);
	CU_ASSERT_EQUAL(ut_m->stats.gtt_writes, 0);
}

static void test_mmio_stats(void)
{
	ut_fresh();
	rd(GVT_REG_SCRATCH, 4);
	rd(GVT_REG_SCRATCH, 1);
	wr(GVT_REG_SCRATCH, 4, 1);
	wr(GVT_REG_ID, 4, 1);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_reads, 2);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_writes, 2);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_ro_writes, 1);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_unknown, 0);
	CU_ASSERT_EQUAL(ut_m->stats.cfg_reads, 0);
}

/* puts something non-default in every kind of state a reset must undo */
static void dirty_everything(void)
{
	u32 i;

	for (i = 0; i < GVT_NUM_REGS; i++)
		if (!(REG(i).flags & GVT_RF_RO) && i != GVT_REGIDX_RESET &&
		    !(REG(i).flags & GVT_RF_W1C))
			wr(REG(i).offset, 4, 0xffffffff);
	gvt_model_raise_irq(ut_m, GVT_IRQ_ALL);
	ut_clock = 0x0000004200000001ull;
	rd(GVT_REG_TIMESTAMP_LO, 4);
	/* the engine registers the guest cannot write */
	ut_m->regs[GVT_REGIDX_RCS_RING_HEAD] = 0x40;
	ut_m->regs[GVT_REGIDX_BCS_RING_SEQNO] = 9;
	ut_m->regs[GVT_REGIDX_ERROR] = GVT_ERR_BAD_OPCODE;
	ut_m->regs[GVT_REGIDX_STATUS] = GVT_STATUS_FAILED;
	ut_m->gtt[5] = 0x5001;
}

static void test_reset_register(void)
{
	u32 i, dirty = 0;

	ut_fresh();
	dirty_everything();
	for (i = 0; i < GVT_NUM_REGS; i++)
		dirty += !per_vgpu(i) && ut_m->regs[i] != REG(i).reset;
	/* make sure there was something to undo */
	CU_ASSERT(dirty >= 20);
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_HI, 4), 0x42);

	wr(GVT_REG_RESET, 4, GVT_RESET_KEY);
	CU_ASSERT_EQUAL(ut_m->stats.resets, 1);
	check_reset_state("after reset");
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_HI, 4), 0);
	CU_ASSERT_EQUAL(ut_m->gtt[5], 0);
	/* the trigger itself reads back 0 */
	CU_ASSERT_EQUAL(rd(GVT_REG_RESET, 4), 0);
	/* statistics are the host's and are not reset by the guest */
	CU_ASSERT(ut_m->stats.mmio_writes > 0);

	wr(GVT_REG_RESET, 4, GVT_RESET_KEY);
	CU_ASSERT_EQUAL(ut_m->stats.resets, 2);
}

/*
 * The RESET register resets the GPU, not the PCI function: the guest's
 * PCI view (memory decoding, bus mastering, MSI enable and routing) is
 * the VMM's and the guest OS's, and nobody re-programs it after a driver
 * resets its GPU. The module delivers interrupts by the MSI enable bit of
 * the model's config space (gvt_vfio.c, gvt_env_irq), so clearing it here
 * would silently lose every interrupt after a guest GPU reset.
 */
static void test_reset_keeps_pci_config(void)
{
	const u16 cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	u8 before[GVT_CFG_SIZE];
	u32 msi = GVT_CFG_MSI_OFFSET;

	ut_fresh();
	ut_wr(GVT_SPACE_CFG, PCI_COMMAND, 2, cmd);
	ut_wr(GVT_SPACE_CFG, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	ut_wr(GVT_SPACE_CFG, msi + PCI_MSI_DATA_64, 2, 0x4021);
	ut_wr(GVT_SPACE_CFG, msi + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	ut_wr(GVT_SPACE_CFG, msi + PCI_MSI_MASK_64, 4, 1);
	memcpy(before, ut_m->cfg, sizeof(before));

	wr(GVT_REG_RESET, 4, GVT_RESET_KEY);
	CU_ASSERT_EQUAL(ut_m->stats.resets, 1);
	CU_ASSERT_EQUAL(ut_rd(GVT_SPACE_CFG, PCI_COMMAND, 2), cmd);
	CU_ASSERT_TRUE(gvt_model_msi_enabled(ut_m));
	CU_ASSERT_TRUE(gvt_model_msi_masked(ut_m));
	CU_ASSERT_EQUAL(memcmp(before, ut_m->cfg, sizeof(before)), 0);
}

static void test_reset_wrong_key(void)
{
	static const u32 keys[] = {
		0, 1, 0xffffffff, GVT_RESET_KEY ^ 1, GVT_RESET_KEY << 8,
		0x54455352,	/* the key's bytes in the other order */
	};
	u32 regs[GVT_NUM_REGS];
	u32 i, k;

	ut_fresh();
	dirty_everything();
	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		memcpy(regs, ut_m->regs, sizeof(regs));
		wr(GVT_REG_RESET, 4, keys[k]);
		UT_EQ(ut_m->stats.resets, 0, "key 0x%x", keys[k]);
		for (i = 0; i < GVT_NUM_REGS; i++)
			if (i != GVT_REGIDX_RESET)
				UT_EQ(ut_m->regs[i], regs[i], "%s key 0x%x",
				      REG(i).name, keys[k]);
		UT_EQ(rd(GVT_REG_RESET, 4), 0, "key 0x%x", keys[k]);
	}
	/* the key a byte or a word at a time is not the key */
	for (k = 0; k < 4; k++)
		wr(GVT_REG_RESET + k, 1, GVT_RESET_KEY >> 8 * k);
	wr(GVT_REG_RESET, 2, GVT_RESET_KEY & 0xffff);
	wr(GVT_REG_RESET + 2, 2, GVT_RESET_KEY >> 16);
	CU_ASSERT_EQUAL(ut_m->stats.resets, 0);
	CU_ASSERT_EQUAL(ut_m->gtt[5], 0x5001);
	CU_ASSERT_EQUAL(rd(GVT_REG_SCRATCH, 4), 0xffffffff);
}

static void test_timestamp(void)
{
	u64 r;

	ut_fresh();
	ut_clock = 0x1234567890ull;
	/* HI before any LO read has nothing latched */
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_HI, 4), 0);
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_LO, 4), 0x34567890);
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_HI, 4), 0x12);

	/* HI keeps the latched value while the clock moves on */
	ut_clock = 0x2300000001ull;
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_HI, 4), 0x12);
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_LO, 4), 1);
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_HI, 4), 0x23);

	/* one 8-byte read is LO then HI: a consistent pair */
	ut_clock = 0xfedcba9876543210ull;
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, GVT_REG_TIMESTAMP_LO),
			0xfedcba9876543210ull);
	/* a byte of LO latches too */
	ut_clock = 0x0000000700000000ull | 0xaabbccdd;
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_LO + 1, 1), 0xcc);
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_HI, 4), 7);
	/* writes change nothing */
	r = ut_m->stats.mmio_ro_writes;
	wr(GVT_REG_TIMESTAMP_LO, 4, 0);
	wr(GVT_REG_TIMESTAMP_HI, 4, 0);
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_HI, 4), 7);
	CU_ASSERT_EQUAL(rd(GVT_REG_TIMESTAMP_LO, 4), 0xaabbccdd);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_ro_writes, r + 2);
}


/* ---- the programmable MMIO path (env->mmio_hook) ------------------------- */

static struct {
	int verdict;
	u32 set_val;		/* HANDLED read: the value; PASS write: the new value */
	bool change;		/* PASS write: replace the value */
	unsigned int calls;
	u32 off, size, val;
	bool write;
} hk;

static int hook(void *priv, u32 off, u32 size, u32 *val, bool write)
{
	(void)priv;
	hk.calls++;
	hk.off = off;
	hk.size = size;
	hk.val = *val;
	hk.write = write;
	if (hk.verdict == GVT_MMIO_HANDLED && !write)
		*val = hk.set_val;
	if (hk.verdict == GVT_MMIO_PASS && write && hk.change)
		*val = hk.set_val;
	return hk.verdict;
}

static struct gvt_model_env hook_env = { .mmio_hook = hook };

static void hook_model(int verdict)
{
	struct gvt_vgpu_params p;

	memset(&hk, 0, sizeof(hk));
	hk.verdict = verdict;
	ut_default_params(&p);
	CU_ASSERT_EQUAL_FATAL(gvt_model_init(ut_m, &p, &hook_env, ut_aperture), 0);
}

static void test_hook_pass(void)
{
	hook_model(GVT_MMIO_PASS);
	wr(GVT_REG_SCRATCH + 2, 2, 0xbeef);
	CU_ASSERT_EQUAL(hk.calls, 1);
	CU_ASSERT_EQUAL(hk.off, GVT_REG_SCRATCH + 2);
	CU_ASSERT_EQUAL(hk.size, 2);
	CU_ASSERT_EQUAL(hk.val, 0xbeef);
	CU_ASSERT_TRUE(hk.write);
	CU_ASSERT_EQUAL(gvt_reg(ut_m, GVT_REGIDX_SCRATCH), 0xbeef0000);
	CU_ASSERT_EQUAL(rd(GVT_REG_SCRATCH, 4), 0xbeef0000);
	CU_ASSERT_EQUAL(hk.calls, 2);
	CU_ASSERT_FALSE(hk.write);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_bpf_handled, 0);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_writes, 1);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_reads, 1);

	/* a policy that changes a written value: the built-in stores it */
	hk.change = true;
	hk.set_val = 0x12345678;
	wr(GVT_REG_SCRATCH, 4, 1);
	CU_ASSERT_EQUAL(gvt_reg(ut_m, GVT_REGIDX_SCRATCH), 0x12345678);
	/* still through the register's ro_mask */
	hk.set_val = 0xffffffff;
	wr(GVT_REG_GTT_CTL, 4, 0);
	CU_ASSERT_EQUAL(gvt_reg(ut_m, GVT_REGIDX_GTT_CTL), GVT_GTT_CTL_ENABLE);
	/* and RO registers stay RO */
	wr(GVT_REG_ID, 4, 0);
	CU_ASSERT_EQUAL(gvt_reg(ut_m, GVT_REGIDX_ID), GVT_ID_MAGIC);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_ro_writes, 1);
}

static void test_hook_handled(void)
{
	hook_model(GVT_MMIO_HANDLED);
	hk.set_val = 0xaabbccdd;
	CU_ASSERT_EQUAL(rd(GVT_REG_SCRATCH, 4), 0xaabbccdd);
	/* the policy answers for the bytes asked: a byte read gets one byte */
	CU_ASSERT_EQUAL(rd(GVT_REG_SCRATCH + 1, 1), 0xdd);
	CU_ASSERT_EQUAL(hk.off, GVT_REG_SCRATCH + 1);
	CU_ASSERT_EQUAL(hk.size, 1);
	CU_ASSERT_EQUAL(rd(GVT_REG_ID + 2, 2), 0xccdd);
	/* a consumed write leaves the register alone */
	wr(GVT_REG_SCRATCH, 4, 0x11111111);
	CU_ASSERT_EQUAL(gvt_reg(ut_m, GVT_REGIDX_SCRATCH), 0);
	/* ... including the reset trigger: a policy can veto a reset */
	gvt_model_raise_irq(ut_m, GVT_IRQ_RENDER_USER);
	wr(GVT_REG_RESET, 4, GVT_RESET_KEY);
	CU_ASSERT_EQUAL(ut_m->stats.resets, 0);
	CU_ASSERT_EQUAL(gvt_reg(ut_m, GVT_REGIDX_IIR), GVT_IRQ_RENDER_USER);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_bpf_handled, 5);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_reads, 3);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_writes, 2);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_denied, 0);
}

static void test_hook_deny(void)
{
	hook_model(GVT_MMIO_DENY);
	CU_ASSERT_EQUAL(rd(GVT_REG_ID, 4), 0);
	CU_ASSERT_EQUAL(rd(GVT_PV_WEIGHT, 2), 0);
	wr(GVT_REG_SCRATCH, 4, 0x11111111);
	CU_ASSERT_EQUAL(gvt_reg(ut_m, GVT_REGIDX_SCRATCH), 0);
	wr(GVT_REG_IMR, 4, 0);
	CU_ASSERT_EQUAL(gvt_reg(ut_m, GVT_REGIDX_IMR), GVT_IRQ_ALL);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_denied, 4);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_bpf_handled, 0);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_reads, 2);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_writes, 2);
}

static void test_hook_scope(void)
{
	u8 buf[8];

	hook_model(GVT_MMIO_DENY);
	/* an 8-byte access is two register accesses, each asked about */
	ut_wr64(GVT_SPACE_BAR0, GVT_REG_PLANE_WIDTH, 0x0000030000000400ull);
	CU_ASSERT_EQUAL(hk.calls, 2);
	CU_ASSERT_EQUAL(hk.off, GVT_REG_PLANE_HEIGHT);
	CU_ASSERT_EQUAL(hk.size, 4);
	CU_ASSERT_EQUAL(hk.val, 0x300);
	/* the GTT window, config space and aperture are not register accesses */
	ut_wr64(GVT_SPACE_BAR0, GVT_GTT_OFFSET + 8, 0x1001);
	CU_ASSERT_EQUAL(ut_m->gtt[1], 0x1001);
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, GVT_GTT_OFFSET + 8), 0x1001);
	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, GVT_SPACE_CFG, 0, buf, 8, false), 0);
	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, GVT_SPACE_BAR2, 0, buf, 8, true), 0);
	CU_ASSERT_EQUAL(hk.calls, 2);
	/* nor is the hole between the register file and the GTT window */
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, GVT_MMIO_SIZE), 0);
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, GVT_GTT_OFFSET - 8), 0);
	CU_ASSERT_EQUAL(hk.calls, 2);
	CU_ASSERT_EQUAL(ut_m->stats.mmio_unknown, 4);
	/* a client calling the register file directly bypasses policies */
	gvt_mmio_write(ut_m, GVT_REG_SCRATCH, 4, 7);
	CU_ASSERT_EQUAL(gvt_mmio_read(ut_m, GVT_REG_SCRATCH, 4), 7);
	CU_ASSERT_EQUAL(hk.calls, 2);
}

static u32 gvt_mmio_read_stub_for_check(struct gvt_model *m, int idx,
					u32 bytes, bool act)
{
	return m->regs[idx];
}

/* the uncounted accessors policies use through kfuncs */
static void test_get_put(void)
{
	const enum gvt_reg_writer pol = GVT_WRITER_POLICY;
	struct gvt_vgpu_stats st;

	ut_fresh();
	st = ut_m->stats;
	UT_EQ(gvt_mmio_put(ut_m, GVT_REG_SCRATCH, 4, 0x01020304, pol), 0, "%s", "");
	CU_ASSERT_EQUAL(gvt_mmio_get(ut_m, GVT_REG_SCRATCH, 4), 0x01020304);
	CU_ASSERT_EQUAL(gvt_mmio_get(ut_m, GVT_REG_SCRATCH + 3, 1), 0x01);
	UT_EQ(gvt_mmio_put(ut_m, GVT_REG_SCRATCH + 1, 1, 0xff, pol), 0, "%s", "");
	CU_ASSERT_EQUAL(gvt_mmio_get(ut_m, GVT_REG_SCRATCH, 4), 0x0102ff04);
	/* same masks as a guest write */
	UT_EQ(gvt_mmio_put(ut_m, GVT_REG_PLANE_STRIDE, 4, 0xffffffff, pol), 0, "%s", "");
	CU_ASSERT_EQUAL(gvt_mmio_get(ut_m, GVT_REG_PLANE_STRIDE, 4), 0x0003ffc0);
	UT_EQ(gvt_mmio_put(ut_m, GVT_REG_ID, 4, 0, pol), -EPERM, "%s", "");
	CU_ASSERT_EQUAL(gvt_mmio_get(ut_m, GVT_REG_ID, 4), GVT_ID_MAGIC);
	CU_ASSERT_EQUAL(gvt_mmio_get(ut_m, 0x1c, 4), 0);
	UT_EQ(gvt_mmio_put(ut_m, 0x1c, 4, 1, pol), -EINVAL, "%s", "");
	CU_ASSERT_EQUAL(memcmp(&st, &ut_m->stats, sizeof(st)), 0);
}

/*
 * Each writer may write exactly the rows the table's columns give it, and
 * a refused write changes nothing.
 */
static void test_writers(void)
{
	static const struct {
		enum gvt_reg_writer w;
		const char *name;
	} writers[] = {
		{ GVT_WRITER_MMIO, "mmio" },
		{ GVT_WRITER_CMD, "cmd" },
		{ GVT_WRITER_POLICY, "policy" },
	};
	u32 i, k;

	for (k = 0; k < ARRAY_SIZE(writers); k++) {
		for (i = 0; i < GVT_NUM_REGS; i++) {
			u32 fl = REG(i).flags, before;
			bool may;
			int ret;

			if (i == GVT_REGIDX_RESET)
				continue;	/* its write resets everything */
			may = writers[k].w == GVT_WRITER_MMIO ? !(fl & GVT_RF_RO) :
			      writers[k].w == GVT_WRITER_CMD ? fl & GVT_RF_CMD :
			      fl & GVT_RF_POLICY;
			ut_fresh();
			before = ut_m->regs[i];
			ret = gvt_reg_store(ut_m, i, ~before, ~0u, writers[k].w);
			UT_EQ(ret, may ? 0 : -EPERM, "%s by %s", REG(i).name,
			      writers[k].name);
			if (!may)
				UT_EQ(ut_m->regs[i], before, "%s by %s",
				      REG(i).name, writers[k].name);
		}
	}
	UT_EQ(gvt_reg_store(ut_m, -1, 0, ~0u, GVT_WRITER_MMIO), -EINVAL, "%s", "");
	UT_EQ(gvt_reg_store(ut_m, GVT_NUM_REGS, 0, ~0u, GVT_WRITER_MMIO),
	      -EINVAL, "%s", "");
}

/* LRI reaches the CMD rows, an engine's own ones only from that engine */
static void test_cmd_writable(void)
{
	u32 e, other, i;

	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		other = (e + 1) % GVT_NUM_ENGINES;
		UT_EQ(gvt_reg_cmd_writable(e, GVT_ENGINE_REG(e, GVT_RING_SEQNO)),
		      1, "own seqno, engine %u", e);
		UT_EQ(gvt_reg_cmd_writable(e, GVT_ENGINE_REG(other, GVT_RING_SEQNO)),
		      0, "other seqno, engine %u", e);
		UT_EQ(gvt_reg_cmd_writable(e, GVT_ENGINE_REG(e, GVT_RING_TAIL)),
		      0, "own tail, engine %u", e);
		UT_EQ(gvt_reg_cmd_writable(e, GVT_REG_SCRATCH), 1, "%s", "");
		UT_EQ(gvt_reg_cmd_writable(e, GVT_REG_PLANE_SURF), 1, "%s", "");
		UT_EQ(gvt_reg_cmd_writable(e, GVT_REG_SCRATCH + 1), 0, "%s", "");
		UT_EQ(gvt_reg_cmd_writable(e, 0x1c), 0, "%s", "");
		for (i = 0; i < GVT_NUM_REGS; i++)
			if (!(REG(i).flags & GVT_RF_CMD))
				UT_EQ(gvt_reg_cmd_writable(e, REG(i).offset), 0,
				      "%s", REG(i).name);
	}
}

/* a flip raises its interrupt when a stream does it, not a CPU write */
static void test_plane_surf_flip(void)
{
	ut_fresh();
	UT_EQ(gvt_reg_store(ut_m, GVT_REGIDX_PLANE_SURF, 0x3000, ~0u,
			    GVT_WRITER_MMIO), 0, "%s", "");
	UT_EQ(ut_m->regs[GVT_REGIDX_IIR] & GVT_IRQ_PLANE_FLIP, 0, "%s", "");
	UT_EQ(gvt_reg_store(ut_m, GVT_REGIDX_PLANE_SURF, 0x4fff, ~0u,
			    GVT_WRITER_CMD), 0, "%s", "");
	UT_EQ(ut_m->regs[GVT_REGIDX_PLANE_SURF], 0x4000, "ro_mask applies");
	UT_EQ(ut_m->regs[GVT_REGIDX_IIR] & GVT_IRQ_PLANE_FLIP,
	      GVT_IRQ_PLANE_FLIP, "%s", "");
}

/* a row marked as acting (or computed) without its handler is refused */
static void test_tables_check(void)
{
	static struct gvt_reg_info t[2];
	static struct gvt_reg_ops ops[2];

	memset(t, 0, sizeof(t));
	memset(ops, 0, sizeof(ops));
	UT_EQ(gvt_reg_tables_check(t, ops, 2), 0, "no flags, no handlers");
	t[1].flags = GVT_RF_ACTION;
	UT_EQ(gvt_reg_tables_check(t, ops, 2), -EINVAL, "ACTION, no write");
	t[1].flags = GVT_RF_VIRT;
	UT_EQ(gvt_reg_tables_check(t, ops, 2), -EINVAL, "VIRT, no read");
	t[1].flags = 0;
	ops[1].read = gvt_mmio_read_stub_for_check;
	UT_EQ(gvt_reg_tables_check(t, ops, 2), -EINVAL, "read, no VIRT");
	t[1].flags = GVT_RF_VIRT;
	UT_EQ(gvt_reg_tables_check(t, ops, 2), 0, "VIRT with its read");
	/* and the real tables pass */
	UT_EQ(gvt_model_global_init(), 0, "%s", "");
}

CU_TestInfo ut_mmio_tests[] = {
	{ "reset values", test_reset_values },
	{ "PV-info page", test_pvinfo },
	{ "ro masks of every writable register", test_ro_masks },
	{ "ro masks in the ABI's words", test_ro_mask_semantics },
	{ "RO registers ignore writes", test_ro_registers },
	{ "sub-dword writes merge", test_sub_dword_writes },
	{ "sub-dword reads", test_sub_dword_reads },
	{ "8-byte access spans two registers", test_qword_access },
	{ "unknown offsets", test_unknown_offsets },
	{ "statistics", test_mmio_stats },
	{ "RESET with the key", test_reset_register },
	{ "RESET keeps the PCI config", test_reset_keeps_pci_config },
	{ "RESET with a wrong key", test_reset_wrong_key },
	{ "TIMESTAMP latches HI", test_timestamp },
	{ "uncounted get/put accessors", test_get_put },
	{ "every writer writes what the table allows", test_writers },
	{ "LRI targets come from the table", test_cmd_writable },
	{ "PLANE_SURF flips from a stream", test_plane_surf_flip },
	{ "handlers and flags agree", test_tables_check },
	CU_TEST_INFO_NULL,
};

CU_TestInfo ut_hook_tests[] = {
	{ "PASS", test_hook_pass },
	{ "HANDLED", test_hook_handled },
	{ "DENY", test_hook_deny },
	{ "what is hooked", test_hook_scope },
	CU_TEST_INFO_NULL,
};
