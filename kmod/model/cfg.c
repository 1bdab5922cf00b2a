// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf device model: PCI configuration space.
 *
 * Every byte has a write mask and a write-1-to-clear mask, as a real
 * device's config space does; BAR sizing falls out of the BAR's write mask
 * (the size bits are read-only zero), so a VMM's "write all ones, read back"
 * probe works without a special case.
 */
#include "gvt_model.h"

static void cfg_set16(struct gvt_model *m, u32 off, u16 v, u16 wmask)
{
	gvt_put16(&m->cfg[off], v);
	gvt_put16(&m->cfg_wmask[off], wmask);
}

static void cfg_set32(struct gvt_model *m, u32 off, u32 v, u32 wmask)
{
	gvt_put32(&m->cfg[off], v);
	gvt_put32(&m->cfg_wmask[off], wmask);
}

/* Builds the config space of a vGPU from its parameters. */
void gvt_cfg_init(struct gvt_model *m)
{
	u32 msi = GVT_CFG_MSI_OFFSET, vndr = GVT_CFG_VNDR_OFFSET;

	memset(m->cfg, 0, sizeof(m->cfg));
	memset(m->cfg_wmask, 0, sizeof(m->cfg_wmask));
	memset(m->cfg_w1cmask, 0, sizeof(m->cfg_w1cmask));

	cfg_set16(m, PCI_VENDOR_ID, GVT_PCI_VENDOR_ID, 0);
	cfg_set16(m, PCI_DEVICE_ID, GVT_PCI_DEVICE_ID, 0);
	cfg_set16(m, PCI_COMMAND, 0, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		  PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	cfg_set16(m, PCI_STATUS, PCI_STATUS_CAP_LIST, 0);
	gvt_put16(&m->cfg_w1cmask[PCI_STATUS], PCI_STATUS_SIG_TARGET_ABORT |
		  PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
		  PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY);
	cfg_set32(m, PCI_CLASS_REVISION,
		  (GVT_PCI_CLASS << 8) | GVT_PCI_REVISION, 0);
	m->cfg[PCI_CACHE_LINE_SIZE] = 0;
	m->cfg_wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	m->cfg_wmask[PCI_LATENCY_TIMER] = 0xff;
	m->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;

	/* BAR0: 32-bit memory, registers and GTT window */
	cfg_set32(m, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_SPACE_MEMORY |
		  PCI_BASE_ADDRESS_MEM_TYPE_32, ~(GVT_BAR0_SIZE - 1));
	/* BAR2/3: 64-bit prefetchable memory, the aperture */
	cfg_set32(m, PCI_BASE_ADDRESS_2, PCI_BASE_ADDRESS_SPACE_MEMORY |
		  PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
		  ~(m->p.aperture_size - 1));
	cfg_set32(m, PCI_BASE_ADDRESS_3, 0, 0xffffffff);

	cfg_set16(m, PCI_SUBSYSTEM_VENDOR_ID, GVT_PCI_SUBVENDOR_ID, 0);
	cfg_set16(m, PCI_SUBSYSTEM_ID, GVT_PCI_SUBDEVICE_ID, 0);
	m->cfg[PCI_CAPABILITY_LIST] = msi;
	m->cfg[PCI_INTERRUPT_LINE] = 0xff;
	m->cfg_wmask[PCI_INTERRUPT_LINE] = 0xff;
	m->cfg[PCI_INTERRUPT_PIN] = 1;	/* INTA# */

	/* MSI: one vector, 64-bit address, per-vector mask */
	m->cfg[msi + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSI;
	m->cfg[msi + PCI_CAP_LIST_NEXT] = vndr;
	cfg_set16(m, msi + PCI_MSI_FLAGS,
		  PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT,
		  PCI_MSI_FLAGS_ENABLE);
	cfg_set32(m, msi + PCI_MSI_ADDRESS_LO, 0, 0xfffffffc);
	cfg_set32(m, msi + PCI_MSI_ADDRESS_HI, 0, 0xffffffff);
	cfg_set16(m, msi + PCI_MSI_DATA_64, 0, 0xffff);
	cfg_set32(m, msi + PCI_MSI_MASK_64, 0, 0x1);
	cfg_set32(m, msi + PCI_MSI_PENDING_64, 0, 0);

	/* vendor capability: where a driver finds the PV-info page */
	m->cfg[vndr + PCI_CAP_LIST_ID] = PCI_CAP_ID_VNDR;
	m->cfg[vndr + PCI_CAP_LIST_NEXT] = 0;
	m->cfg[vndr + 2] = GVT_CFG_VNDR_SIZE;
	cfg_set32(m, vndr + 4, GVT_ID_MAGIC, 0);
	cfg_set32(m, vndr + 8, GVT_PVINFO_BASE, 0);
}

/*
 * Device reset: the function stops decoding and interrupting; BAR
 * addresses stay so that a VMM need not re-program them.
 */
void gvt_cfg_reset(struct gvt_model *m)
{
	u16 flags;

	gvt_put16(&m->cfg[PCI_COMMAND], 0);
	gvt_put16(&m->cfg[PCI_STATUS], PCI_STATUS_CAP_LIST);
	flags = gvt_get16(&m->cfg[GVT_CFG_MSI_OFFSET + PCI_MSI_FLAGS]);
	gvt_put16(&m->cfg[GVT_CFG_MSI_OFFSET + PCI_MSI_FLAGS],
		  flags & ~PCI_MSI_FLAGS_ENABLE);
	gvt_put32(&m->cfg[GVT_CFG_MSI_OFFSET + PCI_MSI_MASK_64], 0);
}

/* one byte-granular access; the caller checked the range */
void gvt_cfg_access(struct gvt_model *m, u32 off, u8 *buf, u32 len,
		    bool write)
{
	u32 i;

	if (!write) {
		memcpy(buf, &m->cfg[off], len);
		m->stats.cfg_reads++;
		return;
	}
	for (i = 0; i < len; i++) {
		u8 old = m->cfg[off + i];
		u8 wm = m->cfg_wmask[off + i];
		u8 w1c = m->cfg_w1cmask[off + i];

		m->cfg[off + i] = ((old & ~wm) | (buf[i] & wm)) & ~(buf[i] & w1c);
	}
	m->stats.cfg_writes++;
}

void gvt_cfg_written(struct gvt_model *m, u16 cmd_before)
{
	bool intx_enabled = (cmd_before & PCI_COMMAND_INTX_DISABLE) &&
			    !gvt_model_intx_disabled(m);

	if (!m->env || !m->env->irq)
		return;
	/*
	 * MSI is edge: a message held back (Pending) by the per-vector mask
	 * would be lost unless sent once the vector is unmasked.
	 */
	if (gvt_model_msi_pending(m) && gvt_model_msi_enabled(m) &&
	    !gvt_model_msi_masked(m) && gvt_model_bus_master(m)) {
		gvt_model_msi_set_pending(m, false);
		m->env->irq(m->env->priv);
		return;
	}
	/* INTx is level: re-enabled while asserted, the line is up again */
	if (intx_enabled && !gvt_model_msi_enabled(m) && gvt_model_irq_live(m))
		m->env->irq(m->env->priv);
}
