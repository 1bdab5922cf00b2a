// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the command scanner and the engines: every command of
 * include/gvt/gvt_cmd.h decoded, checked and executed on a fake guest
 * memory, bad streams refused with the right error, batches bounded,
 * shadowing, the failed state and its reset.
 *
 * This file also holds the "work" fixture (a model whose env reaches a
 * fake guest memory through dma_rw) that test_gtt.c uses too.
 */
#include <stdlib.h>
#include <CUnit/CUnit.h>
#include "gvt_model.h"
#include "unit.h"

#define WT_RING_PAGES	4
#define WT_RING_SIZE	(WT_RING_PAGES * GVT_PAGE_SIZE)
#define WT_RING(e)	((e) * WT_RING_SIZE)
#define WT_BATCH	0x10000u
#define WT_DATA		0x20000u
#define WT_SURF		0x100000u

struct gvt_model *wt_m;
u8 *wt_mem;
u64 wt_clock;
unsigned int wt_irqs, wt_kicks[GVT_NUM_ENGINES], wt_dma_calls;
static u32 wt_tail[GVT_NUM_ENGINES];

static u64 wt_now(void *priv)
{
	(void)priv;
	return wt_clock;
}

static void wt_irq(void *priv)
{
	(void)priv;
	wt_irqs++;
}

/* the fake guest memory: WT_MEM_SIZE bytes at IOVA WT_IOVA */
static int wt_dma_rw(void *priv, u64 iova, void *buf, size_t len, bool write)
{
	(void)priv;
	wt_dma_calls++;
	if (iova < WT_IOVA || len > WT_MEM_SIZE ||
	    iova - WT_IOVA > WT_MEM_SIZE - len)
		return -EFAULT;
	if (write)
		memcpy(wt_mem + (iova - WT_IOVA), buf, len);
	else
		memcpy(buf, wt_mem + (iova - WT_IOVA), len);
	return 0;
}

static void wt_kick(void *priv, u32 engine)
{
	(void)priv;
	if (engine < GVT_NUM_ENGINES)
		wt_kicks[engine]++;
}

static struct gvt_model_env wt_env = {
	.now_ns = wt_now,
	.irq = wt_irq,
	.dma_rw = wt_dma_rw,
	.kick = wt_kick,
};

static u8 wt_aperture[0x00100000];

u32 wt_ga(u32 off)
{
	return wt_m->p.hidden_base + off;
}

void wt_mmio_wr(u32 off, u32 val)
{
	gvt_mmio_write(wt_m, off, 4, val);
}

u32 wt_mmio_rd(u32 off)
{
	return gvt_mmio_read(wt_m, off, 4);
}

/* PTEs of the hidden range's first pages -> the fake memory, in order */
void wt_map_all(void)
{
	u32 i, first = wt_m->p.hidden_base / GVT_PAGE_SIZE;

	for (i = 0; i < WT_MEM_SIZE / GVT_PAGE_SIZE; i++)
		wt_m->gtt[first + i] = (WT_IOVA + (u64)i * GVT_PAGE_SIZE) |
				       GVT_PTE_VALID;
}

/* a new model, GTT mapped and enabled, interrupts on, both rings ready */
struct gvt_model *wt_fresh(void)
{
	struct gvt_vgpu_params p;
	u32 e;

	if (!wt_m)
		wt_m = calloc(1, sizeof(*wt_m));
	if (!wt_mem)
		wt_mem = calloc(1, WT_MEM_SIZE);
	CU_ASSERT_FATAL(wt_m && wt_mem);
	CU_ASSERT_FATAL(gvt_model_global_init() == 0);
	memset(wt_mem, 0, WT_MEM_SIZE);
	ut_default_params(&p);
	wt_env.priv = wt_m;
	CU_ASSERT_FATAL(gvt_model_init(wt_m, &p, &wt_env, wt_aperture) == 0);
	wt_clock = 0;
	wt_irqs = 0;
	wt_dma_calls = 0;
	memset(wt_kicks, 0, sizeof(wt_kicks));
	wt_map_all();
	wt_mmio_wr(GVT_REG_GTT_CTL, GVT_GTT_CTL_ENABLE);
	wt_mmio_wr(GVT_REG_IER, GVT_IRQ_ALL);
	wt_mmio_wr(GVT_REG_IMR, 0);
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		wt_mmio_wr(GVT_ENGINE_REG(e, GVT_RING_START), wt_ga(WT_RING(e)));
		wt_mmio_wr(GVT_ENGINE_REG(e, GVT_RING_CTL), GVT_RING_CTL_ENABLE |
			   ((WT_RING_PAGES - 1) << GVT_RING_CTL_SIZE_SHIFT));
		wt_tail[e] = 0;
	}
	return wt_m;
}

u32 *wt_u32(u32 off)
{
	return (u32 *)(wt_mem + off);
}

void wt_emit(u32 e, const u32 *cmd, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		*wt_u32(WT_RING(e) + wt_tail[e]) = cmd[i];
		wt_tail[e] = (wt_tail[e] + 4) % WT_RING_SIZE;
	}
}

