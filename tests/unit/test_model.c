// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the model as a whole: the register table and its lookup,
 * creation parameters, the access dispatcher's bounds, interrupts, the GTT
 * window and the aperture.
 */
#include <stdint.h>
#include <stdlib.h>
#include <CUnit/CUnit.h>
#include "gvt_model.h"
#include "unit.h"

#define REG(i)		(gvt_reg_table[i])

/* ---- register table ------------------------------------------------------ */

static void test_global_init(void)
{
	CU_ASSERT_EQUAL(gvt_model_global_init(), 0);
	/* a second call rebuilds the same lookup rather than seeing duplicates */
	CU_ASSERT_EQUAL(gvt_model_global_init(), 0);
}

static void test_table_offsets(void)
{
	u32 i, j;

	for (i = 0; i < GVT_NUM_REGS; i++) {
		u32 dups = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(REG(i).name);
		UT_EQ(REG(i).offset % 4, 0, "%s", REG(i).name);
		UT_EQ(REG(i).offset < GVT_MMIO_SIZE, 1, "%s at 0x%x", REG(i).name,
		      REG(i).offset);
		for (j = i + 1; j < GVT_NUM_REGS; j++)
			dups += REG(i).offset == REG(j).offset;
		UT_EQ(dups, 0, "registers at the offset of %s", REG(i).name);
	}
}

static void test_table_pvinfo(void)
{
	u32 i, n = 0;

	for (i = 0; i < GVT_NUM_REGS; i++) {
		bool in_page = REG(i).offset >= GVT_PVINFO_BASE &&
			       REG(i).offset < GVT_PVINFO_BASE + GVT_PVINFO_SIZE;
		bool pv = REG(i).flags & GVT_RF_PVINFO;

		/* the flag and the address range say the same thing */
		UT_EQ(in_page, pv, "%s", REG(i).name);
		if (!pv)
			continue;
		n++;
		/* the guest must not be able to change what it is told */
		UT_EQ(REG(i).flags & GVT_RF_RO, GVT_RF_RO, "%s", REG(i).name);
	}
	UT_EQ(n, GVT_REGIDX_PV_WEIGHT - GVT_REGIDX_PV_MAGIC_LO + 1, "count");
}

static void test_table_index_order(void)
{
	/* the enum and the table come from one list: spot-check both ends */
	CU_ASSERT_EQUAL(REG(GVT_REGIDX_ID).offset, GVT_REG_ID);
	CU_ASSERT_STRING_EQUAL(REG(GVT_REGIDX_ID).name, "ID");
	CU_ASSERT_EQUAL(REG(GVT_REGIDX_IIR).offset, GVT_REG_IIR);
	CU_ASSERT_EQUAL(REG(GVT_REGIDX_BCS_RING_TAIL).offset,
			GVT_ENGINE_REG(GVT_ENGINE_COPY, GVT_RING_TAIL));
	CU_ASSERT_EQUAL(REG(GVT_REGIDX_PV_WEIGHT).offset, GVT_PV_WEIGHT);
	CU_ASSERT_STRING_EQUAL(REG(GVT_NUM_REGS - 1).name, "PV_WEIGHT");
}

static void test_lookup_table_offsets(void)
{
	u32 i;

	CU_ASSERT_EQUAL_FATAL(gvt_model_global_init(), 0);
	for (i = 0; i < GVT_NUM_REGS; i++)
		UT_EQ(gvt_reg_lookup(REG(i).offset), i, "%s", REG(i).name);
}

/* every other aligned offset of the register file is a hole */
static void test_lookup_holes(void)
{
	u32 off, i;

	CU_ASSERT_EQUAL_FATAL(gvt_model_global_init(), 0);
	for (off = 0; off < GVT_MMIO_SIZE; off += 4) {
		int want = -1;

		for (i = 0; i < GVT_NUM_REGS; i++)
			if (REG(i).offset == off)
				want = (int)i;
		if (want < 0)
			UT_EQ(gvt_reg_lookup(off), (u64)-1, "off 0x%x", off);
	}
}

static void test_lookup_unaligned(void)
{
	u32 i, k;

	CU_ASSERT_EQUAL_FATAL(gvt_model_global_init(), 0);
	for (i = 0; i < GVT_NUM_REGS; i++)
		for (k = 1; k < 4; k++)
			UT_EQ(gvt_reg_lookup(REG(i).offset + k), (u64)-1,
			      "%s+%u", REG(i).name, k);
}

