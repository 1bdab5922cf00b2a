// SPDX-License-Identifier: GPL-2.0
/*
 * bench_sched_floor: the cheapest policy there can be, for `make bench`:
 * one op that queues every vGPU in arrival order on its engine's queue,
 * the kernel picking the first. Its cost over the built-in scheduler is
 * the price of calling a BPF program at all (the struct_ops trampoline
 * and the kfunc), the floor under every other policy's figure.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

void GVT_STRUCT_OPS(floor_runnable, __u32 vgpu_id, __u32 engine)
{
	gvt_queue_insert(engine, vgpu_id, 0);
}

GVT_SCHED_OPS_DEFINE(bench_sched_floor,
	.runnable = (void *)floor_runnable,
);
