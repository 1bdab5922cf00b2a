/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gvt-bpf device model: one vGPU's PCI config space, register file, GTT and
 * aperture, with the semantics the guest sees. It knows nothing of VFIO,
 * KVM or the kernel: the module's VFIO glue is one client, the unit tests
 * and fuzzers are others. Callers serialize access to one model.
 */
#ifndef GVT_MODEL_H
#define GVT_MODEL_H

#include "gvt_compat.h"

/* the address spaces a client can access */
enum gvt_space {
	GVT_SPACE_CFG,		/* PCI configuration space */
	GVT_SPACE_BAR0,		/* registers + GTT window */
	GVT_SPACE_BAR2,		/* aperture */
	GVT_NUM_SPACES
};

/* what a vGPU owns of the parent, decided when it is created */
struct gvt_vgpu_params {
	u32 id;
	u32 type_div;		/* 1/n of the parent */
	u32 weight;
	u32 aperture_base;	/* graphics addresses */
	u32 aperture_size;	/* bytes, power of two: also the BAR2 size */
	u32 hidden_base;
	u32 hidden_size;
	u32 fences;
	u32 contexts;
};

/* services the client gives the model */
struct gvt_model_env {
	void *priv;
	u64 (*now_ns)(void *priv);
	/* an enabled, unmasked interrupt became pending */
	void (*irq)(void *priv);
};

struct gvt_model {
	struct gvt_vgpu_params p;
	const struct gvt_model_env *env;
	u8 cfg[GVT_CFG_SIZE];
	u8 cfg_wmask[GVT_CFG_SIZE];	/* bits a write may change */
	u8 cfg_w1cmask[GVT_CFG_SIZE];	/* bits a write of 1 clears */
	u32 regs[GVT_NUM_REGS];		/* by enum gvt_reg_index */
	u32 ts_hi_latch;
	u8 *aperture;			/* p.aperture_size bytes, client-owned */
	struct gvt_vgpu_stats stats;
	u64 gtt[GVT_GTT_ENTRIES];
};

/* static facts about one register, from GVT_REG_LIST */
struct gvt_reg_info {
	const char *name;
	u32 offset;
	u32 reset;
	u32 ro_mask;
	u32 flags;
};

extern const struct gvt_reg_info gvt_reg_table[GVT_NUM_REGS];

/* builds the offset lookup; -EEXIST on a duplicate or overlapping offset */
int gvt_model_global_init(void);
/* index of the register at a dword-aligned offset, or -1 */
int gvt_reg_lookup(u32 offset);

int gvt_model_init(struct gvt_model *m, const struct gvt_vgpu_params *p,
		   const struct gvt_model_env *env, u8 *aperture);
void gvt_model_reset(struct gvt_model *m);

/* size of an address space in bytes (0 for an unknown space) */
u64 gvt_model_space_size(const struct gvt_model *m, enum gvt_space sp);

/*
 * Read or write @len bytes at @off of @sp, split into naturally aligned
 * 4/2/1-byte accesses. Returns 0, or -EINVAL when the range is not inside
 * the space (nothing is accessed then).
 */
int gvt_model_rw(struct gvt_model *m, enum gvt_space sp, u64 off,
		 void *buf, size_t len, bool write);

/* one register access of 1, 2 or 4 bytes inside BAR0's register file */
u32 gvt_mmio_read(struct gvt_model *m, u32 off, u32 size);
void gvt_mmio_write(struct gvt_model *m, u32 off, u32 size, u32 val);

/* config space pieces, used by the dispatcher (cfg.c) */
void gvt_cfg_init(struct gvt_model *m);
void gvt_cfg_reset(struct gvt_model *m);
void gvt_cfg_access(struct gvt_model *m, u32 off, u8 *buf, u32 len,
		    bool write);

/* latch interrupt bits in IIR and signal the client if they are live */
void gvt_model_raise_irq(struct gvt_model *m, u32 bits);

static inline u32 gvt_reg(const struct gvt_model *m, enum gvt_reg_index i)
{
	return m->regs[i];
}

static inline bool gvt_model_msi_enabled(const struct gvt_model *m)
{
	return gvt_get16(&m->cfg[GVT_CFG_MSI_OFFSET + PCI_MSI_FLAGS]) &
	       PCI_MSI_FLAGS_ENABLE;
}

static inline bool gvt_model_msi_masked(const struct gvt_model *m)
{
	return gvt_get32(&m->cfg[GVT_CFG_MSI_OFFSET + PCI_MSI_MASK_64]) & 1;
}

static inline bool gvt_model_intx_disabled(const struct gvt_model *m)
{
	return gvt_get16(&m->cfg[PCI_COMMAND]) & PCI_COMMAND_INTX_DISABLE;
}

#endif /* GVT_MODEL_H */