/* pads to a qword and rings the doorbell through the register file */
void wt_doorbell(u32 e)
{
	if (wt_tail[e] % 8)
		wt_emit(e, (const u32[]){ GVT_CMD_NOOP }, 1);
	wt_mmio_wr(GVT_ENGINE_REG(e, GVT_RING_TAIL), wt_tail[e]);
}

/* runs engine @e until idle, as a worker would; returns GPU time occupied */
u64 wt_run(u32 e)
{
	u64 busy = 0, occ;
	unsigned int guard = 0;

	while (gvt_engine_run(wt_m, e, 1000000, &occ) != GVT_RUN_IDLE &&
	       ++guard < 1000000) {
		busy += occ;
		wt_clock += occ;
	}
	CU_ASSERT(guard < 1000000);
	return busy;
}

static u32 ereg(u32 e, u32 r)
{
	return wt_mmio_rd(GVT_ENGINE_REG(e, r));
}

/* ---- decoding and checks ------------------------------------------------ */

static void test_lengths(void)
{
#define WT_LEN(name, op, minl, maxl)					\
	do {								\
		CU_ASSERT_EQUAL(gvt_cmd_length(GVT_CMD_HDR(op, minl)), minl); \
		CU_ASSERT_EQUAL(gvt_cmd_length(GVT_CMD_HDR(op, maxl)), maxl); \
		CU_ASSERT_EQUAL(gvt_cmd_length(GVT_CMD_HDR(op, maxl + 1)), 0); \
		if ((op) != GVT_OP_NOOP)				\
			CU_ASSERT_EQUAL(gvt_cmd_length(GVT_CMD_HDR(op, 0)), 0); \
		CU_ASSERT_EQUAL(gvt_cmd_length(GVT_CMD_HDR(op, minl) | 0x100), 0); \
	} while (0);
	GVT_CMD_LIST(WT_LEN)
#undef WT_LEN
	CU_ASSERT_EQUAL(gvt_cmd_length(0), 1);	/* a zero dword is a NOOP */
}

static void test_unknown_opcodes(void)
{
	u32 op, known = 0;

	for (op = 0; op < 256; op++) {
		u32 n;

		for (n = 1; n < 256; n++)
			if (gvt_cmd_length(GVT_CMD_HDR(op, n)))
				break;
		known += n < 256;
	}
#define WT_COUNT(name, op, minl, maxl) + 1
	CU_ASSERT_EQUAL(known, 0 GVT_CMD_LIST(WT_COUNT));
#undef WT_COUNT
}

static void test_lri_allow_list(void)
{
	static const u32 refused[] = {
		GVT_REG_IER, GVT_REG_IMR, GVT_REG_IIR, GVT_REG_RESET,
		GVT_REG_GTT_CTL, GVT_REG_PLANE_CTL, GVT_REG_STATUS,
		GVT_ENGINE_REG(0, GVT_RING_TAIL), GVT_ENGINE_REG(0, GVT_RING_CTL),
		GVT_ENGINE_REG(0, GVT_RING_START), GVT_ENGINE_REG(1, GVT_RING_SEQNO),
		GVT_GTT_OFFSET, GVT_PV_VGPU_ID, GVT_REG_SCRATCH + 1, 0xffffffff,
	};
	u32 cmd[5] = { GVT_CMD_LRI(1), 0, 0 }, i;

	wt_fresh();
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		cmd[1] = refused[i];
		CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, cmd, 3),
				GVT_ERR_BAD_REGISTER);
	}
	cmd[1] = GVT_REG_SCRATCH;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, cmd, 3), 0);
	cmd[1] = GVT_REG_PLANE_SURF;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 1, cmd, 3), 0);
	cmd[1] = GVT_ENGINE_REG(1, GVT_RING_SEQNO);
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 1, cmd, 3), 0);
	/* the second pair is checked too */
	cmd[0] = GVT_CMD_LRI(2);
	cmd[1] = GVT_REG_SCRATCH;
	cmd[3] = GVT_REG_IER;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, cmd, 5), GVT_ERR_BAD_REGISTER);
	/* a length that does not match the header */
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, cmd, 3), GVT_ERR_BAD_LENGTH);
}

