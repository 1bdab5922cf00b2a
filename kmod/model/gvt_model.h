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
#include "gvt/gvt_cmd.h"
#include "gvt/gvt_bpf.h"

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
	/*
	 * Optional programmable MMIO path, asked before the built-in handler
	 * for register-file accesses; returns an enum gvt_mmio_verdict and may
	 * change *val (include/gvt/gvt_bpf.h has the contract).
	 */
	int (*mmio_hook)(void *priv, u32 off, u32 size, u32 *val, bool write);
	/*
	 * Read or write guest memory at an IOVA (the VMM's DMA mapping);
	 * 0 or a negative errno (an unmapped IOVA). The model calls it only
	 * from gvt_engine_run(), never from a register access, so a client
	 * may sleep in it.
	 */
	int (*dma_rw)(void *priv, u64 iova, void *buf, size_t len, bool write);
	/* a doorbell gave @engine new work: queue the vGPU to the scheduler */
	void (*kick)(void *priv, u32 engine);
};

/* cursor over a ring or a batch buffer in graphics memory (cmd.c) */
struct gvt_cmd_reader {
	u32 base;			/* graphics address */
	u32 size;			/* ring: bytes, the cursor wraps; batch: 0 */
	u32 pos;			/* byte offset from base */
	u32 page_ga;			/* graphics address of page[], or ~0 */
	u32 page[GVT_PAGE_SIZE / 4];
};

/*
 * Shadow of one workload: the validated commands of a ring segment, batch
 * buffers inlined. The executor runs only the shadow, so a guest rewriting
 * its ring or batches after the scan changes nothing (GVT-g's shadowing).
 */
#define GVT_SHADOW_DWORDS		(2 * GVT_BATCH_MAX_DWORDS + 64)
/* a workload ends at the first ring command that starts past this */
#define GVT_SHADOW_SOFT_LIMIT		(GVT_SHADOW_DWORDS - GVT_BATCH_MAX_DWORDS - 64)

/*
 * Bounded steps: one gvt_engine_run() call scans at most this many dwords
 * (NOOPs and batch contents included), executes at most this many
 * commands and moves at most this many bytes of rectangle rows, so that a
 * caller checking its time slice between calls is never held long by
 * whatever a stream contains.
 */
#define GVT_SCAN_STEP_DWORDS		512u
#define GVT_RUN_STEP_CMDS		64u
#define GVT_RUN_STEP_BYTES		(64u * 1024)

/*
 * A WORK command that would leave less than this for a later slice runs
 * to its end now: a slice may overrun by this much rather than split a
 * command into a sliver that costs a whole dispatch.
 */
#define GVT_WORK_SLACK_NS		200000ull

/* where the scan of the workload in progress stands (cmd.c) */
struct gvt_scan_state {
	bool active;			/* a scan is under way */
	u32 depth;			/* 0: the ring, 1..: nested batches */
	u32 batch_dw;			/* dwords under the current ring BATCH_START */
};

/* one engine of one vGPU (engine.c) */
struct gvt_engine {
	bool active;			/* a workload is in the shadow */
	u32 tail;			/* last TAIL accepted by the doorbell */
	u32 wl_tail;			/* ring offset the workload ends at */
	u32 shadow_len;			/* dwords */
	u32 pc;				/* next shadow dword to execute */
	u32 row;			/* rows of the rect at pc already done */
	bool work_begun;		/* the WORK command at pc started */
	u64 work_left_ns;		/* of the WORK command at pc */
	u32 occupied_len;		/* the last step's WORK, dwords; 0: none */
	u64 busy_ns;			/* GPU time used since reset */
	struct gvt_scan_state scan;
	u32 shadow[GVT_SHADOW_DWORDS];
	u32 rowbuf[GVT_RECT_MAX_DIM];	/* one rectangle row */
	struct gvt_cmd_reader rd[1 + GVT_BATCH_MAX_DEPTH];
};

/* where a workload failed: a GVT_ERR_* code and the graphics address */
struct gvt_cmd_error {
	u32 code;
	u32 addr;
};

