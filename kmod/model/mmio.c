// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf device model: the BAR0 register file.
 *
 * Registers come from the one declarative table in include/gvt/gvt_regs.h:
 * offset, reset value, read-only mask and who may write them. What a read
 * computes or a write sets off is the handler table below, one row per
 * register that has behaviour (GVT-g's handlers.c). Every writer - a
 * guest MMIO access, an LRI from a command stream, a policy's
 * gvt_reg_write - goes through gvt_reg_store(), so a register means the
 * same thing whoever writes it. Unknown offsets read 0 and are counted.
 */
#include "gvt_model.h"

#define GVT_REG_INFO(n, off, rst, ro, fl) \
	[GVT_REGIDX_##n] = { .name = #n, .offset = (off), .reset = (rst), \
			     .ro_mask = (ro), .flags = (fl) },
const struct gvt_reg_info gvt_reg_table[GVT_NUM_REGS] = {
	GVT_REG_LIST(GVT_REG_INFO)
};

#undef GVT_REG_INFO

/* reading LO latches HI, so that a LO, HI pair is consistent */
static u32 gvt_timestamp_read(struct gvt_model *m, int idx, u32 bytes,
			      bool act)
{
	u64 now = m->env && m->env->now_ns ? m->env->now_ns(m->env->priv) : 0;

	m->regs[GVT_REGIDX_TIMESTAMP_HI] = (u32)(now >> 32);
	return (u32)now;
}

/*
 * IIR_ACK: IIR, and the bits returned cleared, as a write of them to IIR
 * would (clearing never makes an interrupt live: nothing to signal)
 */
static u32 gvt_iir_ack_read(struct gvt_model *m, int idx, u32 bytes,
			    bool act)
{
	u32 iir = m->regs[GVT_REGIDX_IIR];

	if (act)
		m->regs[GVT_REGIDX_IIR] &= ~(iir & bytes);
	return iir;
}

/* only the key resets; anything else is a stray write and reads back 0 */
static void gvt_reset_write(struct gvt_model *m, int idx,
			    enum gvt_reg_writer w, u32 live_before)
{
	if (m->regs[idx] == GVT_RESET_KEY)
		gvt_model_gpu_reset(m);
	else
		m->regs[idx] = 0;
}

/* IER, IMR, IIR: a pending interrupt may just have become live */
static void gvt_irq_write(struct gvt_model *m, int idx, enum gvt_reg_writer w,
			  u32 live_before)
{
	gvt_model_irq_signal(m, live_before);
}

/* ring CTL and TAIL (the doorbell) of the register's engine */
static void gvt_ring_write(struct gvt_model *m, int idx, enum gvt_reg_writer w,
			   u32 live_before)
{
	u32 rel = gvt_reg_table[idx].offset - GVT_ENGINE_BASE;

	gvt_engine_ring_write(m, rel / GVT_ENGINE_STRIDE,
			      rel % GVT_ENGINE_STRIDE);
}

/* a flip from a command stream takes effect in order and says so */
static void gvt_plane_surf_write(struct gvt_model *m, int idx,
				 enum gvt_reg_writer w, u32 live_before)
{
	if (w == GVT_WRITER_CMD)
		gvt_model_raise_irq(m, GVT_IRQ_PLANE_FLIP);
}

#define GVT_RING_OPS(n)							\
	[GVT_REGIDX_##n##_RING_TAIL] = { .write = gvt_ring_write },	\
	[GVT_REGIDX_##n##_RING_CTL] = { .write = gvt_ring_write },

static const struct gvt_reg_ops gvt_reg_ops[GVT_NUM_REGS] = {
	[GVT_REGIDX_TIMESTAMP_LO] = { .read = gvt_timestamp_read },
	[GVT_REGIDX_RESET] = { .write = gvt_reset_write },
	[GVT_REGIDX_IER] = { .write = gvt_irq_write },
	[GVT_REGIDX_IMR] = { .write = gvt_irq_write },
	[GVT_REGIDX_IIR] = { .write = gvt_irq_write },
	[GVT_REGIDX_IIR_ACK] = { .read = gvt_iir_ack_read },
	GVT_RING_OPS(RCS)
	GVT_RING_OPS(BCS)
	[GVT_REGIDX_PLANE_SURF] = { .write = gvt_plane_surf_write },
};

#undef GVT_RING_OPS

/* dword index in the register file -> table index + 1 (0: no register) */
static u16 gvt_reg_map[GVT_MMIO_SIZE / 4];

int gvt_reg_tables_check(const struct gvt_reg_info *table,
			 const struct gvt_reg_ops *ops, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (!(table[i].flags & GVT_RF_VIRT) != !ops[i].read ||
		    !(table[i].flags & GVT_RF_ACTION) != !ops[i].write)
			return -EINVAL;
	}
	return 0;
}

int gvt_model_global_init(void)
{
	u32 i;
	int ret;

	ret = gvt_reg_tables_check(gvt_reg_table, gvt_reg_ops, GVT_NUM_REGS);
	if (ret)
		return ret;
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

bool gvt_reg_cmd_writable(u32 engine, u32 offset)
{
	int idx = gvt_reg_lookup(offset);
	const struct gvt_reg_info *ri;

	if (idx < 0)
		return false;
	ri = &gvt_reg_table[idx];
	if (!(ri->flags & GVT_RF_CMD))
		return false;
	/* an engine's own registers only from its own stream */
	return !(ri->flags & GVT_RF_ENGINE) ||
	       (ri->offset - GVT_ENGINE_BASE) / GVT_ENGINE_STRIDE == engine;
}

/* a new interrupt became live since @live_before: count and signal it */
void gvt_model_irq_signal(struct gvt_model *m, u32 live_before)
{
	if (gvt_model_irq_live(m) & ~live_before) {
		m->stats.interrupts++;
		if (m->env && m->env->irq)
			m->env->irq(m->env->priv);
	}
}

void gvt_model_raise_irq(struct gvt_model *m, u32 bits)
{
	u32 before = gvt_model_irq_live(m);

	m->regs[GVT_REGIDX_ISR] |= bits & GVT_IRQ_ALL;
	m->regs[GVT_REGIDX_IIR] |= bits & GVT_IRQ_ALL;
	gvt_model_irq_signal(m, before);
}

static bool gvt_reg_writer_may(const struct gvt_reg_info *ri,
			       enum gvt_reg_writer w)
{
	switch (w) {
	case GVT_WRITER_MMIO:
		return !(ri->flags & GVT_RF_RO);
	case GVT_WRITER_CMD:
		return ri->flags & GVT_RF_CMD;
	case GVT_WRITER_POLICY:
		return ri->flags & GVT_RF_POLICY;
	}
	return false;
}

int gvt_reg_store(struct gvt_model *m, int idx, u32 val, u32 bytes,
		  enum gvt_reg_writer w)
{
	const struct gvt_reg_info *ri;
	u32 wmask, live_before;

	if (idx < 0 || idx >= GVT_NUM_REGS)
		return -EINVAL;
	ri = &gvt_reg_table[idx];
	if (!gvt_reg_writer_may(ri, w))
		return -EPERM;
	wmask = bytes & ~ri->ro_mask;
	live_before = gvt_model_irq_live(m);
	if (ri->flags & GVT_RF_W1C)
		m->regs[idx] &= ~(val & wmask);
	else
		m->regs[idx] = (m->regs[idx] & ~wmask) | (val & wmask);
	if (gvt_reg_ops[idx].write)
		gvt_reg_ops[idx].write(m, idx, w, live_before);
	return 0;
}

/* the value of the register at @off; a guest's read (@act) may act */
static u32 gvt_mmio_value(struct gvt_model *m, u32 off, u32 size, bool act)
{
	u32 shift = (off & 3) * 8;
	u32 bytes = size < 4 ? ((1u << (size * 8)) - 1) << shift : ~0u;
	int idx = gvt_reg_lookup(off & ~3u);
	u32 val;

	if (idx < 0)
		return 0;
	val = gvt_reg_ops[idx].read ?
	      gvt_reg_ops[idx].read(m, idx, bytes, act) : m->regs[idx];
	val >>= shift;
	if (size < 4)
		val &= (1u << (size * 8)) - 1;
	return val;
}

u32 gvt_mmio_read(struct gvt_model *m, u32 off, u32 size)
{
	m->stats.mmio_reads++;
	if (gvt_reg_lookup(off & ~3u) < 0)
		m->stats.mmio_unknown++;
	return gvt_mmio_value(m, off, size, true);
}

u32 gvt_mmio_get(struct gvt_model *m, u32 off, u32 size)
{
	return gvt_mmio_value(m, off, size, false);
}

/* @val and the bytes an access of @size at @off covers, in dword place */
static void gvt_mmio_place(u32 off, u32 size, u32 *val, u32 *bytes)
{
	u32 shift = (off & 3) * 8;

	*bytes = size < 4 ? ((1u << (size * 8)) - 1) << shift : ~0u;
	*val <<= shift;
}

void gvt_mmio_write(struct gvt_model *m, u32 off, u32 size, u32 val)
{
	int idx = gvt_reg_lookup(off & ~3u);
	u32 bytes;

	m->stats.mmio_writes++;
	if (idx < 0) {
		m->stats.mmio_unknown++;
		return;
	}
	gvt_mmio_place(off, size, &val, &bytes);
	if (gvt_reg_store(m, idx, val, bytes, GVT_WRITER_MMIO) == -EPERM)
		m->stats.mmio_ro_writes++;
}

int gvt_mmio_put(struct gvt_model *m, u32 off, u32 size, u32 val,
		 enum gvt_reg_writer w)
{
	int idx = gvt_reg_lookup(off & ~3u);
	u32 bytes;

	if (idx < 0)
		return -EINVAL;
	gvt_mmio_place(off, size, &val, &bytes);
	return gvt_reg_store(m, idx, val, bytes, w);
}