static void test_lookup_out_of_range(void)
{
	static const u32 offs[] = {
		GVT_MMIO_SIZE, GVT_MMIO_SIZE + 4, GVT_GTT_OFFSET,
		GVT_BAR0_SIZE, 0x7ffffffc, 0xfffffffc, 0xffffffff,
		/* offsets that alias registers if the range check is missing */
		GVT_MMIO_SIZE + GVT_REG_SCRATCH, 0x100000 + GVT_REG_IER,
	};
	u32 i;

	CU_ASSERT_EQUAL_FATAL(gvt_model_global_init(), 0);
	for (i = 0; i < ARRAY_SIZE(offs); i++)
		UT_EQ(gvt_reg_lookup(offs[i]), (u64)-1, "off 0x%x", offs[i]);
}

/* ---- creation parameters ---------------------------------------------- */

struct param_case {
	const char *what;
	void (*edit)(struct gvt_vgpu_params *p);
};

static void ap_size_zero(struct gvt_vgpu_params *p) { p->aperture_size = 0; }
static void ap_size_3pages(struct gvt_vgpu_params *p) { p->aperture_size = 3 * GVT_PAGE_SIZE; }
static void ap_size_odd(struct gvt_vgpu_params *p) { p->aperture_size = 0x100001; }
static void ap_size_half_page(struct gvt_vgpu_params *p) { p->aperture_size = GVT_PAGE_SIZE / 2; }
static void ap_size_one(struct gvt_vgpu_params *p) { p->aperture_size = 1; }
static void ap_base_unaligned(struct gvt_vgpu_params *p) { p->aperture_base += 0x800; }
static void ap_base_off_by_one(struct gvt_vgpu_params *p) { p->aperture_base += 1; }
static void hid_base_unaligned(struct gvt_vgpu_params *p) { p->hidden_base += 4; }
static void hid_size_unaligned(struct gvt_vgpu_params *p) { p->hidden_size += 0x10; }
static void ap_past_gm(struct gvt_vgpu_params *p)
{
	p->aperture_base = GVT_GM_SPACE - GVT_PAGE_SIZE;
	p->aperture_size = 2 * GVT_PAGE_SIZE;
}
static void ap_at_gm(struct gvt_vgpu_params *p)
{
	p->aperture_base = GVT_GM_SPACE;
	p->aperture_size = GVT_PAGE_SIZE;
}
static void ap_bigger_than_gm(struct gvt_vgpu_params *p)
{
	p->aperture_base = 0;
	p->aperture_size = 2 * GVT_GM_SPACE;
}
static void hid_past_gm(struct gvt_vgpu_params *p)
{
	p->hidden_base = GVT_GM_SPACE - 0x1000000;
	p->hidden_size = 0x2000000;
}
/* base + size wraps a u32: only a 64-bit sum sees it is past the end */
static void hid_wraps(struct gvt_vgpu_params *p)
{
	p->hidden_base = 0xfffff000;
	p->hidden_size = 0x2000;
}
static void ap_wraps(struct gvt_vgpu_params *p)
{
	p->aperture_base = 0xfff00000;
	p->aperture_size = 0x00200000;
}
static void weight_zero(struct gvt_vgpu_params *p) { p->weight = 0; }
static void weight_over(struct gvt_vgpu_params *p) { p->weight = GVT_WEIGHT_MAX + 1; }
static void weight_huge(struct gvt_vgpu_params *p) { p->weight = 0xffffffff; }
static void div_zero(struct gvt_vgpu_params *p) { p->type_div = 0; }

static const struct param_case bad_params[] = {
	{ "aperture size 0", ap_size_zero },
	{ "aperture size 3 pages", ap_size_3pages },
	{ "aperture size odd", ap_size_odd },
	{ "aperture size half a page", ap_size_half_page },
	{ "aperture size 1", ap_size_one },
	{ "aperture base not page aligned", ap_base_unaligned },
	{ "aperture base +1", ap_base_off_by_one },
	{ "hidden base not page aligned", hid_base_unaligned },
	{ "hidden size not page aligned", hid_size_unaligned },
	{ "aperture past GM space", ap_past_gm },
	{ "aperture at GM end", ap_at_gm },
	{ "aperture bigger than GM space", ap_bigger_than_gm },
	{ "hidden past GM space", hid_past_gm },
	{ "hidden wraps 32 bits", hid_wraps },
	{ "aperture wraps 32 bits", ap_wraps },
	{ "weight 0", weight_zero },
	{ "weight max+1", weight_over },
	{ "weight 0xffffffff", weight_huge },
	{ "type_div 0", div_zero },
};

