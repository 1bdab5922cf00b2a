// SPDX-License-Identifier: GPL-2.0
/*
 * Shared fixture of the unit tests: one model with known parameters, a fake
 * clock and an interrupt counter standing in for the client (the VFIO glue
 * in the module), and checked access helpers; unit.h declares them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <CUnit/CUnit.h>
#include "gvt_model.h"
#include "unit.h"

/* one aperture size that is neither the smallest nor a round default */
#define UT_APERTURE_SIZE	0x00100000u

struct gvt_model *ut_m;
u8 *ut_aperture;
u64 ut_clock;
unsigned int ut_irqs;
/* IIR & IER & ~IMR when the model last signalled, to check the reason */
u32 ut_irq_live_at_signal;

static u64 ut_now_ns(void *priv)
{
	(void)priv;
	return ut_clock;
}

static void ut_irq(void *priv)
{
	struct gvt_model *m = priv;

	ut_irqs++;
	ut_irq_live_at_signal = m->regs[GVT_REGIDX_IIR] &
				m->regs[GVT_REGIDX_IER] &
				~m->regs[GVT_REGIDX_IMR];
}

static struct gvt_model_env ut_env = {
	.now_ns = ut_now_ns,
	.irq = ut_irq,
};

/* values chosen so that no two PV-info fields hold the same number */
void ut_default_params(struct gvt_vgpu_params *p)
{
	memset(p, 0, sizeof(*p));
	p->id = 5;
	p->type_div = 4;
	p->weight = 4;
	p->aperture_base = 0x02000000;
	p->aperture_size = UT_APERTURE_SIZE;
	p->hidden_base = 0x10000000;
	p->hidden_size = 0x04000000;
	p->fences = 8;
	p->contexts = 16;
}

const struct gvt_model_env *ut_env_get(void)
{
	return &ut_env;
}

/*
 * A freshly created model for each test, so that no test depends on what
 * another left behind. Returns NULL (and fails the test) if creation fails.
 */
struct gvt_model *ut_fresh(void)
{
	struct gvt_vgpu_params p;
	int rc;

	ut_default_params(&p);
	ut_clock = 0;
	ut_irqs = 0;
	ut_irq_live_at_signal = 0;
	memset(ut_aperture, 0, UT_APERTURE_SIZE);
	ut_env.priv = ut_m;
	rc = gvt_model_init(ut_m, &p, &ut_env, ut_aperture);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return ut_m;
}

int ut_suite_init(void)
{
	if (gvt_model_global_init())
		return -1;
	/* the model holds the whole GTT: keep it off the stack */
	ut_m = calloc(1, sizeof(*ut_m));
	ut_aperture = calloc(1, UT_APERTURE_SIZE);
	return ut_m && ut_aperture ? 0 : -1;
}

int ut_suite_cleanup(void)
{
	free(ut_m);
	free(ut_aperture);
	ut_m = NULL;
	ut_aperture = NULL;
	return 0;
}

/*
 * An equality check that says which values differed and in what context
 * (a register name, an offset): table-driven tests would otherwise report
 * only a line number. CUnit copies the condition string.
 */
void ut_check_eq(u64 act, u64 exp, const char *expr, unsigned int line,
		 const char *file, const char *func, const char *fmt, ...)
{
	char ctx[128], msg[512];
	va_list ap;

	if (act == exp) {
		CU_assertImplementation(CU_TRUE, line, expr, file, func, CU_FALSE);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s [%s]: got 0x%llx, want 0x%llx", expr,
		 ctx, (unsigned long long)act, (unsigned long long)exp);
	CU_assertImplementation(CU_FALSE, line, msg, file, func, CU_FALSE);
}

/* accesses that must succeed: a failure is reported where it happened */
u32 ut_rd(enum gvt_space sp, u64 off, u32 len)
{
	u32 v = 0;

	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, sp, off, &v, len, false), 0);
	return v;
}

void ut_wr(enum gvt_space sp, u64 off, u32 len, u32 val)
{
	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, sp, off, &val, len, true), 0);
}

u64 ut_rd64(enum gvt_space sp, u64 off)
{
	u64 v = 0;

	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, sp, off, &v, 8, false), 0);
	return v;
}

void ut_wr64(enum gvt_space sp, u64 off, u64 val)
{
	CU_ASSERT_EQUAL(gvt_model_rw(ut_m, sp, off, &val, 8, true), 0);
}
