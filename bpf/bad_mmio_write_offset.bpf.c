// SPDX-License-Identifier: GPL-2.0
/*
 * bad_mmio_write_offset: a policy the kernel must refuse. It rewrites the
 * offset of the access (only gvt_mmio_access.value is writable), which
 * would let it redirect a guest write to another register.
 * The test suite checks that gvt-load fails and shows the verifier log.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

int GVT_STRUCT_OPS(bad_write, struct gvt_mmio_access *a)
{
	a->offset = GVT_REG_RESET;
	return GVT_MMIO_PASS;
}

GVT_MMIO_OPS_DEFINE(bad_mmio_write_offset,
	.write = (void *)bad_write,
);