static void test_init_rejects(void)
{
	struct gvt_model *shadow = malloc(sizeof(*shadow));
	struct gvt_vgpu_params p;
	u32 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(shadow);
	for (i = 0; i < ARRAY_SIZE(bad_params); i++) {
		/* a rejected init must leave the caller's memory alone */
		memset(ut_m, 0xa5, sizeof(*ut_m));
		memcpy(shadow, ut_m, sizeof(*ut_m));
		ut_default_params(&p);
		bad_params[i].edit(&p);
		UT_EQ(gvt_model_init(ut_m, &p, ut_env_get(), ut_aperture),
		      (u64)-EINVAL, "%s", bad_params[i].what);
		UT_EQ(memcmp(shadow, ut_m, sizeof(*ut_m)), 0, "%s",
		      bad_params[i].what);
	}
	ut_default_params(&p);
	CU_ASSERT_EQUAL(gvt_model_init(ut_m, &p, ut_env_get(), NULL), -EINVAL);
	free(shadow);
}

static void test_init_accepts(void)
{
	struct gvt_vgpu_params p;
	u8 *big;

	ut_default_params(&p);
	CU_ASSERT_EQUAL(gvt_model_init(ut_m, &p, ut_env_get(), ut_aperture), 0);
	/* the model may be created without client services */
	CU_ASSERT_EQUAL(gvt_model_init(ut_m, &p, NULL, ut_aperture), 0);

	/* the limits themselves are allowed */
	ut_default_params(&p);
	p.weight = GVT_WEIGHT_MIN;
	CU_ASSERT_EQUAL(gvt_model_init(ut_m, &p, NULL, ut_aperture), 0);
	p.weight = GVT_WEIGHT_MAX;
	CU_ASSERT_EQUAL(gvt_model_init(ut_m, &p, NULL, ut_aperture), 0);

	ut_default_params(&p);
	p.aperture_size = GVT_PAGE_SIZE;
	p.aperture_base = GVT_GM_SPACE - GVT_PAGE_SIZE;
	CU_ASSERT_EQUAL(gvt_model_init(ut_m, &p, NULL, ut_aperture), 0);
	CU_ASSERT_EQUAL(gvt_model_space_size(ut_m, GVT_SPACE_BAR2), GVT_PAGE_SIZE);

	ut_default_params(&p);
	p.hidden_base = GVT_GM_SPACE - p.hidden_size;
	CU_ASSERT_EQUAL(gvt_model_init(ut_m, &p, NULL, ut_aperture), 0);
	p.hidden_size = 0;
	p.hidden_base = 0;
	CU_ASSERT_EQUAL(gvt_model_init(ut_m, &p, NULL, ut_aperture), 0);

	/* the whole GM space as aperture: the model only keeps the pointer */
	ut_default_params(&p);
	p.aperture_base = 0;
	p.aperture_size = GVT_GM_SPACE;
	big = malloc(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT_EQUAL(gvt_model_init(ut_m, &p, NULL, big), 0);
	CU_ASSERT_EQUAL(gvt_model_space_size(ut_m, GVT_SPACE_BAR2), GVT_GM_SPACE);
	free(big);
}

static void test_init_state(void)
{
	struct gvt_model *m = ut_fresh();
	struct gvt_vgpu_stats zero;
	u32 i, nz = 0;

	memset(&zero, 0, sizeof(zero));
	/* creation is not a guest-visible reset: nothing is counted yet */
	CU_ASSERT_EQUAL(memcmp(&m->stats, &zero, sizeof(zero)), 0);
	CU_ASSERT_PTR_EQUAL(m->aperture, ut_aperture);
	CU_ASSERT_PTR_EQUAL(m->env, ut_env_get());
	CU_ASSERT_EQUAL(m->p.id, 5);
	for (i = 0; i < GVT_GTT_ENTRIES; i++)
		nz += m->gtt[i] != 0;
	CU_ASSERT_EQUAL(nz, 0);
	CU_ASSERT_EQUAL(ut_irqs, 0);
}

static void test_space_size(void)
{
	struct gvt_model *m = ut_fresh();
	u32 v = 0;

	CU_ASSERT_EQUAL(gvt_model_space_size(m, GVT_SPACE_CFG), GVT_CFG_SIZE);
	CU_ASSERT_EQUAL(gvt_model_space_size(m, GVT_SPACE_BAR0), GVT_BAR0_SIZE);
	CU_ASSERT_EQUAL(gvt_model_space_size(m, GVT_SPACE_BAR2), m->p.aperture_size);
	CU_ASSERT_EQUAL(gvt_model_space_size(m, GVT_NUM_SPACES), 0);
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_NUM_SPACES, 0, &v, 4, false), -EINVAL);
	CU_ASSERT_EQUAL(gvt_model_rw(m, (enum gvt_space)99, 0, &v, 4, true), -EINVAL);
}

