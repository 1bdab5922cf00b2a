// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf device model: the GTT, from graphics addresses to guest memory.
 *
 * The guest writes PTEs through the GTT window of BAR0 freely (model.c
 * stores them); nothing is trusted until an engine uses an entry. Then the
 * graphics address must lie inside the vGPU's own share of graphics memory
 * and the PTE must be valid, and the IOVA it names is reached only through
 * env->dma_rw, i.e. only where the VMM mapped guest memory. So a guest can
 * at worst reach its own pages, never another vGPU's share or host memory.
 */
#include "gvt_model.h"

static bool gvt_in_range(u64 ga, u64 len, u32 base, u32 size)
{
	return ga >= base && len <= size && ga - base <= size - len;
}

bool gvt_gm_owned(const struct gvt_model *m, u64 ga, u64 len)
{
	if (!len)
		return false;
	return gvt_in_range(ga, len, m->p.aperture_base, m->p.aperture_size) ||
	       gvt_in_range(ga, len, m->p.hidden_base, m->p.hidden_size);
}

int gvt_gtt_translate(const struct gvt_model *m, u32 ga, u64 *iova)
{
	u64 pte;

	if (!(m->regs[GVT_REGIDX_GTT_CTL] & GVT_GTT_CTL_ENABLE) ||
	    !gvt_gm_owned(m, ga, 1) || ga / GVT_PAGE_SIZE >= GVT_GTT_ENTRIES)
		return -EFAULT;
	pte = m->gtt[ga / GVT_PAGE_SIZE];
	if (!(pte & GVT_PTE_VALID))
		return -EFAULT;
	*iova = (pte & GVT_PTE_ADDR_MASK) | (ga % GVT_PAGE_SIZE);
	return 0;
}

int gvt_gm_rw(struct gvt_model *m, u32 ga, void *buf, u32 len, bool write,
	      u32 *fault_ga)
{
	u8 *p = buf;

	if (!m->env || !m->env->dma_rw) {
		*fault_ga = ga;
		return -EFAULT;
	}
	while (len) {
		u32 n = GVT_PAGE_SIZE - ga % GVT_PAGE_SIZE;
		u64 iova;

		if (n > len)
			n = len;
		/* a wrap of the 32-bit address is not owned memory either */
		if ((u64)ga + n > GVT_GA_END ||
		    gvt_gtt_translate(m, ga, &iova) ||
		    m->env->dma_rw(m->env->priv, iova, p, n, write)) {
			*fault_ga = ga;
			return -EFAULT;
		}
		ga += n;
		p += n;
		len -= n;
	}
	return 0;
}
