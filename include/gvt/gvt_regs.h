/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gvt-bpf virtual GPU: PCI identity, BAR layout and the MMIO register map.
 *
 * This is the single definition of every register of the device. The
 * kernel module, the BPF policies, the tools and the tests all include it.
 * docs: include/gvt/PROGRAMMING.md describes how a driver uses them.
 *
 * All registers are 32 bits wide, little endian, in BAR0. Offsets not in
 * GVT_REG_LIST read as 0, ignore writes and are counted as unknown accesses.
 */
#ifndef GVT_REGS_H
#define GVT_REGS_H

/* ---- PCI identity ------------------------------------------------------ */

/*
 * Vendor 0x1b36 device range used by software-defined devices (the kernel's
 * mdev samples use it too); the device id is this project's.
 */
#define GVT_PCI_VENDOR_ID		0x1b36
#define GVT_PCI_DEVICE_ID		0x10f0
#define GVT_PCI_SUBVENDOR_ID		0x1b36
#define GVT_PCI_SUBDEVICE_ID		0x0001
#define GVT_PCI_REVISION		0x01
#define GVT_PCI_CLASS			0x038000	/* display, other */

#define GVT_CFG_SIZE			256u
#define GVT_CFG_MSI_OFFSET		0x40	/* MSI capability */
#define GVT_CFG_VNDR_OFFSET		0x58	/* vendor capability */
#define GVT_CFG_VNDR_SIZE		12
/* vendor capability payload: u32 at +4 = GVT_ID_MAGIC, u32 at +8 = GVT_PVINFO_BASE */

/* ---- BARs -------------------------------------------------------------- */

#define GVT_BAR0_SIZE			0x200000u	/* 2 MiB, 32-bit mem */
#define GVT_MMIO_SIZE			0x10000u	/* register file */
#define GVT_GTT_OFFSET			0x100000u	/* GTT window in BAR0 */
#define GVT_GTT_WINDOW_SIZE		0x100000u	/* 128 Ki 8-byte PTEs */
#define GVT_GTT_ENTRIES			(GVT_GTT_WINDOW_SIZE / 8)
#define GVT_PAGE_SIZE			4096u
/* graphics addresses are 32 bits: the end of that space, its last dword */
#define GVT_GA_END			(1ull << 32)
#define GVT_GA_LAST_DWORD		(GVT_GA_END - 4)
/* graphics address space covered by the GTT: 512 MiB */
#define GVT_GM_SPACE			((unsigned long long)GVT_GTT_ENTRIES * GVT_PAGE_SIZE)
/* BAR2 (64-bit, prefetchable) is the vGPU's aperture; its size is per type */

/* ---- register offsets -------------------------------------------------- */

/* identification */
#define GVT_REG_ID			0x0000	/* RO: GVT_ID_MAGIC */
#define GVT_REG_VERSION			0x0004	/* RO: major << 16 | minor */
#define GVT_REG_CAPS			0x0008	/* RO: GVT_CAP_* */
#define GVT_REG_NUM_ENGINES		0x000c	/* RO */
#define GVT_REG_TIMESTAMP_LO		0x0010	/* RO: GPU clock, ns; LO latches HI */
#define GVT_REG_TIMESTAMP_HI		0x0014	/* RO */
#define GVT_REG_SCRATCH			0x0018	/* RW: free for the driver */
#define GVT_REG_RESET			0x0020	/* WO: GVT_RESET_KEY resets the GPU (not PCI config) */
#define GVT_REG_STATUS			0x0024	/* RO: GVT_STATUS_* */
#define GVT_REG_ERROR			0x0028	/* RO: last GVT_ERR_* */
#define GVT_REG_ERROR_ADDR		0x002c	/* RO: address of the last error */
#define GVT_REG_ERROR_COUNT		0x0030	/* RO: errors since reset */

/*
 * interrupts: IIR latches every interrupt raised (write 1 to clear); one is
 * delivered when IIR & IER & ~IMR gains a bit. ISR is sticky: every
 * interrupt raised since the last reset, for diagnosis. A read of IIR_ACK
 * returns IIR and clears the bits it returned: a handler's read and clear
 * in one access.
 */
#define GVT_REG_IER			0x0100	/* RW: enable */
#define GVT_REG_IMR			0x0104	/* RW: mask (1 = masked) */
#define GVT_REG_IIR			0x0108	/* RW1C: identity */
#define GVT_REG_ISR			0x010c	/* RO */
#define GVT_REG_IIR_ACK			0x0110	/* RO: IIR, cleared by the read */