/* BAR0 accesses outside the BAR fail without touching anything */
static void test_bar0_bounds(void)
{
	struct gvt_model *m = ut_fresh();
	struct gvt_vgpu_stats st = m->stats;
	u8 buf[16];

	memset(buf, 0x5a, sizeof(buf));
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR0, GVT_BAR0_SIZE, buf, 1, false), -EINVAL);
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR0, GVT_BAR0_SIZE - 4, buf, 8, true), -EINVAL);
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR0, UINT64_MAX, buf, 1, false), -EINVAL);
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR0, 8, buf, UINT64_MAX - 7, true), -EINVAL);
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR0, 1ull << 32, buf, 4, true), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(&st, &m->stats, sizeof(st)), 0);
	CU_ASSERT_EQUAL(buf[0], 0x5a);
	/* the last bytes are inside */
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR0, GVT_BAR0_SIZE - 8, buf, 8, false), 0);
}

/* ---- interrupts ---------------------------------------------------------- */

#define IRQ_R	GVT_IRQ_RENDER_USER
#define IRQ_C	GVT_IRQ_COPY_USER

static u32 reg(enum gvt_reg_index i)
{
	return gvt_reg(ut_m, i);
}

static void test_irq_latch_masked(void)
{
	struct gvt_model *m = ut_fresh();

	/* reset state: nothing enabled, everything masked */
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IER), 0);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IMR), GVT_IRQ_ALL);
	gvt_model_raise_irq(m, IRQ_R);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), IRQ_R);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_ISR), IRQ_R);
	CU_ASSERT_EQUAL(ut_rd(GVT_SPACE_BAR0, GVT_REG_IIR, 4), IRQ_R);
	CU_ASSERT_EQUAL(ut_rd(GVT_SPACE_BAR0, GVT_REG_ISR, 4), IRQ_R);
	CU_ASSERT_EQUAL(ut_irqs, 0);
	CU_ASSERT_EQUAL(m->stats.interrupts, 0);

	/* enabled but still masked: no signal */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IER, 4, IRQ_R);
	CU_ASSERT_EQUAL(ut_irqs, 0);
	/* unmasking the pending bit signals it now */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IMR, 4, GVT_IRQ_ALL & ~IRQ_R);
	CU_ASSERT_EQUAL(ut_irqs, 1);
	CU_ASSERT_EQUAL(ut_irq_live_at_signal, IRQ_R);
	CU_ASSERT_EQUAL(m->stats.interrupts, 1);
	/* rewriting the same mask is not a new event */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IMR, 4, GVT_IRQ_ALL & ~IRQ_R);
	CU_ASSERT_EQUAL(ut_irqs, 1);
}