static void test_address_checks(void)
{
	const struct gvt_vgpu_params *p;
	u32 st[3] = { GVT_CMD_STORE_DWORD, 0, 0 };
	u32 fill[5] = { GVT_CMD_FILL_RECT, 0, 64, GVT_RECT_SIZE(16, 2), 0 };
	u32 work[2] = { GVT_CMD_WORK, 1 };

	wt_fresh();
	p = &wt_m->p;
	st[1] = p->hidden_base;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, st, 3), 0);
	st[1] = p->hidden_base + p->hidden_size - 4;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, st, 3), 0);
	st[1] = p->hidden_base + p->hidden_size;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, st, 3), GVT_ERR_BAD_ADDRESS);
	st[1] = p->hidden_base - 4;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, st, 3), GVT_ERR_BAD_ADDRESS);
	st[1] = p->aperture_base + 8;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, st, 3), 0);
	st[1] = p->hidden_base + 2;	/* unaligned */
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, st, 3), GVT_ERR_BAD_ADDRESS);
	st[1] = 0xfffffffc;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, st, 3), GVT_ERR_BAD_ADDRESS);

	/* a rectangle whose last row crosses the end of the range */
	fill[1] = p->hidden_base + p->hidden_size - 64 - 60;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, fill, 5), GVT_ERR_BAD_ADDRESS);
	fill[1] = p->hidden_base + p->hidden_size - 64 - 64;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, fill, 5), 0);
	fill[2] = 60;		/* stride below the row */
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, fill, 5), GVT_ERR_BAD_PARAM);
	fill[2] = 66;		/* not a multiple of 4 */
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, fill, 5), GVT_ERR_BAD_PARAM);
	fill[2] = GVT_RECT_MAX_STRIDE + 4;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, fill, 5), GVT_ERR_BAD_PARAM);
	fill[2] = 64;
	fill[3] = GVT_RECT_SIZE(0, 2);
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, fill, 5), GVT_ERR_BAD_PARAM);
	fill[3] = GVT_RECT_SIZE(16, GVT_RECT_MAX_DIM + 1);
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, fill, 5), GVT_ERR_BAD_PARAM);
	/* huge h * stride must not wrap into the range */
	fill[1] = p->hidden_base;
	fill[2] = GVT_RECT_MAX_STRIDE;
	fill[3] = GVT_RECT_SIZE(16, GVT_RECT_MAX_DIM);
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, fill, 5), GVT_ERR_BAD_ADDRESS);

	work[1] = 0;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, work, 2), GVT_ERR_BAD_PARAM);
	work[1] = GVT_WORK_MAX_NS + 1;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, work, 2), GVT_ERR_BAD_PARAM);
	work[1] = GVT_WORK_MAX_NS;
	CU_ASSERT_EQUAL(gvt_cmd_check(wt_m, 0, work, 2), 0);
}

/* ---- execution ------------------------------------------------------------ */

static void test_store_lri_irq(void)
{
	u32 e;

	wt_fresh();
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		u32 cmd[] = {
			GVT_CMD_NOOP, GVT_CMD_STORE_DWORD, wt_ga(WT_DATA + 4 * e),
			0x1234 + e, GVT_CMD_LRI(2), GVT_REG_SCRATCH, 0x77 + e,
			GVT_ENGINE_REG(e, GVT_RING_SEQNO), 5 + e,
			GVT_CMD_USER_INTERRUPT,
		};

		wt_emit(e, cmd, ARRAY_SIZE(cmd));
		wt_doorbell(e);
		CU_ASSERT_EQUAL(wt_kicks[e], 1);
		CU_ASSERT_FALSE(ereg(e, GVT_RING_STATUS) & GVT_RING_STATUS_IDLE);
		/* the doorbell only queues: nothing ran yet */
		CU_ASSERT_EQUAL(*wt_u32(WT_DATA + 4 * e), 0);
		wt_run(e);
		CU_ASSERT_EQUAL(*wt_u32(WT_DATA + 4 * e), 0x1234 + e);
		CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_SCRATCH), 0x77 + e);
		CU_ASSERT_EQUAL(ereg(e, GVT_RING_SEQNO), 5 + e);
		CU_ASSERT_EQUAL(ereg(e, GVT_RING_HEAD), wt_tail[e]);
		CU_ASSERT_EQUAL(ereg(e, GVT_RING_STATUS), GVT_RING_STATUS_IDLE);
		CU_ASSERT(wt_mmio_rd(GVT_REG_IIR) & GVT_IRQ_USER(e));
	}
	CU_ASSERT_EQUAL(wt_irqs, 2);
	CU_ASSERT_EQUAL(wt_m->stats.workloads_submitted, 2);
	CU_ASSERT_EQUAL(wt_m->stats.workloads_completed, 2);
	CU_ASSERT_EQUAL(wt_m->stats.workloads_rejected, 0);
}

static void test_ring_wrap(void)
{
	u32 i;

	wt_fresh();
	/* a command straddling the end of the ring */
	wt_tail[0] = WT_RING_SIZE - 8;
	wt_mmio_wr(GVT_ENGINE_REG(0, GVT_RING_CTL), GVT_RING_CTL_ENABLE |
		   ((WT_RING_PAGES - 1) << GVT_RING_CTL_SIZE_SHIFT));
	wt_m->regs[gvt_reg_lookup(GVT_ENGINE_REG(0, GVT_RING_HEAD))] =
		WT_RING_SIZE - 8;
	for (i = 0; i < 3; i++)
		wt_emit(0, (const u32[]){ GVT_CMD_STORE_DWORD,
					  wt_ga(WT_DATA + 4 * i), i + 1 }, 3);
	wt_doorbell(0);
	wt_run(0);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(*wt_u32(WT_DATA + 4 * i), i + 1);
	CU_ASSERT_EQUAL(ereg(0, GVT_RING_HEAD), wt_tail[0]);
}