/* GTT */
#define GVT_REG_GTT_CTL			0x0200	/* RW: GVT_GTT_CTL_* */
#define GVT_REG_GTT_ENTRIES		0x0204	/* RO: PTEs in the window */

/* engines: GVT_NUM_ENGINES blocks of GVT_ENGINE_STRIDE from GVT_ENGINE_BASE */
#define GVT_NUM_ENGINES			2
#define GVT_ENGINE_RENDER		0
#define GVT_ENGINE_COPY			1
#define GVT_ENGINE_BASE			0x2000
#define GVT_ENGINE_STRIDE		0x100
#define GVT_RING_START			0x00	/* RW: graphics address, page aligned */
#define GVT_RING_HEAD			0x04	/* RO: byte offset the engine reached */
#define GVT_RING_TAIL			0x08	/* RW: doorbell, byte offset, qword aligned */
#define GVT_RING_CTL			0x0c	/* RW: GVT_RING_CTL_* */
#define GVT_RING_SEQNO			0x10	/* RO: last completed seqno, written by LRI */
#define GVT_RING_STATUS			0x14	/* RO: GVT_RING_STATUS_* */
#define GVT_RING_BUSY_NS_LO		0x18	/* RO: GPU time used, ns */
#define GVT_RING_BUSY_NS_HI		0x1c	/* RO */
#define GVT_ENGINE_REG(e, r)		(GVT_ENGINE_BASE + (e) * GVT_ENGINE_STRIDE + (r))

/* display plane */
#define GVT_REG_PLANE_CTL		0x3000	/* RW: GVT_PLANE_CTL_* */
#define GVT_REG_PLANE_SURF		0x3004	/* RW: graphics address, page aligned */
#define GVT_REG_PLANE_WIDTH		0x3008	/* RW: pixels, 1..GVT_PLANE_MAX_DIM */
#define GVT_REG_PLANE_HEIGHT		0x300c	/* RW */
#define GVT_REG_PLANE_STRIDE		0x3010	/* RW: bytes, multiple of 64 */

/* PV-info page: what the vGPU tells its driver about itself (all RO) */
#define GVT_PVINFO_BASE			0x1000
#define GVT_PVINFO_SIZE			0x1000
#define GVT_PV_MAGIC_LO			0x1000	/* "GVTBPFPV" */
#define GVT_PV_MAGIC_HI			0x1004
#define GVT_PV_VERSION			0x1008
#define GVT_PV_VGPU_ID			0x100c
#define GVT_PV_TYPE_DIV			0x1010	/* type: 1/n of the parent */
#define GVT_PV_FEATURES			0x1014	/* GVT_PV_FEAT_* */
#define GVT_PV_APERTURE_BASE		0x1018	/* graphics address of the aperture part */
#define GVT_PV_APERTURE_SIZE		0x101c
#define GVT_PV_HIDDEN_BASE		0x1020	/* graphics address of the hidden part */
#define GVT_PV_HIDDEN_SIZE		0x1024
#define GVT_PV_FENCES			0x1028
#define GVT_PV_CONTEXTS			0x102c
#define GVT_PV_WEIGHT			0x1030	/* scheduling weight */

/* ---- register values ---------------------------------------------------- */

#define GVT_ID_MAGIC			0x42545647u	/* "GVTB" little endian */
#define GVT_VERSION_MAJOR		1
#define GVT_VERSION_MINOR		0
#define GVT_VERSION_VALUE		((GVT_VERSION_MAJOR << 16) | GVT_VERSION_MINOR)
#define GVT_PV_MAGIC_LO_VALUE		0x42545647u	/* "GVTB" */
#define GVT_PV_MAGIC_HI_VALUE		0x56504650u	/* "PFPV" */
#define GVT_PV_VERSION_VALUE		1

#define GVT_CAP_GTT			(1u << 0)
#define GVT_CAP_RINGS			(1u << 1)
#define GVT_CAP_DISPLAY			(1u << 2)
#define GVT_CAP_MSI			(1u << 3)
#define GVT_CAPS_VALUE			(GVT_CAP_GTT | GVT_CAP_RINGS | GVT_CAP_DISPLAY | GVT_CAP_MSI)