static void test_irq_enable_later(void)
{
	struct gvt_model *m = ut_fresh();

	/* unmasked but disabled: latched, silent */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IMR, 4, 0);
	gvt_model_raise_irq(m, GVT_IRQ_PLANE_FLIP);
	CU_ASSERT_EQUAL(ut_irqs, 0);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), GVT_IRQ_PLANE_FLIP);
	/* enabling a different bit does not signal the pending one */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IER, 4, GVT_IRQ_GTT_FAULT);
	CU_ASSERT_EQUAL(ut_irqs, 0);
	/* enabling it does */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IER, 4, GVT_IRQ_GTT_FAULT | GVT_IRQ_PLANE_FLIP);
	CU_ASSERT_EQUAL(ut_irqs, 1);
	CU_ASSERT_EQUAL(ut_irq_live_at_signal, GVT_IRQ_PLANE_FLIP);
	/* a byte write to IER's top byte alone is enough, too */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IER, 4, 0);
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IER + 3, 1, GVT_IRQ_PLANE_FLIP >> 24);
	CU_ASSERT_EQUAL(ut_irqs, 2);
	CU_ASSERT_EQUAL(m->stats.interrupts, 2);
}

/* IIR_ACK: IIR read and cleared in one access; a policy's look clears nothing */
static void test_irq_ack_read(void)
{
	struct gvt_model *m = ut_fresh();

	ut_wr(GVT_SPACE_BAR0, GVT_REG_IER, 4, GVT_IRQ_ALL);
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IMR, 4, 0);
	gvt_model_raise_irq(m, IRQ_R | GVT_IRQ_PLANE_FLIP);
	CU_ASSERT_EQUAL(ut_irqs, 1);
	/* a policy's kfunc sees it and leaves it */
	CU_ASSERT_EQUAL(gvt_mmio_get(m, GVT_REG_IIR_ACK, 4),
			IRQ_R | GVT_IRQ_PLANE_FLIP);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), IRQ_R | GVT_IRQ_PLANE_FLIP);
	/* a byte read clears the bits of that byte only */
	CU_ASSERT_EQUAL(ut_rd(GVT_SPACE_BAR0, GVT_REG_IIR_ACK + 3, 1),
			GVT_IRQ_PLANE_FLIP >> 24);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), IRQ_R);
	/* the dword read returns the rest and clears it */
	CU_ASSERT_EQUAL(ut_rd(GVT_SPACE_BAR0, GVT_REG_IIR_ACK, 4), IRQ_R);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), 0);
	CU_ASSERT_EQUAL(ut_rd(GVT_SPACE_BAR0, GVT_REG_IIR_ACK, 4), 0);
	/* ISR keeps the history; nothing was signalled by the clearing */
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_ISR), IRQ_R | GVT_IRQ_PLANE_FLIP);
	CU_ASSERT_EQUAL(ut_irqs, 1);
	/* cleared, the same event signals again */
	gvt_model_raise_irq(m, IRQ_R);
	CU_ASSERT_EQUAL(ut_irqs, 2);
	/* writes are ignored: IIR_ACK is read-only */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IIR_ACK, 4, IRQ_R);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), IRQ_R);
}

static void test_irq_live_raise(void)
{
	struct gvt_model *m = ut_fresh();

	ut_wr(GVT_SPACE_BAR0, GVT_REG_IER, 4, GVT_IRQ_ALL);
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IMR, 4, IRQ_C);
	CU_ASSERT_EQUAL(ut_irqs, 0);

	gvt_model_raise_irq(m, IRQ_R);
	CU_ASSERT_EQUAL(ut_irqs, 1);
	/* already pending: no second signal */
	gvt_model_raise_irq(m, IRQ_R);
	CU_ASSERT_EQUAL(ut_irqs, 1);
	/* masked bit: latched only */
	gvt_model_raise_irq(m, IRQ_C);
	CU_ASSERT_EQUAL(ut_irqs, 1);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), IRQ_R | IRQ_C);
	/* a new live bit while another is pending is a new event */
	gvt_model_raise_irq(m, GVT_IRQ_RENDER_ERROR | IRQ_R);
	CU_ASSERT_EQUAL(ut_irqs, 2);
	CU_ASSERT_EQUAL(ut_irq_live_at_signal, IRQ_R | GVT_IRQ_RENDER_ERROR);
	/* raising nothing is nothing */
	gvt_model_raise_irq(m, 0);
	CU_ASSERT_EQUAL(ut_irqs, 2);
	CU_ASSERT_EQUAL(m->stats.interrupts, 2);
}