static void test_fill_copy(void)
{
	u32 x, y, bad = 0;
	u32 cmd[] = {
		GVT_CMD_FILL_RECT, wt_ga(WT_SURF), 4096, GVT_RECT_SIZE(300, 70),
		0xa1b2c3d4,
		GVT_CMD_COPY_RECT, wt_ga(WT_SURF), 4096, wt_ga(WT_SURF + 0x80000 + 8),
		2048, GVT_RECT_SIZE(300, 70),
	};

	wt_fresh();
	wt_emit(0, cmd, ARRAY_SIZE(cmd));
	wt_doorbell(0);
	wt_run(0);
	for (y = 0; y < 80; y++)
		for (x = 0; x < 1024; x++) {
			u32 a = *wt_u32(WT_SURF + y * 4096 + 4 * x);

			bad += a != (y < 70 && x < 300 ? 0xa1b2c3d4 : 0);
		}
	for (y = 0; y < 80; y++)
		for (x = 0; x < 512; x++) {
			u32 b = *wt_u32(WT_SURF + 0x80000 + y * 2048 + 4 * x);

			bad += b != (y < 70 && x >= 2 && x < 302 ? 0xa1b2c3d4 : 0);
		}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(wt_m->stats.workloads_completed, 1);
}

/* a big fill runs in several bounded steps, resuming by row */
static void test_fill_in_steps(void)
{
	u32 cmd[] = { GVT_CMD_FILL_RECT, wt_ga(WT_SURF), 16384,
		      GVT_RECT_SIZE(4096, 100), 0x5 };
	unsigned int steps = 0;
	u64 occ;

	wt_fresh();
	wt_emit(0, cmd, ARRAY_SIZE(cmd));
	wt_doorbell(0);
	while (gvt_engine_run(wt_m, 0, 1000000, &occ) != GVT_RUN_IDLE)
		steps++;
	CU_ASSERT(steps >= 6);	/* 1.6 MiB in 256 KiB steps */
	CU_ASSERT_EQUAL(*wt_u32(WT_SURF + 99 * 16384 + 4 * 4095), 0x5);
	CU_ASSERT_EQUAL(*wt_u32(WT_SURF + 100 * 16384), 0);
}

static void test_work_occupies(void)
{
	u64 occ;

	wt_fresh();
	wt_emit(0, (const u32[]){ GVT_CMD_WORK, 2500000,
				  GVT_CMD_STORE_DWORD, wt_ga(WT_DATA), 1 }, 5);
	wt_doorbell(0);
	/* 1 ms budgets: the work is split, the store waits for its end */
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_OCCUPY);
	CU_ASSERT_EQUAL(occ, 1000000);
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_OCCUPY);
	CU_ASSERT_EQUAL(occ, 1000000);
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_OCCUPY);
	CU_ASSERT_EQUAL(occ, 500000);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA), 0);
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_PROGRESS);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA), 1);
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_IDLE);
	gvt_engine_account(wt_m, 0, 2500000);
	CU_ASSERT_EQUAL(ereg(0, GVT_RING_BUSY_NS_LO), 2500000);
	CU_ASSERT_EQUAL(wt_m->stats.gpu_busy_ns, 2500000);
}

/* a preempted occupation owes the WORK what it did not do */
static void test_work_unoccupy(void)
{
	u64 occ;

	wt_fresh();
	wt_emit(0, (const u32[]){ GVT_CMD_WORK, 1500000,
				  GVT_CMD_STORE_DWORD, wt_ga(WT_DATA), 1 }, 5);
	wt_doorbell(0);
	/* cut short in the middle of the WORK: 400 us owed again */
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_OCCUPY);
	CU_ASSERT_EQUAL(occ, 1000000);
	gvt_engine_unoccupy(wt_m, 0, 400000);
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_OCCUPY);
	CU_ASSERT_EQUAL(occ, 900000);
	/* cut short in the step that ended it: back to the WORK */
	gvt_engine_unoccupy(wt_m, 0, 300000);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA), 0);
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_OCCUPY);
	CU_ASSERT_EQUAL(occ, 300000);
	/* only right after the occupation: a second give-back is ignored */
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_PROGRESS);
	gvt_engine_unoccupy(wt_m, 0, 300000);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA), 1);
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_IDLE);
	gvt_engine_unoccupy(wt_m, GVT_NUM_ENGINES, 1);
}

/* the executor runs what was scanned, whatever the guest writes later */
static void test_shadowing(void)
{
	u64 occ;

	wt_fresh();
	*wt_u32(WT_BATCH) = GVT_CMD_STORE_DWORD;
	*wt_u32(WT_BATCH + 4) = wt_ga(WT_DATA);
	*wt_u32(WT_BATCH + 8) = 0x600d;
	*wt_u32(WT_BATCH + 12) = GVT_CMD_BATCH_END;
	wt_emit(0, (const u32[]){ GVT_CMD_WORK, 1000,
				  GVT_CMD_BATCH_START, wt_ga(WT_BATCH) }, 4);
	wt_doorbell(0);
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_OCCUPY);
	/* after the scan: turn the store into a register write it refused */
	*wt_u32(WT_BATCH) = GVT_CMD_LRI(1);
	*wt_u32(WT_BATCH + 4) = GVT_REG_IER;
	*wt_u32(WT_BATCH + 8) = 0;
	wt_run(0);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA), 0x600d);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_IER), GVT_IRQ_ALL);
}