#define GVT_PV_FEAT_BALLOON		(1u << 0)	/* ranges above are binding */
#define GVT_PV_FEATURES_VALUE		GVT_PV_FEAT_BALLOON

#define GVT_RESET_KEY			0x52534554u	/* "TESR": guards stray writes */

#define GVT_STATUS_FAILED		(1u << 0)	/* misbehaved: reset needed */
/* errors since reset (refused/faulting workloads, bad TAILs) that fail it */
#define GVT_ERROR_FAIL_LIMIT		4

/* interrupt bits (IER/IMR/IIR/ISR) */
#define GVT_IRQ_RENDER_USER		(1u << 0)
#define GVT_IRQ_COPY_USER		(1u << 1)
#define GVT_IRQ_RENDER_ERROR		(1u << 8)
#define GVT_IRQ_COPY_ERROR		(1u << 9)
#define GVT_IRQ_GTT_FAULT		(1u << 16)
#define GVT_IRQ_PLANE_FLIP		(1u << 24)
#define GVT_IRQ_ALL			(GVT_IRQ_RENDER_USER | GVT_IRQ_COPY_USER |	\
					 GVT_IRQ_RENDER_ERROR | GVT_IRQ_COPY_ERROR |	\
					 GVT_IRQ_GTT_FAULT | GVT_IRQ_PLANE_FLIP)
#define GVT_IRQ_USER(e)			(GVT_IRQ_RENDER_USER << (e))
#define GVT_IRQ_ERROR(e)		(GVT_IRQ_RENDER_ERROR << (e))

#define GVT_GTT_CTL_ENABLE		(1u << 0)	/* engines translate through the GTT */

/*
 * A GTT entry (PTE, 8 bytes at GVT_GTT_OFFSET + 8 * (graphics address >> 12)):
 * bit 0 valid, bits 12..63 the IOVA of the guest page (the guest physical
 * address under a stock VMM). An entry is used only when its graphics
 * address lies in the vGPU's aperture or hidden range (PV-info); using any
 * other entry, an invalid one, or one whose IOVA the VMM did not map is a
 * GTT fault (GVT_ERR_GTT_FAULT, GVT_IRQ_GTT_FAULT).
 */
#define GVT_PTE_VALID			(1ull << 0)
#define GVT_PTE_ADDR_MASK		(~0xfffull)

#define GVT_RING_CTL_ENABLE		(1u << 0)
#define GVT_RING_CTL_SIZE_SHIFT		12		/* ring size in pages - 1 */
#define GVT_RING_CTL_SIZE_MASK		(0x1ffu << GVT_RING_CTL_SIZE_SHIFT)
#define GVT_RING_MAX_PAGES		512
#define GVT_RING_STATUS_IDLE		(1u << 0)
#define GVT_RING_STATUS_ERROR		(1u << 1)

#define GVT_PLANE_CTL_ENABLE		(1u << 0)
#define GVT_PLANE_CTL_FORMAT_SHIFT	4
#define GVT_PLANE_CTL_FORMAT_MASK	(0xfu << GVT_PLANE_CTL_FORMAT_SHIFT)
#define GVT_PLANE_FORMAT_XRGB8888	0
#define GVT_PLANE_MAX_DIM		4096

/* error codes in GVT_REG_ERROR */
#define GVT_ERR_NONE			0
#define GVT_ERR_BAD_OPCODE		1
#define GVT_ERR_BAD_REGISTER		2
#define GVT_ERR_BAD_ADDRESS		3
#define GVT_ERR_BATCH_DEPTH		4
#define GVT_ERR_GTT_FAULT		5
#define GVT_ERR_RING_CTL		6	/* TAIL at or past the end of the ring */
#define GVT_ERR_BAD_LENGTH		7	/* command length field wrong */
#define GVT_ERR_BATCH_SIZE		8	/* runaway batch (no BATCH_END) */
#define GVT_ERR_BAD_PARAM		9	/* rect size, stride, work time */

/* ---- the register table ------------------------------------------------- */

/*
 * Flags: who may write a register, and whether its access has a handler.
 * The device model keeps one handler table beside this list and refuses
 * to start when a row's VIRT or ACTION flag and its handlers disagree.
 * The read-only mask applies to every writer.
 */
