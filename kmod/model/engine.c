// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf device model: the engines of one vGPU - rings, the doorbell and
 * the executor of scanned workloads.
 *
 * A TAIL write only publishes work and asks the client to schedule the
 * vGPU (env->kick): nothing runs in the register access itself. The client
 * later calls gvt_engine_run() from its engine worker, which scans the
 * published ring segment into the shadow and executes it for real on guest
 * memory, in bounded steps so that the caller can preempt between them.
 */
#include "gvt_model.h"

static bool gvt_model_failed(const struct gvt_model *m)
{
	return m->regs[GVT_REGIDX_STATUS] & GVT_STATUS_FAILED;
}

bool gvt_engine_has_work(const struct gvt_model *m, u32 engine)
{
	if (engine >= GVT_NUM_ENGINES || gvt_model_failed(m) ||
	    !(gvt_engine_reg_get(m, engine, GVT_RING_CTL) & GVT_RING_CTL_ENABLE))
		return false;
	return m->eng[engine].active ||
	       gvt_engine_reg_get(m, engine, GVT_RING_HEAD) != m->eng[engine].tail;
}

static void gvt_engine_update_status(struct gvt_model *m, u32 engine)
{
	u32 *st = gvt_engine_reg(m, engine, GVT_RING_STATUS);

	if (gvt_engine_has_work(m, engine))
		*st &= ~GVT_RING_STATUS_IDLE;
	else
		*st |= GVT_RING_STATUS_IDLE;
}

/* drops the workload in progress without completing it */
static void gvt_engine_cancel(struct gvt_model *m, u32 engine)
{
	struct gvt_engine *eng = &m->eng[engine];

	eng->active = false;
	eng->scan.active = false;
	eng->shadow_len = 0;
	eng->pc = 0;
	eng->row = 0;
	eng->work_begun = false;
	eng->work_left_ns = 0;
	eng->occupied_len = 0;
}

/*
 * Everything an engine holds goes, the shadow and the cached pages of the
 * last streams included: a reset hands the vGPU over clean.
 */
void gvt_engines_reset(struct gvt_model *m)
{
	memset(m->eng, 0, sizeof(m->eng));
}

void gvt_model_error(struct gvt_model *m, u32 engine,
		     const struct gvt_cmd_error *err)
{
	u32 bits = 0, e;

	m->regs[GVT_REGIDX_ERROR] = err->code;
	m->regs[GVT_REGIDX_ERROR_ADDR] = err->addr;
	m->regs[GVT_REGIDX_ERROR_COUNT]++;
	if (engine < GVT_NUM_ENGINES) {
		*gvt_engine_reg(m, engine, GVT_RING_STATUS) |= GVT_RING_STATUS_ERROR;
		bits |= GVT_IRQ_ERROR(engine);
	}
	if (err->code == GVT_ERR_GTT_FAULT)
		bits |= GVT_IRQ_GTT_FAULT;
	/*
	 * A vGPU that keeps sending bad work is stopped until reset so that it
	 * cannot keep the scanner and the engines busy; others are untouched.
	 */
	if (m->regs[GVT_REGIDX_ERROR_COUNT] >= GVT_ERROR_FAIL_LIMIT &&
	    !gvt_model_failed(m)) {
		m->regs[GVT_REGIDX_STATUS] |= GVT_STATUS_FAILED;
		for (e = 0; e < GVT_NUM_ENGINES; e++) {
			gvt_engine_cancel(m, e);
			gvt_engine_update_status(m, e);
		}
	}
	gvt_model_raise_irq(m, bits);
}