/* submits @cmd and expects it refused with @code, nothing executed */
static void expect_refused(const u32 *cmd, u32 n, u32 code)
{
	u32 count = wt_mmio_rd(GVT_REG_ERROR_COUNT);

	*wt_u32(WT_DATA) = 0;
	wt_mmio_wr(GVT_REG_IIR, GVT_IRQ_ALL);
	wt_emit(0, cmd, n);
	wt_emit(0, (const u32[]){ GVT_CMD_STORE_DWORD, wt_ga(WT_DATA), 1 }, 3);
	wt_doorbell(0);
	wt_run(0);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_ERROR), code);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_ERROR_COUNT), count + 1);
	CU_ASSERT(wt_mmio_rd(GVT_REG_IIR) & GVT_IRQ_ERROR(0));
	CU_ASSERT(ereg(0, GVT_RING_STATUS) & GVT_RING_STATUS_ERROR);
	CU_ASSERT_EQUAL(ereg(0, GVT_RING_HEAD), wt_tail[0]);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA), 0);
}

static void test_bad_streams(void)
{
	u32 i;

	wt_fresh();
	expect_refused((const u32[]){ 0x55000001 }, 1, GVT_ERR_BAD_OPCODE);
	expect_refused((const u32[]){ GVT_CMD_BATCH_END }, 1,
		       GVT_ERR_BAD_OPCODE);
	expect_refused((const u32[]){ GVT_CMD_LRI(1), GVT_REG_RESET,
				      GVT_RESET_KEY }, 3, GVT_ERR_BAD_REGISTER);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_STATUS), 0);
	CU_ASSERT_EQUAL(wt_m->stats.workloads_rejected, 3);
	/* the fourth error since reset fails the vGPU */
	expect_refused((const u32[]){ GVT_CMD_STORE_DWORD, 0x1000, 0 }, 3,
		       GVT_ERR_BAD_ADDRESS);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_STATUS), GVT_STATUS_FAILED);
	/* failed: doorbells queue nothing */
	i = wt_kicks[0];
	wt_emit(0, (const u32[]){ GVT_CMD_STORE_DWORD, wt_ga(WT_DATA), 1 }, 3);
	wt_doorbell(0);
	CU_ASSERT_EQUAL(wt_kicks[0], i);
	CU_ASSERT_FALSE(gvt_engine_has_work(wt_m, 0));
	/* the device reset brings it back */
	wt_mmio_wr(GVT_REG_RESET, GVT_RESET_KEY);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_STATUS), 0);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_ERROR_COUNT), 0);
}

static void test_command_past_tail(void)
{
	wt_fresh();
	/* a store whose operands lie beyond TAIL */
	wt_emit(0, (const u32[]){ GVT_CMD_NOOP, GVT_CMD_STORE_DWORD }, 2);
	wt_doorbell(0);
	wt_run(0);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_ERROR), GVT_ERR_BAD_LENGTH);
	/* a TAIL outside the ring */
	wt_mmio_wr(GVT_ENGINE_REG(0, GVT_RING_TAIL), WT_RING_SIZE);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_ERROR), GVT_ERR_RING_CTL);
	CU_ASSERT_EQUAL(ereg(0, GVT_RING_TAIL), wt_tail[0]);
}

static void test_batches(void)
{
	u32 *b, i;

	wt_fresh();
	b = wt_u32(WT_BATCH);
	/* ring -> batch -> batch, then back */
	b[0] = GVT_CMD_BATCH_START;
	b[1] = wt_ga(WT_BATCH + 0x100);
	b[2] = GVT_CMD_STORE_DWORD;
	b[3] = wt_ga(WT_DATA + 4);
	b[4] = 2;
	b[5] = GVT_CMD_BATCH_END;
	b[64] = GVT_CMD_STORE_DWORD;
	b[65] = wt_ga(WT_DATA);
	b[66] = 1;
	b[67] = GVT_CMD_BATCH_END;
	wt_emit(0, (const u32[]){ GVT_CMD_BATCH_START, wt_ga(WT_BATCH),
				  GVT_CMD_STORE_DWORD, wt_ga(WT_DATA + 8), 3 }, 5);
	wt_doorbell(0);
	wt_run(0);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA), 1);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA + 4), 2);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA + 8), 3);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_ERROR_COUNT), 0);

	/* one level too deep */
	b[64] = GVT_CMD_BATCH_START;
	b[65] = wt_ga(WT_BATCH + 0x200);
	b[128] = GVT_CMD_BATCH_END;
	expect_refused((const u32[]){ GVT_CMD_BATCH_START, wt_ga(WT_BATCH) }, 2,
		       GVT_ERR_BATCH_DEPTH);
	/* a batch that never ends */
	for (i = 0; i < GVT_BATCH_MAX_DWORDS + 16; i++)
		b[1024 + i] = GVT_CMD_NOOP;
	expect_refused((const u32[]){ GVT_CMD_BATCH_START,
				      wt_ga(WT_BATCH + 4096) }, 2,
		       GVT_ERR_BATCH_SIZE);
	/* a batch running off the end of the vGPU's memory (NOOPs there) */
	wt_m->gtt[(wt_m->p.hidden_base + wt_m->p.hidden_size) / GVT_PAGE_SIZE - 1] =
		(WT_IOVA + WT_MEM_SIZE - GVT_PAGE_SIZE) | GVT_PTE_VALID;
	expect_refused((const u32[]){ GVT_CMD_BATCH_START,
				      wt_m->p.hidden_base +
				      wt_m->p.hidden_size - 8 }, 2,
		       GVT_ERR_BAD_ADDRESS);
}

