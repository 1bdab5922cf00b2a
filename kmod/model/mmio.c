// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf device model: the BAR0 register file.
 *
 * Registers come from the one declarative table in include/gvt/gvt_regs.h.
 * A write keeps the read-only bits (ro_mask) and the bytes the access did
 * not cover; W1C registers clear the written ones; ACTION registers then
 * run their side effect. Unknown offsets read 0 and are counted.
 */
#include "gvt_model.h"

#define GVT_REG_INFO(n, off, rst, ro, fl) \
	[GVT_REGIDX_##n] = { .name = #n, .offset = (off), .reset = (rst), \
			     .ro_mask = (ro), .flags = (fl) },
const struct gvt_reg_info gvt_reg_table[GVT_NUM_REGS] = {
	GVT_REG_LIST(GVT_REG_INFO)
};

#undef GVT_REG_INFO

/* dword index in the register file -> table index + 1 (0: no register) */
static u16 gvt_reg_map[GVT_MMIO_SIZE / 4];

int gvt_model_global_init(void)
{
	u32 i;

	memset(gvt_reg_map, 0, sizeof(gvt_reg_map));
	for (i = 0; i < GVT_NUM_REGS; i++) {
		u32 off = gvt_reg_table[i].offset;

		if (off % 4 || off >= GVT_MMIO_SIZE || gvt_reg_map[off / 4])
			return -EEXIST;
		gvt_reg_map[off / 4] = (u16)(i + 1);
	}
	return 0;
}

int gvt_reg_lookup(u32 offset)
{
	if (offset % 4 || offset >= GVT_MMIO_SIZE)
		return -1;
	return (int)gvt_reg_map[offset / 4] - 1;
}

static u32 gvt_now_lo(struct gvt_model *m)
{
	u64 now = m->env && m->env->now_ns ? m->env->now_ns(m->env->priv) : 0;

	/* reading LO latches HI so that a LO, HI pair is consistent */
	m->regs[GVT_REGIDX_TIMESTAMP_HI] = (u32)(now >> 32);
	return (u32)now;
}

static u32 gvt_irq_live(const struct gvt_model *m)
{
	return m->regs[GVT_REGIDX_IIR] & m->regs[GVT_REGIDX_IER] &
	       ~m->regs[GVT_REGIDX_IMR];
}

void gvt_model_raise_irq(struct gvt_model *m, u32 bits)
{
	u32 before = gvt_irq_live(m);

	m->regs[GVT_REGIDX_ISR] |= bits & GVT_IRQ_ALL;
	m->regs[GVT_REGIDX_IIR] |= bits & GVT_IRQ_ALL;
	if (gvt_irq_live(m) & ~before) {
		m->stats.interrupts++;
		if (m->env && m->env->irq)
			m->env->irq(m->env->priv);
	}
}

/* IER/IMR/IIR changed: a pending interrupt may just have been unmasked */
static void gvt_irq_update(struct gvt_model *m, u32 live_before)
{
	if (gvt_irq_live(m) & ~live_before) {
		m->stats.interrupts++;
		if (m->env && m->env->irq)
			m->env->irq(m->env->priv);
	}
}

static void gvt_reg_action(struct gvt_model *m, int idx, u32 val,
			   u32 live_before)
{
	switch (idx) {
	case GVT_REGIDX_RESET:
		if (val == GVT_RESET_KEY)
			gvt_model_gpu_reset(m);
		else
			m->regs[idx] = 0;
		break;
	case GVT_REGIDX_IER:
	case GVT_REGIDX_IMR:
	case GVT_REGIDX_IIR:
		gvt_irq_update(m, live_before);
		break;
	default:
		if (gvt_reg_table[idx].flags & GVT_RF_ENGINE) {
			u32 rel = gvt_reg_table[idx].offset - GVT_ENGINE_BASE;

			/* ring CTL and TAIL (the doorbell): engine.c */
			gvt_engine_ring_write(m, rel / GVT_ENGINE_STRIDE,
					      rel % GVT_ENGINE_STRIDE);
		}
		break;
	}
}

u32 gvt_mmio_read(struct gvt_model *m, u32 off, u32 size)
{
	m->stats.mmio_reads++;
	if (gvt_reg_lookup(off & ~3u) < 0)
		m->stats.mmio_unknown++;
	return gvt_mmio_get(m, off, size);
}

u32 gvt_mmio_get(struct gvt_model *m, u32 off, u32 size)
{
	u32 shift = (off & 3) * 8;
	int idx = gvt_reg_lookup(off & ~3u);
	u32 val;

	if (idx < 0)
		return 0;
	if (idx == GVT_REGIDX_TIMESTAMP_LO)
		val = gvt_now_lo(m);
	else
		val = m->regs[idx];
	val >>= shift;
	if (size < 4)
		val &= (1u << (size * 8)) - 1;
	return val;
}

void gvt_mmio_write(struct gvt_model *m, u32 off, u32 size, u32 val)
{
	int idx = gvt_reg_lookup(off & ~3u);

	m->stats.mmio_writes++;
	if (idx < 0) {
		m->stats.mmio_unknown++;
		return;
	}
	if (gvt_reg_table[idx].flags & GVT_RF_RO) {
		m->stats.mmio_ro_writes++;
		return;
	}
	gvt_mmio_put(m, off, size, val);
}

void gvt_mmio_put(struct gvt_model *m, u32 off, u32 size, u32 val)
{
	u32 shift = (off & 3) * 8;
	u32 bytes = size < 4 ? ((1u << (size * 8)) - 1) << shift : ~0u;
	int idx = gvt_reg_lookup(off & ~3u);
	const struct gvt_reg_info *ri;
	u32 wmask, live_before;

	if (idx < 0 || (gvt_reg_table[idx].flags & GVT_RF_RO))
		return;
	ri = &gvt_reg_table[idx];
	val <<= shift;
	wmask = bytes & ~ri->ro_mask;
	live_before = gvt_irq_live(m);
	if (ri->flags & GVT_RF_W1C)
		m->regs[idx] &= ~(val & wmask);
	else
		m->regs[idx] = (m->regs[idx] & ~wmask) | (val & wmask);
	if (ri->flags & GVT_RF_ACTION)
		gvt_reg_action(m, idx, m->regs[idx], live_before);
}
