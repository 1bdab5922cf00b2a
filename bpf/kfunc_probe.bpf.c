// SPDX-License-Identifier: GPL-2.0
/*
 * kfunc_probe: exercises every MMIO kfunc through the SCRATCH register, so
 * the test suite can see each one act on a live vGPU:
 *   - a write of GVT_IRQ_* bits with bit 31 set raises those interrupts
 *     (gvt_raise_irq) and is consumed;
 *   - a write with bit 30 set stores the low bits into IER through the
 *     built-in semantics (gvt_reg_write) and is consumed;
 *   - a write with bit 29 set asks gvt_reg_write for the RESET register,
 *     which it must refuse; the kfunc's result is stored in SCRATCH;
 *   - a read returns the vGPU's type divisor and weight
 *     (gvt_vgpu_attr): type_div << 16 | weight, and the vGPU id in the
 *     `probe_ids` map, read back from the PV-info page (gvt_reg_read).
 * Other writes fall through to the built-in handler.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

#define PROBE_IRQ	(1u << 31)
#define PROBE_IER	(1u << 30)
#define PROBE_RESET	(1u << 29)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} probe_ids SEC(".maps");

int GVT_STRUCT_OPS(probe_read, struct gvt_mmio_access *a)
{
	__u32 id = a->vgpu_id, pv = gvt_reg_read(a, GVT_PV_VGPU_ID);

	bpf_map_update_elem(&probe_ids, &id, &pv, BPF_ANY);
	a->value = gvt_vgpu_attr(a, GVT_ATTR_TYPE_DIV) << 16 |
		   gvt_vgpu_attr(a, GVT_ATTR_WEIGHT);
	return GVT_MMIO_HANDLED;
}

int GVT_STRUCT_OPS(probe_write, struct gvt_mmio_access *a)
{
	__u32 v = a->value;

	if (a->size != 4)
		return GVT_MMIO_PASS;
	if (v & PROBE_IRQ) {
		gvt_raise_irq(a, v & ~PROBE_IRQ);
		return GVT_MMIO_HANDLED;
	}
	if (v & PROBE_IER) {
		gvt_reg_write(a, GVT_REG_IER, v & ~PROBE_IER);
		return GVT_MMIO_HANDLED;
	}
	if (v & PROBE_RESET) {
		/* the result goes where the guest wrote: a negative errno */
		a->value = gvt_reg_write(a, GVT_REG_RESET, GVT_RESET_KEY);
		return GVT_MMIO_PASS;
	}
	return GVT_MMIO_PASS;
}

GVT_MMIO_OPS_DEFINE(kfunc_probe,
	.read = (void *)probe_read,
	.write = (void *)probe_write,
	.ranges = { { GVT_REG_SCRATCH, GVT_REG_SCRATCH + 4 } },
);