/* workloads larger than the shadow are split at ring command boundaries */
static void test_long_ring(void)
{
	u32 i, n = (WT_RING_SIZE - 64) / 12;

	wt_fresh();
	/* the ring is small; make batches long instead */
	for (i = 0; i < 2000; i++) {
		*wt_u32(WT_BATCH + 12 * i) = GVT_CMD_STORE_DWORD;
		*wt_u32(WT_BATCH + 12 * i + 4) = wt_ga(WT_DATA + 4 * (i % 64));
		*wt_u32(WT_BATCH + 12 * i + 8) = i;
	}
	*wt_u32(WT_BATCH + 12 * 2000) = GVT_CMD_BATCH_END;
	for (i = 0; i < 10; i++)
		wt_emit(0, (const u32[]){ GVT_CMD_BATCH_START, wt_ga(WT_BATCH) },
			2);
	wt_doorbell(0);
	wt_run(0);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_ERROR_COUNT), 0);
	CU_ASSERT(wt_m->stats.workloads_completed >= 3);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA + 4 * (1999 % 64)), 1999);
	CU_ASSERT_EQUAL(ereg(0, GVT_RING_HEAD), wt_tail[0]);
	(void)n;
}

static void test_reset_mid_workload(void)
{
	u64 occ;

	wt_fresh();
	wt_emit(0, (const u32[]){ GVT_CMD_WORK, 5000000,
				  GVT_CMD_STORE_DWORD, wt_ga(WT_DATA), 1 }, 5);
	wt_doorbell(0);
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_OCCUPY);
	wt_mmio_wr(GVT_REG_RESET, GVT_RESET_KEY);
	CU_ASSERT_FALSE(gvt_engine_has_work(wt_m, 0));
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_IDLE);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA), 0);
	CU_ASSERT_EQUAL(ereg(0, GVT_RING_HEAD), 0);
	/* re-programming a ring while busy drops the workload too */
	wt_fresh();
	wt_emit(0, (const u32[]){ GVT_CMD_WORK, 5000000,
				  GVT_CMD_STORE_DWORD, wt_ga(WT_DATA), 1 }, 5);
	wt_doorbell(0);
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_OCCUPY);
	wt_mmio_wr(GVT_ENGINE_REG(0, GVT_RING_CTL), 0);
	CU_ASSERT_EQUAL(gvt_engine_run(wt_m, 0, 1000000, &occ), GVT_RUN_IDLE);
	CU_ASSERT_EQUAL(*wt_u32(WT_DATA), 0);
}

static void test_plane_flip_lri(void)
{
	wt_fresh();
	wt_emit(0, (const u32[]){ GVT_CMD_LRI(1), GVT_REG_PLANE_SURF,
				  wt_ga(WT_SURF) | 0x123 }, 3);
	wt_doorbell(0);
	wt_run(0);
	CU_ASSERT_EQUAL(wt_mmio_rd(GVT_REG_PLANE_SURF), wt_ga(WT_SURF));
	CU_ASSERT(wt_mmio_rd(GVT_REG_IIR) & GVT_IRQ_PLANE_FLIP);
}

static void test_plane(void)
{
	struct gvt_plane_info pi;
	static u8 out[64 * 4096];
	u32 fault = 0, y;

	wt_fresh();
	CU_ASSERT_EQUAL(gvt_plane_get(wt_m, &pi, sizeof(out)), -ENOENT);
	for (y = 0; y < 30; y++)
		*wt_u32(WT_SURF + y * 256 + 4 * 39) = y + 1;
	wt_mmio_wr(GVT_REG_PLANE_SURF, wt_ga(WT_SURF));
	wt_mmio_wr(GVT_REG_PLANE_WIDTH, 40);
	wt_mmio_wr(GVT_REG_PLANE_HEIGHT, 30);
	wt_mmio_wr(GVT_REG_PLANE_STRIDE, 256);
	wt_mmio_wr(GVT_REG_PLANE_CTL, GVT_PLANE_CTL_ENABLE);
	CU_ASSERT_EQUAL(gvt_plane_get(wt_m, &pi, sizeof(out)), 0);
	CU_ASSERT_EQUAL(pi.size, 256 * 30);
	CU_ASSERT_EQUAL(gvt_plane_copy(wt_m, &pi, out, sizeof(out), &fault), 0);
	for (y = 0; y < 30; y++)
		CU_ASSERT_EQUAL(*(u32 *)(out + y * 256 + 4 * 39), y + 1);
	/* too big for the region, outside the vGPU, bad format, stride */
	CU_ASSERT_EQUAL(gvt_plane_get(wt_m, &pi, 256 * 29), -EINVAL);
	CU_ASSERT_EQUAL(pi.size, 0);
	CU_ASSERT_EQUAL(gvt_plane_copy(wt_m, &pi, out, 16, &fault), 0);
	wt_mmio_wr(GVT_REG_PLANE_SURF, wt_m->p.hidden_base + wt_m->p.hidden_size -
		   4096);
	CU_ASSERT_EQUAL(gvt_plane_get(wt_m, &pi, sizeof(out)), -EINVAL);
	wt_mmio_wr(GVT_REG_PLANE_SURF, wt_ga(WT_SURF));
	wt_mmio_wr(GVT_REG_PLANE_CTL, GVT_PLANE_CTL_ENABLE |
		   (3 << GVT_PLANE_CTL_FORMAT_SHIFT));
	CU_ASSERT_EQUAL(gvt_plane_get(wt_m, &pi, sizeof(out)), -EINVAL);
	wt_mmio_wr(GVT_REG_PLANE_CTL, GVT_PLANE_CTL_ENABLE);
	wt_mmio_wr(GVT_REG_PLANE_STRIDE, 128);
	CU_ASSERT_EQUAL(gvt_plane_get(wt_m, &pi, sizeof(out)), -EINVAL);
	/* an unmapped page in the surface: the copy faults cleanly */
	wt_mmio_wr(GVT_REG_PLANE_STRIDE, 256);
	CU_ASSERT_EQUAL(gvt_plane_get(wt_m, &pi, sizeof(out)), 0);
	wt_m->gtt[(wt_ga(WT_SURF) + 4096) / GVT_PAGE_SIZE] = 0;
	CU_ASSERT_EQUAL(gvt_plane_copy(wt_m, &pi, out, sizeof(out), &fault),
			-EFAULT);
	CU_ASSERT_EQUAL(fault, wt_ga(WT_SURF) + 4096);
}

