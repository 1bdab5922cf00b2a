// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf device model: creation, reset and the access dispatcher that
 * every client (VFIO glue, tests, fuzzers) goes through.
 */
#include "gvt_model.h"

static void gvt_pvinfo_fill(struct gvt_model *m)
{
	const struct gvt_vgpu_params *p = &m->p;

	m->regs[GVT_REGIDX_PV_VGPU_ID] = p->id;
	m->regs[GVT_REGIDX_PV_TYPE_DIV] = p->type_div;
	m->regs[GVT_REGIDX_PV_APERTURE_BASE] = p->aperture_base;
	m->regs[GVT_REGIDX_PV_APERTURE_SIZE] = p->aperture_size;
	m->regs[GVT_REGIDX_PV_HIDDEN_BASE] = p->hidden_base;
	m->regs[GVT_REGIDX_PV_HIDDEN_SIZE] = p->hidden_size;
	m->regs[GVT_REGIDX_PV_FENCES] = p->fences;
	m->regs[GVT_REGIDX_PV_CONTEXTS] = p->contexts;
	m->regs[GVT_REGIDX_PV_WEIGHT] = p->weight;
}

static bool gvt_pow2(u32 v)
{
	return v && !(v & (v - 1));
}

int gvt_model_init(struct gvt_model *m, const struct gvt_vgpu_params *p,
		   const struct gvt_model_env *env, u8 *aperture)
{
	u64 gm_end = (u64)p->hidden_base + p->hidden_size;
	u64 ap_end = (u64)p->aperture_base + p->aperture_size;

	if (!gvt_pow2(p->aperture_size) || p->aperture_size < GVT_PAGE_SIZE ||
	    p->aperture_base % GVT_PAGE_SIZE || p->hidden_base % GVT_PAGE_SIZE ||
	    p->hidden_size % GVT_PAGE_SIZE || ap_end > GVT_GM_SPACE ||
	    gm_end > GVT_GM_SPACE || !aperture || !p->type_div ||
	    p->weight < GVT_WEIGHT_MIN || p->weight > GVT_WEIGHT_MAX)
		return -EINVAL;

	memset(m, 0, sizeof(*m));
	m->p = *p;
	m->env = env;
	m->aperture = aperture;
	gvt_cfg_init(m);
	gvt_model_reset(m);
	m->stats.resets = 0;
	return 0;
}

/*
 * GPU reset, what the driver asks for through the RESET register: every
 * register back to its documented reset value, GTT cleared, engines idle.
 * The PCI function is untouched: the VMM wrote the guest's MSI setup
 * through and will not write it again.
 */
void gvt_model_gpu_reset(struct gvt_model *m)
{
	u32 i;

	for (i = 0; i < GVT_NUM_REGS; i++)
		m->regs[i] = gvt_reg_table[i].reset;
	gvt_pvinfo_fill(m);
	memset(m->gtt, 0, sizeof(m->gtt));
	gvt_engines_reset(m);
	m->stats.resets++;
}

/* Device (function-level) reset: the GPU and its PCI function. */
void gvt_model_reset(struct gvt_model *m)
{
	gvt_model_gpu_reset(m);
	gvt_cfg_reset(m);
	gvt_model_msi_set_pending(m, false);
}

u64 gvt_model_space_size(const struct gvt_model *m, enum gvt_space sp)
{
	switch (sp) {
	case GVT_SPACE_CFG:
		return GVT_CFG_SIZE;
	case GVT_SPACE_BAR0:
		return GVT_BAR0_SIZE;
	case GVT_SPACE_BAR2:
		return m->p.aperture_size;
	default:
		return 0;
	}
}

static void gvt_gtt_access(struct gvt_model *m, u32 off, u8 *buf, u32 len,
			   bool write)
{
	u32 idx = off / 8, shift = (off % 8) * 8;
	u64 mask, val = 0;

	memcpy(&val, buf, len);
	mask = (len == 8 ? ~0ull : ((1ull << (len * 8)) - 1)) << shift;
	if (write) {
		m->gtt[idx] = (m->gtt[idx] & ~mask) | ((val << shift) & mask);
		m->stats.gtt_writes++;
	} else {
		val = (m->gtt[idx] & mask) >> shift;
		memcpy(buf, &val, len);
	}
}

static void gvt_bar0_access(struct gvt_model *m, u32 off, u8 *buf, u32 len,
			    bool write)
{
	u32 val = 0;

	if (off >= GVT_GTT_OFFSET) {
		gvt_gtt_access(m, off - GVT_GTT_OFFSET, buf, len, write);
		return;
	}
	if (write)
		memcpy(&val, buf, len);
	/* policies see the register file only, not the hole before the GTT */
	switch (off < GVT_MMIO_SIZE && m->env && m->env->mmio_hook ?
		m->env->mmio_hook(m->env->priv, off, len, &val, write) :
		GVT_MMIO_PASS) {
	case GVT_MMIO_HANDLED:
		m->stats.mmio_bpf_handled++;
		if (write)
			m->stats.mmio_writes++;
		else
			m->stats.mmio_reads++;
		break;
	case GVT_MMIO_DENY:
		m->stats.mmio_denied++;
		if (write)
			m->stats.mmio_writes++;
		else
			m->stats.mmio_reads++;
		val = 0;
		break;
	default:
		if (write)
			gvt_mmio_write(m, off, len, val);
		else
			val = gvt_mmio_read(m, off, len);
		break;
	}
	if (!write) {
		if (len < 4)
			val &= (1u << (len * 8)) - 1;
		memcpy(buf, &val, len);
	}
}

int gvt_model_rw(struct gvt_model *m, enum gvt_space sp, u64 off,
		 void *buf, size_t len, bool write)
{
	u64 size = gvt_model_space_size(m, sp);
	u16 cmd_before;
	u8 *p = buf;

	if (!size || off >= size || len > size - off)
		return -EINVAL;
	if (!len)
		return 0;

	if (sp == GVT_SPACE_BAR2) {
		if (write)
			memcpy(m->aperture + off, buf, len);
		else
			memcpy(buf, m->aperture + off, len);
		m->stats.aperture_accesses++;
		return 0;
	}

	cmd_before = gvt_get16(&m->cfg[PCI_COMMAND]);
	while (len) {
		u32 n = (len >= 4 && !(off % 4)) ? 4 :
			(len >= 2 && !(off % 2)) ? 2 : 1;

		if (sp == GVT_SPACE_CFG)
			gvt_cfg_access(m, (u32)off, p, n, write);
		else
			gvt_bar0_access(m, (u32)off, p, n, write);
		off += n;
		p += n;
		len -= n;
	}
	if (sp == GVT_SPACE_CFG && write)
		gvt_cfg_written(m, cmd_before);
	return 0;
}
