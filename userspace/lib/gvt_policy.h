/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgvtvfio: gvt-bpf policies, from the object file to the kernel's
 * record of them. What gvt-load, gvtctl and the tests share, in process.
 *
 * Two halves:
 *  - the kernel's records (gvt_policy.c, plain sysfs): every attached
 *    policy has a directory /sys/kernel/gvt/policies/<id>/ with one value
 *    per file, read into struct gvt_policy_info; waiting for an exit is a
 *    poll() on its `state` file, which the kernel notifies.
 *  - policy objects (gvt_policy_obj.c, libbpf): open NAME.bpf.o, set its
 *    knobs (`const volatile` variables before the load, MAP[KEY]=VALUE
 *    entries after it), bind it to a vGPU or to parents, load it with the
 *    verifier's log kept, attach every struct_ops map through a BPF link
 *    pinned under /sys/fs/bpf/gvt/NAME/ together with the object's maps
 *    (an object without struct_ops, an observer, gets its tracing
 *    programs attached instead), replace the programs on a pinned
 *    policy's live links, unload, and list pins with their records.
 *
 * The pins keep a policy attached after its loader exits; removing them
 * (gvt_policy_unload) detaches it.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure; those that take a struct gvt_policy also leave a sentence in
 * gvt_policy_error(), and what libbpf and the verifier said in
 * gvt_policy_log().
 */
#ifndef GVT_POLICY_LIB_H
#define GVT_POLICY_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gvt/gvt_abi.h"
#include "gvt/gvt_bpf.h"

/* where policies are pinned: one directory per policy, named as it */
#define GVT_POLICY_PIN_ROOT	"/sys/fs/bpf/gvt"
/* a pinned link's file in its policy directory: link_<map or program> */
#define GVT_POLICY_LINK_PREFIX	"link_"
/* struct_ops maps (or tracing programs) one object may attach */
#define GVT_POLICY_MAX_LINKS	8
/* hook of a pinned observer, which has no kernel record */
#define GVT_POLICY_HOOK_TRACING	"tracing"

/* ---- the kernel's records -------------------------------------------- */

/*
 * A policy as the kernel records it; ids are never reused. A pinned
 * observer (tracing programs) has no record: gvt_policy_list_all() gives
 * it one with id 0 and hook GVT_POLICY_HOOK_TRACING.
 */