static void test_irq_iir_w1c(void)
{
	struct gvt_model *m = ut_fresh();

	ut_wr(GVT_SPACE_BAR0, GVT_REG_IER, 4, GVT_IRQ_ALL);
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IMR, 4, 0);
	gvt_model_raise_irq(m, IRQ_R | IRQ_C | GVT_IRQ_GTT_FAULT);
	CU_ASSERT_EQUAL(ut_irqs, 1);

	/* writing 0 clears nothing */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IIR, 4, 0);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), IRQ_R | IRQ_C | GVT_IRQ_GTT_FAULT);
	/* writing 1 clears exactly those bits */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IIR, 4, IRQ_C);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), IRQ_R | GVT_IRQ_GTT_FAULT);
	/* byte-wide acknowledge of the third byte */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IIR + 2, 1, GVT_IRQ_GTT_FAULT >> 16);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), IRQ_R);
	/* acknowledging is not an event */
	CU_ASSERT_EQUAL(ut_irqs, 1);
	/* after acknowledging, the same bit signals again */
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IIR, 4, 0xffffffff);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), 0);
	gvt_model_raise_irq(m, IRQ_R);
	CU_ASSERT_EQUAL(ut_irqs, 2);
}

static void test_irq_undefined_bits(void)
{
	struct gvt_model *m = ut_fresh();

	ut_wr(GVT_SPACE_BAR0, GVT_REG_IER, 4, 0xffffffff);
	ut_wr(GVT_SPACE_BAR0, GVT_REG_IMR, 4, 0);
	/* only defined bits are writable in IER/IMR */
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IER), GVT_IRQ_ALL);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IMR), 0);
	gvt_model_raise_irq(m, ~GVT_IRQ_ALL);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), 0);
	CU_ASSERT_EQUAL(ut_irqs, 0);
}

static void test_irq_no_env(void)
{
	struct gvt_vgpu_params p;

	ut_default_params(&p);
	CU_ASSERT_EQUAL_FATAL(gvt_model_init(ut_m, &p, NULL, ut_aperture), 0);
	gvt_mmio_write(ut_m, GVT_REG_IER, 4, GVT_IRQ_ALL);
	gvt_mmio_write(ut_m, GVT_REG_IMR, 4, 0);
	/* counted even though nobody listens */
	gvt_model_raise_irq(ut_m, IRQ_R);
	CU_ASSERT_EQUAL(ut_m->stats.interrupts, 1);
	CU_ASSERT_EQUAL(reg(GVT_REGIDX_IIR), IRQ_R);
	/* and the clock reads 0 */
	CU_ASSERT_EQUAL(gvt_mmio_read(ut_m, GVT_REG_TIMESTAMP_LO, 4), 0);
}

/* ---- GTT window ---------------------------------------------------------- */

#define PTE(i)		(GVT_GTT_OFFSET + (u64)(i) * 8)

static void test_gtt_qword(void)
{
	struct gvt_model *m = ut_fresh();
	u64 st = m->stats.gtt_writes;

	ut_wr64(GVT_SPACE_BAR0, PTE(7), 0x1122334455667788ull);
	CU_ASSERT_EQUAL(m->gtt[7], 0x1122334455667788ull);
	CU_ASSERT_EQUAL(m->gtt[6], 0);
	CU_ASSERT_EQUAL(m->gtt[8], 0);
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, PTE(7)), 0x1122334455667788ull);
	/* the dispatcher splits 8 bytes into two dword accesses (documented) */
	CU_ASSERT_EQUAL(m->stats.gtt_writes, st + 2);
	/* GTT accesses are not register accesses */
	CU_ASSERT_EQUAL(m->stats.mmio_writes, 0);
	CU_ASSERT_EQUAL(m->stats.mmio_reads, 0);

	/* first and last entries of the window */
	ut_wr64(GVT_SPACE_BAR0, PTE(0), 0xdeadbeef00000001ull);
	ut_wr64(GVT_SPACE_BAR0, PTE(GVT_GTT_ENTRIES - 1), 0xcafef00d00000003ull);
	CU_ASSERT_EQUAL(m->gtt[0], 0xdeadbeef00000001ull);
	CU_ASSERT_EQUAL(m->gtt[GVT_GTT_ENTRIES - 1], 0xcafef00d00000003ull);
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, PTE(GVT_GTT_ENTRIES - 1)),
			0xcafef00d00000003ull);
}

