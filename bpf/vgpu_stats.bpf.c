// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_stats: mirrors each vGPU's counters (struct gvt_vgpu_stats, the record
 * the module keeps) into one pinned array map, so that
 *   bpftool map dump pinned /sys/fs/bpf/gvt/stats
 * prints every vGPU's counters with their field names.
 *
 * Demonstrates: a tracing program (fentry) on the module's stats event,
 * next to the struct_ops policies; a map pinned by name at the top of the
 * gvt pin tree. Load with `gvt-load vgpu_stats.bpf.o`.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);	/* index: vGPU id */
	__type(key, __u32);
	__type(value, struct gvt_vgpu_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

SEC("fentry/gvt_stats_event")
int BPF_PROG(stats_event, __u32 vgpu_id, const struct gvt_vgpu_stats *s)
{
	struct gvt_vgpu_stats *rec;
	__u32 id = vgpu_id;

	rec = bpf_map_lookup_elem(&stats, &id);
	if (!rec)
		return 0;
	bpf_probe_read_kernel(rec, sizeof(*rec), s);
	return 0;
}
