/* SPDX-License-Identifier: GPL-2.0 */
/* gvt-bpf: entry points of the BPF hooks (gvt_bpf_ops.c) */
#ifndef GVT_BPF_OPS_H
#define GVT_BPF_OPS_H

#include <linux/types.h>
#include <linux/bpf.h>

int gvt_bpf_init(void);
int gvt_bpf_sched_init(void);
int gvt_bpf_sched_show(char *buf, int len);
int gvt_policy_name_cpy(char *dst, const char *src, size_t len);
bool gvt_bpf_is_valid_access(int off, int size, enum bpf_access_type type,
			     const struct bpf_prog *prog,
			     struct bpf_insn_access_aux *info);
int gvt_sched_bench(u32 iters, u32 nr_vgpus, u64 *builtin_ns, u64 *bpf_ns);
void gvt_bench_init(void);
void gvt_bench_exit(void);
int gvt_bpf_mmio_hook(void *priv, u32 off, u32 size, u32 *val, bool write);
ssize_t gvt_bpf_policies_show(char *buf);
void gvt_bpf_vgpu_gone(u32 id, u64 serial);

struct gvt_vgpu_stats;
void gvt_stats_event(u32 vgpu_id, const struct gvt_vgpu_stats *stats);

#endif /* GVT_BPF_OPS_H */