static void test_gtt_dwords(void)
{
	struct gvt_model *m = ut_fresh();
	u64 st = m->stats.gtt_writes;

	ut_wr(GVT_SPACE_BAR0, PTE(9), 4, 0xa1b2c3d4);
	CU_ASSERT_EQUAL(m->gtt[9], 0xa1b2c3d4ull);
	ut_wr(GVT_SPACE_BAR0, PTE(9) + 4, 4, 0x01020304);
	CU_ASSERT_EQUAL(m->gtt[9], 0x01020304a1b2c3d4ull);
	/* rewriting one half keeps the other */
	ut_wr(GVT_SPACE_BAR0, PTE(9), 4, 0xffff0000);
	CU_ASSERT_EQUAL(m->gtt[9], 0x01020304ffff0000ull);
	CU_ASSERT_EQUAL(ut_rd(GVT_SPACE_BAR0, PTE(9), 4), 0xffff0000);
	CU_ASSERT_EQUAL(ut_rd(GVT_SPACE_BAR0, PTE(9) + 4, 4), 0x01020304);
	CU_ASSERT_EQUAL(m->stats.gtt_writes, st + 3);
	/* 2-byte pieces */
	CU_ASSERT_EQUAL(ut_rd(GVT_SPACE_BAR0, PTE(9) + 6, 2), 0x0102);
	ut_wr(GVT_SPACE_BAR0, PTE(9) + 2, 2, 0x7777);
	CU_ASSERT_EQUAL(m->gtt[9], 0x0102030477770000ull);
}

static void test_gtt_bytes(void)
{
	struct gvt_model *m = ut_fresh();
	u64 st = m->stats.gtt_writes;
	u32 k;

	for (k = 0; k < 8; k++)
		ut_wr(GVT_SPACE_BAR0, PTE(11) + k, 1, 0x10 + k);
	CU_ASSERT_EQUAL(m->gtt[11], 0x1716151413121110ull);
	for (k = 0; k < 8; k++)
		UT_EQ(ut_rd(GVT_SPACE_BAR0, PTE(11) + k, 1), 0x10 + k, "byte %u", k);
	CU_ASSERT_EQUAL(m->stats.gtt_writes, st + 8);
	/* neighbours untouched */
	CU_ASSERT_EQUAL(m->gtt[10], 0);
	CU_ASSERT_EQUAL(m->gtt[12], 0);

	/* an unaligned 8-byte write straddles two entries */
	ut_wr64(GVT_SPACE_BAR0, PTE(20) + 3, 0x8877665544332211ull);
	CU_ASSERT_EQUAL(m->gtt[20], 0x5544332211000000ull);
	CU_ASSERT_EQUAL(m->gtt[21], 0x0000000000887766ull);
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, PTE(20) + 3), 0x8877665544332211ull);
}

static void test_gtt_reset(void)
{
	struct gvt_model *m = ut_fresh();
	u32 i, nz = 0;

	for (i = 0; i < GVT_GTT_ENTRIES; i += 997)
		m->gtt[i] = 0x1000 * i + 1;
	ut_wr64(GVT_SPACE_BAR0, PTE(GVT_GTT_ENTRIES - 1), 0x12345001);
	ut_wr(GVT_SPACE_BAR0, GVT_REG_RESET, 4, GVT_RESET_KEY);
	for (i = 0; i < GVT_GTT_ENTRIES; i++)
		nz += m->gtt[i] != 0;
	CU_ASSERT_EQUAL(nz, 0);
	CU_ASSERT_EQUAL(ut_rd64(GVT_SPACE_BAR0, PTE(GVT_GTT_ENTRIES - 1)), 0);

	/* gvt_model_reset() directly does the same */
	m->gtt[3] = 3;
	gvt_model_reset(m);
	CU_ASSERT_EQUAL(m->gtt[3], 0);
}

/* ---- BAR2: the aperture ------------------------------------------------- */