#define GVT_RF_RO			(1u << 0)	/* guest MMIO writes are ignored */
#define GVT_RF_W1C			(1u << 1)	/* writing 1 clears the bit */
#define GVT_RF_PVINFO			(1u << 2)	/* part of the PV-info page */
#define GVT_RF_VIRT			(1u << 3)	/* value computed on read */
#define GVT_RF_ACTION			(1u << 4)	/* a write has a side effect */
#define GVT_RF_ENGINE			(1u << 5)	/* per-engine ring register */
/*
 * LRI from a command stream may write it (GVT-g's F_CMD_ACCESS); a per-engine
 * register only from its own engine's stream. Any other register in an LRI
 * refuses the workload with GVT_ERR_BAD_REGISTER.
 */
#define GVT_RF_CMD			(1u << 6)
/* an MMIO policy may write it with the gvt_reg_write kfunc */
#define GVT_RF_POLICY			(1u << 7)

#define GVT_ENGINE_REGS(X, e, n)						\
	X(n##_RING_START,   GVT_ENGINE_REG(e, GVT_RING_START),   0, 0x00000fffu, GVT_RF_ENGINE | GVT_RF_POLICY)	\
	X(n##_RING_HEAD,    GVT_ENGINE_REG(e, GVT_RING_HEAD),    0, 0xffffffffu, GVT_RF_ENGINE | GVT_RF_RO)	\
	X(n##_RING_TAIL,    GVT_ENGINE_REG(e, GVT_RING_TAIL),    0, 0x00000007u, GVT_RF_ENGINE | GVT_RF_ACTION)	\
	X(n##_RING_CTL,     GVT_ENGINE_REG(e, GVT_RING_CTL),     0, ~(GVT_RING_CTL_ENABLE | GVT_RING_CTL_SIZE_MASK), GVT_RF_ENGINE | GVT_RF_ACTION)	\
	X(n##_RING_SEQNO,   GVT_ENGINE_REG(e, GVT_RING_SEQNO),   0, 0,           GVT_RF_ENGINE | GVT_RF_RO | GVT_RF_CMD)	\
	X(n##_RING_STATUS,  GVT_ENGINE_REG(e, GVT_RING_STATUS),  GVT_RING_STATUS_IDLE, 0xffffffffu, GVT_RF_ENGINE | GVT_RF_RO)	\
	X(n##_RING_BUSY_LO, GVT_ENGINE_REG(e, GVT_RING_BUSY_NS_LO), 0, 0xffffffffu, GVT_RF_ENGINE | GVT_RF_RO)	\
	X(n##_RING_BUSY_HI, GVT_ENGINE_REG(e, GVT_RING_BUSY_NS_HI), 0, 0xffffffffu, GVT_RF_ENGINE | GVT_RF_RO)

/*
 * GVT_REG_LIST(X) expands X(name, offset, reset value, read-only mask, flags)
 * once per register. The read-only mask names the bits a write leaves alone
 * (GVT-g's ro_mask); GVT_RF_RO registers ignore writes whatever the mask.
 * PV-info registers have per-vGPU values filled at creation: their reset
 * value here is 0 and the model keeps them across resets.
 */
#define GVT_REG_LIST(X)								\
	X(ID,            GVT_REG_ID,            GVT_ID_MAGIC,      0xffffffffu, GVT_RF_RO)	\
	X(VERSION,       GVT_REG_VERSION,       GVT_VERSION_VALUE, 0xffffffffu, GVT_RF_RO)	\
	X(CAPS,          GVT_REG_CAPS,          GVT_CAPS_VALUE,    0xffffffffu, GVT_RF_RO)	\
	X(NUM_ENGINES,   GVT_REG_NUM_ENGINES,   GVT_NUM_ENGINES,   0xffffffffu, GVT_RF_RO)	\
	X(TIMESTAMP_LO,  GVT_REG_TIMESTAMP_LO,  0,                 0xffffffffu, GVT_RF_RO | GVT_RF_VIRT)	\
	X(TIMESTAMP_HI,  GVT_REG_TIMESTAMP_HI,  0,                 0xffffffffu, GVT_RF_RO)	\
	X(SCRATCH,       GVT_REG_SCRATCH,       0,                 0,           GVT_RF_CMD | GVT_RF_POLICY)	\
	X(RESET,         GVT_REG_RESET,         0,                 0,           GVT_RF_ACTION)	\
	X(STATUS,        GVT_REG_STATUS,        0,                 0xffffffffu, GVT_RF_RO)	\
	X(ERROR,         GVT_REG_ERROR,         GVT_ERR_NONE,      0xffffffffu, GVT_RF_RO)	\
	X(ERROR_ADDR,    GVT_REG_ERROR_ADDR,    0,                 0xffffffffu, GVT_RF_RO)	\
	X(ERROR_COUNT,   GVT_REG_ERROR_COUNT,   0,                 0xffffffffu, GVT_RF_RO)	\
	X(IER,           GVT_REG_IER,           0,                 ~GVT_IRQ_ALL, GVT_RF_ACTION | GVT_RF_POLICY)	\
	X(IMR,           GVT_REG_IMR,           GVT_IRQ_ALL,       ~GVT_IRQ_ALL, GVT_RF_ACTION | GVT_RF_POLICY)	\
	X(IIR,           GVT_REG_IIR,           0,                 ~GVT_IRQ_ALL, GVT_RF_W1C | GVT_RF_ACTION | GVT_RF_POLICY)	\
	X(ISR,           GVT_REG_ISR,           0,                 0xffffffffu, GVT_RF_RO)	\
	X(IIR_ACK,       GVT_REG_IIR_ACK,       0,                 0xffffffffu, GVT_RF_RO | GVT_RF_VIRT)	\
	X(GTT_CTL,       GVT_REG_GTT_CTL,       0,                 ~GVT_GTT_CTL_ENABLE, GVT_RF_POLICY)	\
	X(GTT_ENTRIES,   GVT_REG_GTT_ENTRIES,   GVT_GTT_ENTRIES,   0xffffffffu, GVT_RF_RO)	\
	GVT_ENGINE_REGS(X, GVT_ENGINE_RENDER, RCS)					\
	GVT_ENGINE_REGS(X, GVT_ENGINE_COPY, BCS)					\
	X(PLANE_CTL,     GVT_REG_PLANE_CTL,     0, ~(GVT_PLANE_CTL_ENABLE | GVT_PLANE_CTL_FORMAT_MASK), GVT_RF_POLICY)	\
	X(PLANE_SURF,    GVT_REG_PLANE_SURF,    0,                 0x00000fffu, GVT_RF_ACTION | GVT_RF_CMD | GVT_RF_POLICY)	\
	X(PLANE_WIDTH,   GVT_REG_PLANE_WIDTH,   0,                 0xffffe000u, GVT_RF_POLICY)	\
	X(PLANE_HEIGHT,  GVT_REG_PLANE_HEIGHT,  0,                 0xffffe000u, GVT_RF_POLICY)	\
	X(PLANE_STRIDE,  GVT_REG_PLANE_STRIDE,  0,                 0xfffc003fu, GVT_RF_POLICY)	\
	X(PV_MAGIC_LO,   GVT_PV_MAGIC_LO,       GVT_PV_MAGIC_LO_VALUE, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_MAGIC_HI,   GVT_PV_MAGIC_HI,       GVT_PV_MAGIC_HI_VALUE, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_VERSION,    GVT_PV_VERSION,        GVT_PV_VERSION_VALUE,  0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_VGPU_ID,    GVT_PV_VGPU_ID,        0, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_TYPE_DIV,   GVT_PV_TYPE_DIV,       0, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_FEATURES,   GVT_PV_FEATURES,       GVT_PV_FEATURES_VALUE, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_APERTURE_BASE, GVT_PV_APERTURE_BASE, 0, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_APERTURE_SIZE, GVT_PV_APERTURE_SIZE, 0, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_HIDDEN_BASE,   GVT_PV_HIDDEN_BASE,   0, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_HIDDEN_SIZE,   GVT_PV_HIDDEN_SIZE,   0, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_FENCES,     GVT_PV_FENCES,         0, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_CONTEXTS,   GVT_PV_CONTEXTS,       0, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)	\
	X(PV_WEIGHT,     GVT_PV_WEIGHT,         0, 0xffffffffu, GVT_RF_RO | GVT_RF_PVINFO)

/* GVT_REGIDX_<name>: dense index of each register in GVT_REG_LIST */
#define GVT_REGIDX_ENUM(name, off, reset, ro, flags) GVT_REGIDX_##name,
enum gvt_reg_index {
	GVT_REG_LIST(GVT_REGIDX_ENUM)
	GVT_NUM_REGS
};
#undef GVT_REGIDX_ENUM

#endif /* GVT_REGS_H */