struct gvt_policy_info {
	unsigned int id;			/* its directory; 0: tracing */
	unsigned int link_id;			/* its BPF link's id */
	char name[GVT_POLICY_NAME_LEN];		/* the struct_ops name */
	char hook[8];				/* mmio, sched or tracing */
	char state[16];				/* active, ejected, orphaned */
	char pin[GVT_POLICY_NAME_LEN];		/* its pin directory, or "" */
	uint64_t parents;			/* mask of parent indexes */
	int64_t attached;			/* wall clock, seconds */
	/* mmio */
	uint64_t vgpu_serial;
	int priority;
	/* the BAR0 ranges it hooks; none: every register */
	struct gvt_mmio_range ranges[GVT_MMIO_MAX_RANGES];
	unsigned int nranges;
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
 * The attached policies (kernel records only, no pins), by id, at most
 * @max of them into @out; the count, which may exceed @max (then only
 * @max were read), or -errno. Safe to call from several threads.
 */
int gvt_policy_list(struct gvt_policy_info *out, int max);
/* the policy attached through BPF link @link_id; -ENOENT if none */
int gvt_policy_of_link(unsigned int link_id, struct gvt_policy_info *p);
/*
 * The scheduling policy deciding for parent @parent now, into @name: the
 * active sched record whose parents include it, "" for the built-in
 * scheduler. 0 or -errno.
 */
int gvt_policy_sched_of(unsigned int parent, char *name, size_t size);
/*
 * Waits up to @timeout_ms (-1: no limit) for one of the policies @ids[0]
 * .. @ids[@n - 1] to leave the "active" state (poll() on their state
 * files, which the kernel notifies). Returns 1 when one did, 0 on
 * timeout, -ENOENT once one is detached, -EINTR when a signal came, or
 * another -errno; *@which (may be NULL) names the index concerned.
 * A policy replaced on its link meanwhile is followed to its new record.
 */
int gvt_policy_wait_any(const unsigned int *ids, int n, int timeout_ms,
			int *which);
/* gvt_policy_wait_any() for one policy */
int gvt_policy_wait_exit(unsigned int id, int timeout_ms);

/* "self", "stall", ...: a short name of an enum gvt_exit_kind */
const char *gvt_exit_kind_name(unsigned int kind);
/*
 * One table of policies, one row each: id, name, pin, hook, scope
 * (parents or vGPU), since when, and its activity - or, once it stopped,
 * its state and exit message. What `gvt-load --list` and `gvtctl
 * policies` print.
 */
void gvt_policy_print_table(FILE *f, const struct gvt_policy_info *p, int n);
/* the exit record of @p, one field a line, each line starting @indent */
void gvt_policy_print_exit(FILE *f, const struct gvt_policy_info *p,
			   const char *indent);

/* ---- policy objects ---------------------------------------------------- */

struct bpf_object;
struct gvt_policy_entry;

struct gvt_policy_opts {
	/*
	 * The pin directory's name (letters, digits, _ and -); NULL: NAME of
	 * NAME.bpf.o, with -vgpu<id> added when bound to a vGPU.
	 */
	const char *name;
	bool debug;		/* keep libbpf's debug messages in the log too */
};

#define GVT_POLICY_PATH_LEN	4096
#define GVT_POLICY_ERR_LEN	512

/*
 * One policy object on its way into the kernel. Callers give it storage
 * and read the fields marked public; gvt_policy_close() frees what it
 * holds, whatever state it is in (after a failed open too).
 */
struct gvt_policy {
	/* public, read-only */
	char name[GVT_POLICY_NAME_LEN];		/* pin directory (once known) */
	char path[GVT_POLICY_PATH_LEN];		/* the object file */
	uint64_t vgpu_serial;			/* bound to it; 0: none */
	uint64_t parents;			/* GVT_PARENTS_ALL or a mask */
	unsigned int nlinks;			/* links attached or replaced */
	unsigned int link_ids[GVT_POLICY_MAX_LINKS];
	/* private */
	struct bpf_object *obj;
	unsigned int vgpu_id;			/* for the default name */
	bool name_set, parents_set, loaded, attached, debug;
	bool *pins_made;			/* per map: pinned by the load */
	struct gvt_policy_entry *entries;	/* applied after the load */
	unsigned int nentries;
	char *log;
	size_t log_len;
	char err[GVT_POLICY_ERR_LEN];
};

/*
 * Opens the object file @path (nothing reaches the kernel yet). On
 * failure @pol still holds the error and log; close it either way.
 */
int gvt_policy_open(struct gvt_policy *pol, const char *path,
		    const struct gvt_policy_opts *opts);
void gvt_policy_close(struct gvt_policy *pol);
/* the last failure, as a sentence ("" after none) */
const char *gvt_policy_error(const struct gvt_policy *pol);
/* what libbpf and the verifier said while @pol was worked on ("" if nothing) */
const char *gvt_policy_log(const struct gvt_policy *pol);

/*
 * KNOB=VALUE (a `const volatile` integer of the policy, before the load)
 * or MAP[KEY]=VALUE (an entry of one of its maps with integer keys and
 * values, written after the load). VALUE and KEY are decimal or 0x hex.
 */
int gvt_policy_set(struct gvt_policy *pol, const char *spec);
/* NULL if @spec is KNOB=VALUE or MAP[KEY]=VALUE, else what is wrong */
const char *gvt_policy_spec_check(const char *spec);
int gvt_policy_set_knob(struct gvt_policy *pol, const char *knob,
			uint64_t value);
int gvt_policy_set_entry(struct gvt_policy *pol, const char *map,
			 uint64_t key, uint64_t value);
/*
 * The `const volatile char KNOB[]` string of the object's .rodata (such
 * as gvt_expect_refusal), NUL-terminated into @buf; -ENOENT if it has
 * none, -EOVERFLOW if @buf is too small.
 */
int gvt_policy_knob_str(struct gvt_policy *pol, const char *knob, char *buf,
			size_t size);
/*
 * Binds every struct_ops of the policy to one vGPU, by its serial (never
 * reused), read from sysfs for @uuid; -EINVAL for a hook set that cannot
 * be bound (gvt_sched_ops acts on parents).
 */
int gvt_policy_bind_vgpu(struct gvt_policy *pol, const char *uuid);
int gvt_policy_bind_serial(struct gvt_policy *pol, uint64_t serial);
/* sets the struct_ops `parents` mask: bit i for gvt<i>, 0 for all */
int gvt_policy_set_parents(struct gvt_policy *pol, uint64_t mask);

/*
 * Loads the object (the verifier's log stays in gvt_policy_log() when it
 * refuses a program), then writes the MAP[KEY]=VALUE entries.
 */
int gvt_policy_load(struct gvt_policy *pol);
/*
 * Loads (if not done yet) and attaches: every struct_ops map through a
 * link pinned as GVT_POLICY_PIN_ROOT/NAME/link_<map>, or, for an object
 * without struct_ops, every program. Then pins the object's maps there.
 * -EEXIST when a policy of that name is pinned already. On failure
 * nothing stays attached or pinned.
 */
int gvt_policy_attach(struct gvt_policy *pol);
/*
 * Swaps the programs of the pinned policy @name for those of @pol on its
 * live links (no moment without a policy): each struct_ops map of @pol
 * replaces the link of the same name (or the only one). The vGPU binding
 * and the parents are read from the live kernel object and kept (parents
 * set on @pol win); @pol must not be bound itself. Loads @pol, then
 * re-pins the maps: the new object's, none of the old one's.
 */
int gvt_policy_replace(struct gvt_policy *pol, const char *name);
/*
 * Waits like gvt_policy_wait_any() for the kernel records of the links
 * @pol attached; on 1 (one stopped) *@exited is its record. -ENODATA
 * when it has none (an observer: tracing links only).
 */
int gvt_policy_wait(struct gvt_policy *pol, int timeout_ms,
		    struct gvt_policy_info *exited);

/*
 * Removes the pins of policy @name, which detaches it, and returns once
 * the kernel let go of its links: -ENOENT if there is no such policy,
 * -EBUSY if a link stays (another process holds an fd of it).
 */
int gvt_policy_unload(const char *name);
/* the names pinned under GVT_POLICY_PIN_ROOT, at most @max; the count */
int gvt_policy_pinned(char (*names)[GVT_POLICY_NAME_LEN], int max);
/*
 * Every policy: the kernel's records (with .pin set where a pinned link
 * leads to them), then one record per pinned tracing link (hook
 * "tracing", id 0, state "active"). Count and @max as gvt_policy_list().
 */
int gvt_policy_list_all(struct gvt_policy_info *out, int max);
/* the same, all of them, into a new array *@out (free() it); the count */
int gvt_policy_list_all_alloc(struct gvt_policy_info **out);
/* whether @name can name a policy (its pin directory) */
bool gvt_policy_name_ok(const char *name);

#endif /* GVT_POLICY_LIB_H */