/*
 * A message the client held back (Pending) goes out when unmasked, and
 * only from a bus master.
 */
static void test_msi_pending_unmask(void)
{
	u16 flags = PCI_MSI_FLAGS_ENABLE, master = PCI_COMMAND_MASTER, off = 0;
	u32 one = 1, zero = 0;

	wt_fresh();
	gvt_model_rw(wt_m, GVT_SPACE_CFG, GVT_CFG_MSI_OFFSET + PCI_MSI_FLAGS,
		     &flags, 2, true);
	/* unmasked, but not a bus master: it stays pending */
	gvt_model_msi_set_pending(wt_m, true);
	wt_irqs = 0;
	gvt_model_rw(wt_m, GVT_SPACE_CFG, PCI_COMMAND, &off, 2, true);
	gvt_model_rw(wt_m, GVT_SPACE_CFG, GVT_CFG_MSI_OFFSET + PCI_MSI_MASK_64,
		     &zero, 4, true);
	CU_ASSERT_EQUAL(wt_irqs, 0);
	CU_ASSERT_TRUE(gvt_model_msi_pending(wt_m));
	gvt_model_rw(wt_m, GVT_SPACE_CFG, PCI_COMMAND, &master, 2, true);
	CU_ASSERT_EQUAL(wt_irqs, 1);
	CU_ASSERT_FALSE(gvt_model_msi_pending(wt_m));
	gvt_model_rw(wt_m, GVT_SPACE_CFG, GVT_CFG_MSI_OFFSET + PCI_MSI_MASK_64,
		     &one, 4, true);
	gvt_model_msi_set_pending(wt_m, true);
	wt_irqs = 0;
	/* other config writes leave it pending */
	gvt_model_rw(wt_m, GVT_SPACE_CFG, PCI_CACHE_LINE_SIZE, &one, 1, true);
	CU_ASSERT_EQUAL(wt_irqs, 0);
	CU_ASSERT_TRUE(gvt_model_msi_pending(wt_m));
	gvt_model_rw(wt_m, GVT_SPACE_CFG, GVT_CFG_MSI_OFFSET + PCI_MSI_MASK_64,
		     &zero, 4, true);
	CU_ASSERT_EQUAL(wt_irqs, 1);
	CU_ASSERT_FALSE(gvt_model_msi_pending(wt_m));
	/* a function reset drops it */
	gvt_model_msi_set_pending(wt_m, true);
	gvt_model_reset(wt_m);
	CU_ASSERT_FALSE(gvt_model_msi_pending(wt_m));
}

/*
 * Runs engine 0 until idle and returns the most DMA accesses one
 * gvt_engine_run() call made; *@calls is how many calls it took.
 */
static unsigned int wt_run_steps(unsigned int *calls)
{
	unsigned int most = 0, before;
	u64 occ;

	*calls = 0;
	for (;;) {
		before = wt_dma_calls;
		if (gvt_engine_run(wt_m, 0, 1000000, &occ) == GVT_RUN_IDLE)
			break;
		if (wt_dma_calls - before > most)
			most = wt_dma_calls - before;
		if (++*calls > 10000000)
			break;
	}
	return most;
}

/* a ring of @pages pages at buffer offset @off on engine 0, HEAD at 0 */
static void wt_big_ring(u32 off, u32 pages)
{
	wt_mmio_wr(GVT_ENGINE_REG(0, GVT_RING_START), wt_ga(off));
	wt_mmio_wr(GVT_ENGINE_REG(0, GVT_RING_CTL), GVT_RING_CTL_ENABLE |
		   ((pages - 1) << GVT_RING_CTL_SIZE_SHIFT));
}

/*
 * Whatever a stream holds, one call of the engine does a bounded step:
 * a ring full of NOOPs, and a ring of BATCH_STARTs each bringing a batch
 * of NOOPs (the cheapest valid stream to scan and the costliest to read),
 * are scanned a step at a time, and complete without an error.
 */
