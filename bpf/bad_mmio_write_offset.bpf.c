// SPDX-License-Identifier: GPL-2.0
/*
 * bad_mmio_write_offset: a policy the kernel must refuse. It rewrites the
 * offset of the access (only gvt_mmio_access.value is writable), which
 * would let it redirect a guest write to another register.
 * The VM suite loads it through the policy library and checks that the
 * verifier's log holds gvt_expect_refusal, word for word.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

/* what the verifier must say, read by the VM suite from .rodata */
const volatile char gvt_expect_refusal[] =
	"gvt_mmio_ops: only gvt_mmio_access.value is writable";

int GVT_STRUCT_OPS(bad_write, struct gvt_mmio_access *a)
{
	a->offset = GVT_REG_RESET;
	return GVT_MMIO_PASS;
}

GVT_MMIO_OPS_DEFINE(bad_mmio_write_offset,
	.write = (void *)bad_write,
);
