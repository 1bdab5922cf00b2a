// SPDX-License-Identifier: GPL-2.0
/*
 * bad_mmio_kfunc_null: a policy the kernel must refuse. It calls a kfunc
 * with a NULL access record; the kfuncs take trusted pointers only. The
 * VM suite checks that the verifier's log holds gvt_expect_refusal.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

/* what the verifier must say, read by the VM suite from .rodata */
const volatile char gvt_expect_refusal[] =
	"Possibly NULL pointer passed to trusted arg0";

int GVT_STRUCT_OPS(bad_null_read, struct gvt_mmio_access *a)
{
	a->value = gvt_reg_read((struct gvt_mmio_access *)0, GVT_REG_ID);
	return GVT_MMIO_HANDLED;
}

GVT_MMIO_OPS_DEFINE(bad_mmio_kfunc_null,
	.read = (void *)bad_null_read,
);
