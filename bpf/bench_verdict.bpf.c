// SPDX-License-Identifier: GPL-2.0
/*
 * bench_verdict: the smallest possible MMIO policy, for measuring what a
 * BPF hook costs on the trap path. It hooks reads of CAPS only and gives
 * the verdict chosen with `--set verdict=N` (0 pass, 1 handled, 2 deny),
 * doing no other work. tools/bench uses it.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 verdict = GVT_MMIO_PASS;

int GVT_STRUCT_OPS(bench_read, struct gvt_mmio_access *a)
{
	a->value = GVT_CAPS_VALUE;
	return verdict;
}

GVT_MMIO_OPS_DEFINE(bench_verdict,
	.read = (void *)bench_read,
	.ranges = { { GVT_REG_CAPS, GVT_REG_CAPS + 4 } },
);