static void test_aperture_round_trip(void)
{
	struct gvt_model *m = ut_fresh();
	u64 size = gvt_model_space_size(m, GVT_SPACE_BAR2);
	u8 out[64], in[64];
	u32 i;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (u8)(i * 7 + 1);
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR2, 0x1003, out, sizeof(out), true), 0);
	/* the bytes land in the client's buffer at the same offset */
	CU_ASSERT_EQUAL(memcmp(ut_aperture + 0x1003, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(ut_aperture[0x1002], 0);
	CU_ASSERT_EQUAL(ut_aperture[0x1003 + sizeof(out)], 0);
	memset(in, 0, sizeof(in));
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR2, 0x1003, in, sizeof(in), false), 0);
	CU_ASSERT_EQUAL(memcmp(in, out, sizeof(in)), 0);
	CU_ASSERT_EQUAL(m->stats.aperture_accesses, 2);

	/* the last bytes */
	ut_wr(GVT_SPACE_BAR2, size - 4, 4, 0xfeedface);
	CU_ASSERT_EQUAL(ut_rd(GVT_SPACE_BAR2, size - 4, 4), 0xfeedface);
	CU_ASSERT_EQUAL(ut_aperture[size - 1], 0xfe);
	/* the aperture is memory, not registers: untouched by a reset */
	gvt_model_reset(m);
	CU_ASSERT_EQUAL(ut_rd(GVT_SPACE_BAR2, size - 4, 4), 0xfeedface);
}

static void test_aperture_bounds(void)
{
	struct gvt_model *m = ut_fresh();
	u64 size = gvt_model_space_size(m, GVT_SPACE_BAR2);
	u64 acc;
	u8 buf[8];

	memset(buf, 0x33, sizeof(buf));
	acc = m->stats.aperture_accesses;
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR2, size, buf, 1, true), -EINVAL);
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR2, size - 4, buf, 8, true), -EINVAL);
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR2, size - 1, buf, 2, false), -EINVAL);
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR2, UINT64_MAX, buf, 1, false), -EINVAL);
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR2, 4, buf, UINT64_MAX - 3, true), -EINVAL);
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR2, 0, buf, size + 1, false), -EINVAL);
	CU_ASSERT_EQUAL(m->stats.aperture_accesses, acc);
	CU_ASSERT_EQUAL(ut_aperture[size - 4], 0);
	CU_ASSERT_EQUAL(buf[0], 0x33);
	/* exactly the whole aperture is fine */
	CU_ASSERT_EQUAL(gvt_model_rw(m, GVT_SPACE_BAR2, 0, ut_aperture, size, false), 0);
}

CU_TestInfo ut_table_tests[] = {
	{ "global init", test_global_init },
	{ "offsets aligned, in range, unique", test_table_offsets },
	{ "PV-info registers in the PV-info page", test_table_pvinfo },
	{ "enum and table agree", test_table_index_order },
	{ "lookup of every table offset", test_lookup_table_offsets },
	{ "lookup of holes", test_lookup_holes },
	{ "lookup of unaligned offsets", test_lookup_unaligned },
	{ "lookup out of range", test_lookup_out_of_range },
	CU_TEST_INFO_NULL,
};

CU_TestInfo ut_model_tests[] = {
	{ "init rejects bad parameters", test_init_rejects },
	{ "init accepts good parameters", test_init_accepts },
	{ "state after init", test_init_state },
	{ "space sizes", test_space_size },
	{ "BAR0 bounds", test_bar0_bounds },
	CU_TEST_INFO_NULL,
};

CU_TestInfo ut_irq_tests[] = {
	{ "masked interrupt latches, signals on unmask", test_irq_latch_masked },
	{ "disabled interrupt signals on enable", test_irq_enable_later },
	{ "live raise signals once", test_irq_live_raise },
	{ "IIR_ACK reads and clears IIR in one access", test_irq_ack_read },
	{ "IIR is write-1-to-clear", test_irq_iir_w1c },
	{ "undefined interrupt bits", test_irq_undefined_bits },
	{ "no client services", test_irq_no_env },
	CU_TEST_INFO_NULL,
};

CU_TestInfo ut_gtt_window_tests[] = {
	{ "8-byte PTE access", test_gtt_qword },
	{ "4- and 2-byte PTE access", test_gtt_dwords },
	{ "1-byte PTE access", test_gtt_bytes },
	{ "reset clears the GTT", test_gtt_reset },
	CU_TEST_INFO_NULL,
};

CU_TestInfo ut_aperture_tests[] = {
	{ "round trip", test_aperture_round_trip },
	{ "bounds", test_aperture_bounds },
	CU_TEST_INFO_NULL,
};