void gvt_engine_ring_write(struct gvt_model *m, u32 engine, u32 reg)
{
	struct gvt_engine *eng;
	u32 ctl, tail;

	if (engine >= GVT_NUM_ENGINES)
		return;
	eng = &m->eng[engine];
	ctl = gvt_engine_reg_get(m, engine, GVT_RING_CTL);
	switch (reg) {
	case GVT_RING_CTL:
		/*
		 * (Re)programming a ring restarts it empty at offset 0; what
		 * TAIL holds is published only by the next TAIL write.
		 */
		gvt_engine_cancel(m, engine);
		eng->tail = 0;
		*gvt_engine_reg(m, engine, GVT_RING_HEAD) = 0;
		*gvt_engine_reg(m, engine, GVT_RING_STATUS) &= ~GVT_RING_STATUS_ERROR;
		break;
	case GVT_RING_TAIL:
		tail = gvt_engine_reg_get(m, engine, GVT_RING_TAIL);
		/* a stopped ring only stores it: enabling starts at 0 anyway */
		if (!(ctl & GVT_RING_CTL_ENABLE))
			return;
		if (tail >= gvt_ring_bytes(ctl)) {
			struct gvt_cmd_error err = { GVT_ERR_RING_CTL, tail };

			*gvt_engine_reg(m, engine, GVT_RING_TAIL) = eng->tail;
			gvt_model_error(m, engine, &err);
			return;
		}
		eng->tail = tail;
		if (gvt_engine_has_work(m, engine) && m->env && m->env->kick)
			m->env->kick(m->env->priv, engine);
		break;
	default:
		return;
	}
	gvt_engine_update_status(m, engine);
}

void gvt_engine_account(struct gvt_model *m, u32 engine, u64 ns)
{
	struct gvt_engine *eng;

	if (engine >= GVT_NUM_ENGINES)
		return;
	eng = &m->eng[engine];
	eng->busy_ns += ns;
	*gvt_engine_reg(m, engine, GVT_RING_BUSY_NS_LO) = (u32)eng->busy_ns;
	*gvt_engine_reg(m, engine, GVT_RING_BUSY_NS_HI) = (u32)(eng->busy_ns >> 32);
	m->stats.gpu_busy_ns += ns;
}

/* the scanner checked every register against the table's CMD column */
static void gvt_exec_lri(struct gvt_model *m, const u32 *cmd, u32 len)
{
	u32 i;

	for (i = 1; i + 1 < len; i += 2)
		gvt_mmio_put(m, cmd[i], 4, cmd[i + 1], GVT_WRITER_CMD);
}

/*
 * One rectangle command, resumable by row: returns 1 when @budget ran out
 * with rows left (eng->row says where to go on), 0 when done, or -EFAULT.
 */
static int gvt_exec_rect(struct gvt_model *m, struct gvt_engine *eng,
			 const u32 *cmd, u32 *budget, u32 *fault)
{
	bool copy = GVT_CMD_OP(cmd[0]) == GVT_OP_COPY_RECT;
	u32 size = copy ? cmd[5] : cmd[3];
	u32 dst = copy ? cmd[3] : cmd[1], dst_stride = copy ? cmd[4] : cmd[2];
	u32 w = GVT_RECT_W(size), h = GVT_RECT_H(size);
	u32 bytes = w * GVT_PIXEL_BYTES, i;

	if (!copy)
		for (i = 0; i < w; i++)
			eng->rowbuf[i] = cmd[4];
	while (eng->row < h) {
		/* the scanner bounded the extent inside 32-bit owned memory */
		u32 d = dst + eng->row * dst_stride;

		if (copy && gvt_gm_rw(m, cmd[1] + eng->row * cmd[2],
				      eng->rowbuf, bytes, false, fault))
			return -EFAULT;
		if (gvt_gm_rw(m, d, eng->rowbuf, bytes, true, fault))
			return -EFAULT;
		eng->row++;
		*budget = *budget > bytes ? *budget - bytes : 0;
		if (!*budget && eng->row < h)
			return 1;
	}
	eng->row = 0;
	return 0;
}

/* the workload at HEAD ends: HEAD moves past it */
static void gvt_engine_retire(struct gvt_model *m, u32 engine)
{
	*gvt_engine_reg(m, engine, GVT_RING_HEAD) = m->eng[engine].wl_tail;
	gvt_engine_cancel(m, engine);
	gvt_engine_update_status(m, engine);
}

/*
 * Scans a step of the workload at HEAD. True once it is in the shadow
 * and may run; false while the scan goes on, or when it was refused.
 */
