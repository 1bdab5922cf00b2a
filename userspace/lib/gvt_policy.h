/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgvtvfio: the attached BPF policies as the kernel shows them, one
 * value per file under /sys/kernel/gvt/policies/<id>/ (<id> is the
 * policy's BPF link id), read into typed records.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure.
 */
#ifndef GVT_POLICY_LIB_H
#define GVT_POLICY_LIB_H

#include <stdbool.h>
#include <stdint.h>

#include "gvt/gvt_abi.h"
#include "gvt/gvt_bpf.h"

struct gvt_policy_info {
	unsigned int id;			/* its directory, never reused */
	unsigned int link_id;			/* its BPF link's id */
	char name[GVT_POLICY_NAME_LEN];
	char hook[8];				/* "mmio" or "sched" */
	char state[16];				/* active, ejected, orphaned */
	uint64_t parents;			/* mask of parent indexes */
	int64_t attached;			/* wall clock, seconds */
	/* mmio */
	uint64_t vgpu_serial;
	int priority;
	uint64_t calls, handled, denied;
	/* sched */
	uint64_t decisions;
	unsigned int timeout_ms, flags;
	/* how it stopped (kind GVT_EXIT_NONE while it has not) */
	unsigned int exit_kind, exit_parent, exit_vgpu, exit_engine;
	uint64_t exit_waited_ns;
	char exit_reason[GVT_EXIT_REASON_LEN];
	char exit_msg[GVT_EXIT_MSG_LEN];
};

/* reads policy @id; -ENOENT when it is not attached */
int gvt_policy_read(unsigned int id, struct gvt_policy_info *p);
/*
 * The attached policies, by id, at most @max of them into @out; the
 * count, which may exceed @max (then only @max were read), or -errno.
 */
int gvt_policy_list(struct gvt_policy_info *out, int max);
/* the policy attached through BPF link @link_id; -ENOENT if none */
int gvt_policy_of_link(unsigned int link_id, struct gvt_policy_info *p);
/* the sched policy that decides on parent @parent now, "" if built-in */
int gvt_policy_sched_of(unsigned int parent, char *name, size_t size);
/*
 * Waits up to @timeout_ms for policy @id to leave the "active" state
 * (poll() on its state file, which the kernel notifies); 1 when it did,
 * 0 on timeout, -errno (-ENOENT once it is detached).
 */
int gvt_policy_wait_exit(unsigned int id, int timeout_ms);

#endif /* GVT_POLICY_LIB_H */
