/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the unit tests, declared once so that every test file
 * (and the file defining them) is checked against the same prototypes:
 * the model fixture and checked accesses of helpers.c, and the "work"
 * fixture of test_cmd.c (a model whose env reaches a fake guest memory
 * through dma_rw).
 */
#ifndef UNIT_H
#define UNIT_H

#include "gvt_model.h"

/* ---- helpers.c ----------------------------------------------------------- */

extern struct gvt_model *ut_m;
extern u8 *ut_aperture;
extern u64 ut_clock;
extern unsigned int ut_irqs;
/* IIR & IER & ~IMR when the model last signalled, to check the reason */
extern u32 ut_irq_live_at_signal;

int ut_suite_init(void);
int ut_suite_cleanup(void);
void ut_default_params(struct gvt_vgpu_params *p);
const struct gvt_model_env *ut_env_get(void);
struct gvt_model *ut_fresh(void);

void ut_check_eq(u64 act, u64 exp, const char *expr, unsigned int line,
		 const char *file, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* @act == @exp, the printf-style rest names the context of a failure */
#define UT_EQ(act, exp, ...)						\
	ut_check_eq((u64)(act), (u64)(exp), #act " == " #exp, __LINE__,	\
		    __FILE__, __func__, __VA_ARGS__)

/* accesses of the fixture's model that must succeed */
u32 ut_rd(enum gvt_space sp, u64 off, u32 len);
void ut_wr(enum gvt_space sp, u64 off, u32 len, u32 val);
u64 ut_rd64(enum gvt_space sp, u64 off);
void ut_wr64(enum gvt_space sp, u64 off, u64 val);

/* ---- test_cmd.c: the work fixture ---------------------------------------- */

/* the fake guest memory, DMA-mapped at WT_IOVA */
#define WT_IOVA		0x100000000ull
#define WT_MEM_SIZE	(4u << 20)

extern struct gvt_model *wt_m;
extern u8 *wt_mem;
extern u64 wt_clock;
extern unsigned int wt_irqs, wt_kicks[GVT_NUM_ENGINES], wt_dma_calls;

/* a new model, GTT mapped and enabled, interrupts on, both rings ready */
struct gvt_model *wt_fresh(void);
/* PTEs of the hidden range's first pages -> the fake memory, in order */
void wt_map_all(void);
/* the graphics address of offset @off of the fake memory */
u32 wt_ga(u32 off);
u32 *wt_u32(u32 off);
void wt_mmio_wr(u32 off, u32 val);
u32 wt_mmio_rd(u32 off);
void wt_emit(u32 e, const u32 *cmd, u32 n);
void wt_doorbell(u32 e);
u64 wt_run(u32 e);

#endif /* UNIT_H */