static bool gvt_engine_take(struct gvt_model *m, u32 engine)
{
	struct gvt_engine *eng = &m->eng[engine];
	struct gvt_cmd_error err = { 0, 0 };
	int ret;

	if (!eng->scan.active)
		m->stats.workloads_submitted++;
	ret = gvt_cmd_scan(m, engine, GVT_SCAN_STEP_DWORDS, &err);
	if (ret == -EAGAIN)
		return false;
	if (ret) {
		/* nothing of a stream that failed the scan runs */
		m->stats.workloads_rejected++;
		eng->wl_tail = eng->tail;
		gvt_engine_retire(m, engine);
		gvt_model_error(m, engine, &err);
		return false;
	}
	eng->active = true;
	eng->pc = 0;
	eng->row = 0;
	eng->work_begun = false;
	return true;
}

void gvt_engine_unoccupy(struct gvt_model *m, u32 engine, u64 ns)
{
	struct gvt_engine *eng;

	if (engine >= GVT_NUM_ENGINES || !ns)
		return;
	eng = &m->eng[engine];
	if (!eng->occupied_len || !eng->active)
		return;
	if (!eng->work_begun) {
		/* it had ended: back to it */
		eng->pc -= eng->occupied_len;
		eng->work_begun = true;
		eng->work_left_ns = 0;
	}
	eng->work_left_ns += ns;
	eng->occupied_len = 0;
}

enum gvt_run_result gvt_engine_run(struct gvt_model *m, u32 engine,
				   u64 budget_ns, u64 *occupy_ns)
{
	struct gvt_engine *eng;
	u32 bytes = GVT_RUN_STEP_BYTES, cmds = GVT_RUN_STEP_CMDS;

	*occupy_ns = 0;
	if (!gvt_engine_has_work(m, engine)) {
		if (engine < GVT_NUM_ENGINES)
			gvt_engine_update_status(m, engine);
		return GVT_RUN_IDLE;
	}
	eng = &m->eng[engine];
	eng->occupied_len = 0;
	if (!eng->active) {
		if (!gvt_engine_take(m, engine))
			return GVT_RUN_PROGRESS;
		gvt_engine_update_status(m, engine);
	}

	while (eng->pc < eng->shadow_len) {
		const u32 *cmd = &eng->shadow[eng->pc];
		u32 len = gvt_cmd_length(cmd[0]);
		u32 fault = 0, val;
		int ret = 0;

		/* the shadow holds only scanned commands; be strict anyway */
		if (!len || len > eng->shadow_len - eng->pc)
			break;
		if (!cmds--)
			return GVT_RUN_PROGRESS;
		switch (GVT_CMD_OP(cmd[0])) {
		case GVT_OP_STORE_DWORD:
			val = cmd[2];
			ret = gvt_gm_rw(m, cmd[1], &val, 4, true, &fault);
			break;
		case GVT_OP_LRI:
			gvt_exec_lri(m, cmd, len);
			break;
		case GVT_OP_USER_INTERRUPT:
			gvt_model_raise_irq(m, GVT_IRQ_USER(engine));
			break;
		case GVT_OP_WORK:
			if (!eng->work_begun) {
				eng->work_begun = true;
				eng->work_left_ns = cmd[1];
			}
			/*
			 * Within the budget, or so little past it that a slice
			 * of its own would cost more than it holds: all of it.
			 */
			*occupy_ns = eng->work_left_ns;
			if (budget_ns && *occupy_ns > budget_ns + GVT_WORK_SLACK_NS)
				*occupy_ns = budget_ns;
			eng->work_left_ns -= *occupy_ns;
			if (!eng->work_left_ns) {
				eng->work_begun = false;
				eng->pc += len;
			}
			eng->occupied_len = len;
			return GVT_RUN_OCCUPY;
		case GVT_OP_FILL_RECT:
		case GVT_OP_COPY_RECT:
			ret = gvt_exec_rect(m, eng, cmd, &bytes, &fault);
			if (ret > 0)
				return GVT_RUN_PROGRESS;
			break;
		default:
			break;
		}
		if (ret) {
			struct gvt_cmd_error err = { GVT_ERR_GTT_FAULT, fault };

			m->stats.workloads_rejected++;
			gvt_engine_retire(m, engine);
			gvt_model_error(m, engine, &err);
			return GVT_RUN_PROGRESS;
		}
		eng->pc += len;
	}
	m->stats.workloads_completed++;
	gvt_engine_retire(m, engine);
	return GVT_RUN_PROGRESS;
}