static void test_scan_steps(void)
{
	const u32 ring = 0x200000u, pages = GVT_RING_MAX_PAGES;
	u32 i, size = pages * GVT_PAGE_SIZE;
	unsigned int calls, most;

	/* 512 pages of NOOPs: 512 Ki dwords */
	wt_fresh();
	wt_big_ring(ring, pages);
	memset(wt_mem + ring, 0, size);
	wt_mmio_wr(GVT_ENGINE_REG(0, GVT_RING_TAIL), size - 8);
	most = wt_run_steps(&calls);
	UT_EQ(ereg(0, GVT_RING_HEAD), size - 8, "%s", "NOOP ring consumed");
	UT_EQ(wt_mmio_rd(GVT_REG_ERROR_COUNT), 0, "%s", "");
	UT_EQ(calls >= (size / 4) / GVT_SCAN_STEP_DWORDS, 1, "calls %u", calls);
	/* a step reads its dwords a page at a time */
	UT_EQ(most <= GVT_SCAN_STEP_DWORDS * 4 / GVT_PAGE_SIZE + 1, 1,
	      "most DMA per call %u", most);

	/* a 2-page ring of BATCH_STARTs, each to 8191 NOOPs + BATCH_END */
	wt_fresh();
	wt_big_ring(ring, 2);
	memset(wt_mem + WT_BATCH, 0, GVT_BATCH_MAX_DWORDS * 4);
	*wt_u32(WT_BATCH + (GVT_BATCH_MAX_DWORDS - 1) * 4) = GVT_CMD_BATCH_END;
	for (i = 0; i < 2 * GVT_PAGE_SIZE / 8; i++) {
		*wt_u32(ring + 8 * i) = GVT_CMD_BATCH_START;
		*wt_u32(ring + 8 * i + 4) = wt_ga(WT_BATCH);
	}
	wt_mmio_wr(GVT_ENGINE_REG(0, GVT_RING_TAIL), 2 * GVT_PAGE_SIZE - 8);
	most = wt_run_steps(&calls);
	UT_EQ(ereg(0, GVT_RING_HEAD), 2 * GVT_PAGE_SIZE - 8, "%s",
	      "batch ring consumed");
	UT_EQ(wt_mmio_rd(GVT_REG_ERROR_COUNT), 0, "%s", "");
	UT_EQ(calls >= (2 * GVT_PAGE_SIZE / 8 - 1) * GVT_BATCH_MAX_DWORDS /
	      GVT_SCAN_STEP_DWORDS, 1, "calls %u", calls);
	/* a step: its dwords, plus the ring page and a batch's first page */
	UT_EQ(most <= GVT_SCAN_STEP_DWORDS * 4 / GVT_PAGE_SIZE + 3, 1,
	      "most DMA per call %u", most);
}

/* executing is bounded per call too: a long run of stores */
static void test_exec_steps(void)
{
	u32 i, n = 1000;
	unsigned int calls, most;

	wt_fresh();
	for (i = 0; i < n; i++)
		wt_emit(0, (const u32[]){ GVT_CMD_STORE_DWORD,
			wt_ga(WT_DATA + 4 * (i % 64)), i }, 3);
	wt_doorbell(0);
	most = wt_run_steps(&calls);
	UT_EQ(*wt_u32(WT_DATA + 4 * ((n - 1) % 64)), n - 1, "%s", "");
	UT_EQ(most <= GVT_RUN_STEP_CMDS + GVT_SCAN_STEP_DWORDS * 4 /
	      GVT_PAGE_SIZE + 1, 1, "most DMA per call %u", most);
	UT_EQ(calls >= n / GVT_RUN_STEP_CMDS, 1, "calls %u", calls);
}

CU_TestInfo ut_cmd_tests[] = {
	{ "command lengths", test_lengths },
	{ "unknown opcodes", test_unknown_opcodes },
	{ "LRI allow list", test_lri_allow_list },
	{ "address and parameter checks", test_address_checks },
	{ "store, LRI, seqno, user interrupt", test_store_lri_irq },
	{ "ring wrap", test_ring_wrap },
	{ "fill and copy byte for byte", test_fill_copy },
	{ "big fill in bounded steps", test_fill_in_steps },
	{ "WORK occupies the engine", test_work_occupies },
	{ "a preempted WORK is owed the rest", test_work_unoccupy },
	{ "shadowing defeats late rewrites", test_shadowing },
	{ "bad streams, failed state, reset", test_bad_streams },
	{ "command past TAIL, TAIL past ring", test_command_past_tail },
	{ "batch nesting, depth, runaway", test_batches },
	{ "long workloads are split", test_long_ring },
	{ "reset and ring CTL mid-workload", test_reset_mid_workload },
	{ "plane flip by LRI", test_plane_flip_lri },
	{ "display plane checks and copy", test_plane },
	{ "MSI pending sent at unmask", test_msi_pending_unmask },
	{ "hostile streams are scanned in bounded steps", test_scan_steps },
	{ "execution in bounded steps", test_exec_steps },
	CU_TEST_INFO_NULL,
};
