/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgvtvfio: what the two libbpf halves of the policy library share -
 * gvt_policy_obj.c (objects: knobs, bindings, load, attach, replace) and
 * gvt_policy_pin.c (the pins under /sys/fs/bpf/gvt and the live kernel
 * objects behind them). Not for the library's users.
 */
#ifndef GVT_POLICY_INT_H
#define GVT_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "gvt_policy.h"

struct btf;

/* GVT_POLICY_PIN_ROOT/@name into @buf; 0 or -ENAMETOOLONG */
int gvt_pin_dir(const char *name, char *buf, size_t size);
/* @dir/@file into @buf; 0 or -ENAMETOOLONG */
int gvt_pin_path(const char *dir, const char *file, char *buf, size_t size);
/*
 * Removes the maps pinned in @dir (links stay) whose ids are not among
 * @keep[0..@nkeep), and their twins pinned by name at the pin root.
 */
void gvt_unpin_maps(const char *dir, const __u32 *keep, int nkeep);
/*
 * Removes every pin in @dir and the directory, then waits until the
 * kernel let go of its links; 0, -EBUSY (a link stays) or -errno.
 */
int gvt_unpin_dir(const char *dir);
/* the path of the only link pin in @dir; -ENOENT unless exactly one */
int gvt_pin_single_link(const char *dir, char *path, size_t len);
/* copies a name known to fit into a name buffer */
void gvt_name_copy(char dst[GVT_POLICY_NAME_LEN], const char *src);
/* offset, size and (if @mtype) type of member @name of struct @type_id */
int gvt_btf_member(const struct btf *btf, __u32 type_id, const char *name,
		   __u32 *off, __u32 *size, __u32 *mtype);

/* the struct_ops value in the kernel: what a live link runs now */
struct gvt_live_ops {
	uint64_t vgpu_serial, parents;
	bool has_serial, has_parents;
};

/* the struct_ops value the link @link_fd runs now, from the kernel */
int gvt_live_ops_read(int link_fd, struct gvt_live_ops *lo);

#endif /* GVT_POLICY_INT_H */