struct gvt_model {
	struct gvt_vgpu_params p;
	const struct gvt_model_env *env;
	u8 cfg[GVT_CFG_SIZE];
	u8 cfg_wmask[GVT_CFG_SIZE];	/* bits a write may change */
	u8 cfg_w1cmask[GVT_CFG_SIZE];	/* bits a write of 1 clears */
	u32 regs[GVT_NUM_REGS];		/* by enum gvt_reg_index */
	u8 *aperture;			/* p.aperture_size bytes, client-owned */
	struct gvt_vgpu_stats stats;
	u64 gtt[GVT_GTT_ENTRIES];
	struct gvt_engine eng[GVT_NUM_ENGINES];
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

/*
 * Builds the offset lookup and checks the handler table against the
 * flags; -EEXIST on a duplicate offset, -EINVAL on a row whose VIRT or
 * ACTION flag has no handler (or a handler without the flag).
 */
int gvt_model_global_init(void);
/* index of the register at a dword-aligned offset, or -1 */
int gvt_reg_lookup(u32 offset);

/* who writes a register: each may write the rows the table allows it */
enum gvt_reg_writer {
	GVT_WRITER_MMIO,	/* the guest, through BAR0: not GVT_RF_RO rows */
	GVT_WRITER_CMD,		/* an LRI of a command stream: GVT_RF_CMD rows */
	GVT_WRITER_POLICY,	/* an MMIO policy's kfunc: GVT_RF_POLICY rows */
};

/**
 * struct gvt_reg_ops - the behaviour of one register (mmio.c's table)
 * @read: computes the value of a GVT_RF_VIRT register, of which the read
 *	returns the bits in @bytes; @act is true for a guest's read, which
 *	may act (IIR_ACK clears what it returns), false for a policy's look
 * @write: the side effect of a GVT_RF_ACTION register, after the store;
 *	@live_before is the interrupt state from before the store
 */
struct gvt_reg_ops {
	u32 (*read)(struct gvt_model *m, int idx, u32 bytes, bool act);
	void (*write)(struct gvt_model *m, int idx, enum gvt_reg_writer w,
		      u32 live_before);
};

/*
 * -EINVAL when a row's GVT_RF_VIRT or GVT_RF_ACTION flag disagrees with
 * its handlers in @ops (a flag nobody implements, or a handler nobody
 * calls); gvt_model_global_init() runs it on the real tables.
 */
int gvt_reg_tables_check(const struct gvt_reg_info *table,
			 const struct gvt_reg_ops *ops, u32 n);

/*
 * The one store of every register write: the bytes in @bytes of @val,
 * minus the read-only mask (W1C rows clear the bits written as 1), then
 * the row's write handler. 0, -EINVAL for a bad index, -EPERM when @w may
 * not write the register (nothing changes then).
 */
int gvt_reg_store(struct gvt_model *m, int idx, u32 val, u32 bytes,
		  enum gvt_reg_writer w);
/* an LRI on @engine may load the register at @offset */
bool gvt_reg_cmd_writable(u32 engine, u32 offset);

int gvt_model_init(struct gvt_model *m, const struct gvt_vgpu_params *p,
		   const struct gvt_model_env *env, u8 *aperture);
/* function-level reset (VFIO_DEVICE_RESET, close): GPU and PCI config */
void gvt_model_reset(struct gvt_model *m);
/* GPU reset (the RESET register): registers, GTT, engines; config kept */
void gvt_model_gpu_reset(struct gvt_model *m);

/* size of an address space in bytes (0 for an unknown space) */
u64 gvt_model_space_size(const struct gvt_model *m, enum gvt_space sp);

/*
 * Read or write @len bytes at @off of @sp, split into naturally aligned
 * 4/2/1-byte accesses. Returns 0, or -EINVAL when the range is not inside
 * the space (nothing is accessed then).
 */
int gvt_model_rw(struct gvt_model *m, enum gvt_space sp, u64 off,
		 void *buf, size_t len, bool write);

/* one guest register access of 1, 2 or 4 bytes inside BAR0's register file */
u32 gvt_mmio_read(struct gvt_model *m, u32 off, u32 size);
void gvt_mmio_write(struct gvt_model *m, u32 off, u32 size, u32 val);
/*
 * The same without counting a guest access, for policies' kfuncs: a read
 * of any register that does not act (IIR_ACK returns IIR and clears
 * nothing), a write as @w through gvt_reg_store() (-EINVAL for an offset
 * that is no register, -EPERM for one @w may not write).
 */
u32 gvt_mmio_get(struct gvt_model *m, u32 off, u32 size);
int gvt_mmio_put(struct gvt_model *m, u32 off, u32 size, u32 val,
		 enum gvt_reg_writer w);

/* config space pieces, used by the dispatcher (cfg.c) */
void gvt_cfg_init(struct gvt_model *m);
void gvt_cfg_reset(struct gvt_model *m);
void gvt_cfg_access(struct gvt_model *m, u32 off, u8 *buf, u32 len,
		    bool write);
/*
 * After a config write whose PCI_COMMAND was @cmd_before: sends what the
 * write made deliverable (an MSI held Pending, an INTx re-enabled while
 * asserted).
 */
void gvt_cfg_written(struct gvt_model *m, u16 cmd_before);

/* latch interrupt bits in IIR and signal the client if they are live */
void gvt_model_raise_irq(struct gvt_model *m, u32 bits);
/* signal the client if IIR & IER & ~IMR gained a bit since @live_before */
void gvt_model_irq_signal(struct gvt_model *m, u32 live_before);

/* ---- GTT and graphics memory (gtt.c) ---- */

/* [ga, ga + len) lies inside one of the vGPU's graphics memory ranges */
bool gvt_gm_owned(const struct gvt_model *m, u64 ga, u64 len);
/* IOVA behind graphics address @ga, or -EFAULT (not owned, PTE invalid) */
int gvt_gtt_translate(const struct gvt_model *m, u32 ga, u64 *iova);
/*
 * Read or write @len bytes of graphics memory at @ga through the GTT and
 * env->dma_rw, page by page. 0, or -EFAULT with *@fault_ga set to the
 * first graphics address that could not be reached.
 */
int gvt_gm_rw(struct gvt_model *m, u32 ga, void *buf, u32 len, bool write,
	      u32 *fault_ga);

/* ---- command scanner (cmd.c) ---- */

/*
 * Validates the ring segment [HEAD, TAIL) of @engine and copies it, batch
 * buffers inlined, into the engine's shadow, at most @max_dw dwords read
 * per call. Returns 0 when the workload is scanned (the engine's wl_tail
 * is where it ends: TAIL, or earlier when the shadow would overflow),
 * -EAGAIN when the step is used up (call again: the scan resumes where it
 * stopped), or -EINVAL with *@err telling what and where.
 */
int gvt_cmd_scan(struct gvt_model *m, u32 engine, u32 max_dw,
		 struct gvt_cmd_error *err);
/* checks one command of @len dwords for @engine; 0 or a GVT_ERR_* code */
u32 gvt_cmd_check(const struct gvt_model *m, u32 engine, const u32 *cmd,
		  u32 len);
/* length in dwords of the command whose header is @hdr, 0 if unknown */
u32 gvt_cmd_length(u32 hdr);

/* ---- engines (engine.c) ---- */

enum gvt_run_result {
	GVT_RUN_IDLE,		/* no work on this engine */
	GVT_RUN_PROGRESS,	/* ran some commands; call again */
	GVT_RUN_OCCUPY,		/* a WORK command occupies the engine */
};

/*
 * Runs one bounded step of @engine, for at most @budget_ns of GPU time:
 * scans a step of the workload at the ring's HEAD if none is active yet,
 * or executes shadow commands (a step's worth, see GVT_RUN_STEP_*) until
 * the workload completes, fails, or a WORK command occupies the engine
 * (*@occupy_ns is then how long the caller must let the engine be busy
 * before calling again). The caller holds the model's lock, and checks
 * its time slice between calls.
 */
enum gvt_run_result gvt_engine_run(struct gvt_model *m, u32 engine,
				   u64 budget_ns, u64 *occupy_ns);
/*
 * The last step's occupation was cut short by @ns (the slice was taken
 * back early): that much of its WORK command is owed again. Only right
 * after the GVT_RUN_OCCUPY step, before any other step or a reset.
 */
void gvt_engine_unoccupy(struct gvt_model *m, u32 engine, u64 ns);
/* the engine has a workload in progress or queued in its ring */
bool gvt_engine_has_work(const struct gvt_model *m, u32 engine);
/* charges @ns of GPU time to the engine (RING_BUSY_NS, stats) */
void gvt_engine_account(struct gvt_model *m, u32 engine, u64 ns);
/* register side effects: ring CTL and TAIL (the doorbell) */
void gvt_engine_ring_write(struct gvt_model *m, u32 engine, u32 reg);
/* stops every engine: part of the device reset */
void gvt_engines_reset(struct gvt_model *m);
/* records an error, raises its interrupts, fails the vGPU past the limit */
void gvt_model_error(struct gvt_model *m, u32 engine,
		     const struct gvt_cmd_error *err);

/* ---- display plane (plane.c) ---- */

struct gvt_plane_info {
	u32 format;			/* GVT_PLANE_FORMAT_* */
	u32 surf;			/* graphics address */
	u32 width, height, stride;	/* pixels, pixels, bytes */
	u64 size;			/* stride * height */
};

/*
 * The plane as the guest programmed it: 0, -ENOENT when disabled, -EINVAL
 * when its registers do not describe a surface inside the vGPU's memory
 * of at most @max_size bytes (*@pi is zeroed then).
 */
int gvt_plane_get(const struct gvt_model *m, struct gvt_plane_info *pi,
		  u64 max_size);
/* copies the surface, row by row, to @dst (@dst_size bytes); 0 or -EFAULT */
int gvt_plane_copy(struct gvt_model *m, const struct gvt_plane_info *pi,
		   u8 *dst, u64 dst_size, u32 *fault);

static inline u32 gvt_reg(const struct gvt_model *m, enum gvt_reg_index i)
{
	return m->regs[i];
}

/* ring register @reg (GVT_RING_*) of @engine */
static inline u32 *gvt_engine_reg(struct gvt_model *m, u32 engine, u32 reg)
{
	return &m->regs[gvt_reg_lookup(GVT_ENGINE_REG(engine, reg))];
}

static inline u32 gvt_engine_reg_get(const struct gvt_model *m, u32 engine,
				     u32 reg)
{
	return m->regs[gvt_reg_lookup(GVT_ENGINE_REG(engine, reg))];
}

/* bytes of a ring whose RING_CTL is @ctl */
static inline u32 gvt_ring_bytes(u32 ctl)
{
	return (((ctl & GVT_RING_CTL_SIZE_MASK) >> GVT_RING_CTL_SIZE_SHIFT) + 1) *
	       GVT_PAGE_SIZE;
}

/* interrupt bits latched, enabled and unmasked: the line is asserted */
static inline u32 gvt_model_irq_live(const struct gvt_model *m)
{
	return m->regs[GVT_REGIDX_IIR] & m->regs[GVT_REGIDX_IER] &
	       ~m->regs[GVT_REGIDX_IMR];
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

/* the MSI Pending bit: a message held back by the per-vector mask */
static inline bool gvt_model_msi_pending(const struct gvt_model *m)
{
	return gvt_get32(&m->cfg[GVT_CFG_MSI_OFFSET + PCI_MSI_PENDING_64]) & 1;
}

static inline void gvt_model_msi_set_pending(struct gvt_model *m, bool on)
{
	gvt_put32(&m->cfg[GVT_CFG_MSI_OFFSET + PCI_MSI_PENDING_64], on);
}

static inline bool gvt_model_intx_disabled(const struct gvt_model *m)
{
	return gvt_get16(&m->cfg[PCI_COMMAND]) & PCI_COMMAND_INTX_DISABLE;
}

/* an MSI is a memory write: only a bus master may send one */
static inline bool gvt_model_bus_master(const struct gvt_model *m)
{
	return gvt_get16(&m->cfg[PCI_COMMAND]) & PCI_COMMAND_MASTER;
}

#endif /* GVT_MODEL_H */
