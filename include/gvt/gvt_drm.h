/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gvt-bpf virtual GPU: the userspace interface of the guest DRM driver
 * (kmod/guest/, module gvt_drm, DRM driver name "gvt").
 *
 * The driver owns the vGPU inside a guest: the GTT, both rings, interrupts
 * and the display plane. Userspace gets buffer objects (GEM, shmem pages
 * the driver maps in the GTT on first use) and submits command streams of
 * the device's commands (include/gvt/gvt_cmd.h) that refer to them through
 * relocations; each submission yields one fence. Render nodes
 * (/dev/dri/renderD*) offer everything but the debug path.
 *
 * Submission rules (DRM_IOCTL_GVT_SUBMIT), checked by the driver before
 * anything reaches the device; a stream that breaks one is refused with
 * -EINVAL and nothing of it runs:
 *  - 1 .. DRM_GVT_SUBMIT_MAX_DWORDS dwords of whole commands, each with a
 *    known opcode, its exact length and reserved header bits clear;
 *  - allowed: NOOP, STORE_DWORD, WORK, FILL_RECT, COPY_RECT, and LRI of
 *    GVT_REG_SCRATCH only. BATCH_START, BATCH_END, USER_INTERRUPT and any
 *    other LRI belong to the driver;
 *  - every graphics-address operand (STORE_DWORD addr, FILL_RECT dst,
 *    COPY_RECT src and dst) has exactly one relocation and nothing else
 *    has one; the driver writes the address, whatever the stream held;
 *  - what an operand reaches (4 bytes for a store, the whole rectangle
 *    rows * stride for FILL/COPY_RECT) lies inside its buffer object;
 *    rectangle sizes, strides and WORK times within the limits of
 *    gvt_cmd.h;
 *  - buffer handles exist and are listed once; reserved fields are 0.
 * The driver copies the stream into a batch buffer of its own, so later
 * changes of the caller's memory do not change what runs. Work on one
 * engine runs in submission order; a submission waits for the fences
 * other engines hold on its buffers (implicit sync, every buffer counted
 * as written).
 *
 * Errors and recovery: when the device reports an error or an engine
 * stops making progress, the driver resets the vGPU, brings it back up
 * and fails every fence not yet completed (error -EIO). DRM_GVT_PARAM_RESETS
 * counts these resets.
 */
#ifndef GVT_DRM_H
#define GVT_DRM_H

#include <drm/drm.h>

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_GVT_DRIVER_NAME		"gvt"

#define DRM_GVT_GETPARAM		0x00
#define DRM_GVT_GEM_CREATE		0x01
#define DRM_GVT_GEM_MMAP		0x02
#define DRM_GVT_SUBMIT			0x03
#define DRM_GVT_WAIT			0x04
#define DRM_GVT_DEBUG_RAW_SUBMIT	0x05

/* DRM_GVT_GETPARAM: what the vGPU's PV-info page says, and counters */
enum drm_gvt_param {
	DRM_GVT_PARAM_VGPU_ID = 1,	/* GVT_PV_VGPU_ID */
	DRM_GVT_PARAM_TYPE_DIV,		/* GVT_PV_TYPE_DIV: 1/n of the parent */
	DRM_GVT_PARAM_WEIGHT,		/* GVT_PV_WEIGHT */
	DRM_GVT_PARAM_APERTURE_BASE,	/* graphics address ranges (PV-info) */
	DRM_GVT_PARAM_APERTURE_SIZE,
	DRM_GVT_PARAM_HIDDEN_BASE,
	DRM_GVT_PARAM_HIDDEN_SIZE,
	DRM_GVT_PARAM_NUM_ENGINES,
	DRM_GVT_PARAM_IRQ_MODE,		/* DRM_GVT_IRQ_MODE_* */
	DRM_GVT_PARAM_RESETS,		/* vGPU resets done by the driver */
	DRM_GVT_PARAM_FLIPS,		/* page flips completed by the flip interrupt */
	DRM_GVT_PARAM_FLIPS_LATE,	/* ... completed without it (seen retired first) */
	DRM_GVT_PARAM_INTERRUPTS,	/* interrupts handled */
	DRM_GVT_PARAM_GTT_USED,		/* bytes of graphics memory bound */
	DRM_GVT_PARAM_PV_VERSION,	/* GVT_PV_VERSION */
	DRM_GVT_PARAM_DEV_VERSION,	/* GVT_REG_VERSION */
	DRM_GVT_PARAM_BUSY_NS_RENDER,	/* GPU time the render engine used, ns */
	DRM_GVT_PARAM_BUSY_NS_COPY,	/* ... the copy engine (both since reset) */
};

#define DRM_GVT_IRQ_MODE_MSI		1
#define DRM_GVT_IRQ_MODE_INTX		2

struct drm_gvt_getparam {
	__u32 param;		/* in: enum drm_gvt_param */
	__u32 pad;		/* 0 */
	__u64 value;		/* out */
};

/*
 * DRM_GVT_GEM_CREATE: a buffer object of @size bytes (rounded up to
 * pages, at most DRM_GVT_BO_MAX_SIZE), zero filled.
 */
#define DRM_GVT_BO_MAX_SIZE		(64ull << 20)
struct drm_gvt_gem_create {
	__u64 size;		/* in */
	__u32 flags;		/* in: 0 */
	__u32 handle;		/* out */
};

/* DRM_GVT_GEM_MMAP: the offset to mmap() the buffer at on the DRM fd */
struct drm_gvt_gem_mmap {
	__u32 handle;		/* in */
	__u32 pad;		/* 0 */
	__u64 offset;		/* out */
};

/*
 * A relocation: the command dword at index @dword of the stream is a
 * graphics address operand; the driver writes there the graphics address
 * of byte @offset of buffer @bo (an index into the submission's handles).
 */
struct drm_gvt_reloc {
	__u32 dword;
	__u32 bo;
	__u32 offset;
	__u32 pad;		/* 0 */
};

#define DRM_GVT_ENGINE_RENDER		0
#define DRM_GVT_ENGINE_COPY		1

#define DRM_GVT_SUBMIT_MAX_DWORDS	8000
#define DRM_GVT_SUBMIT_MAX_BOS		64

/*
 * DRM_GVT_SUBMIT: run a command stream on @engine. On success @fence is a
 * handle for DRM_GVT_WAIT (per open file, valid until a wait reports the
 * outcome; at most DRM_GVT_MAX_FENCES outstanding, -EBUSY beyond).
 */
#define DRM_GVT_MAX_FENCES		4096
struct drm_gvt_submit {
	__u64 cmds;		/* in: user pointer to __u32[cmd_dwords] */
	__u64 handles;		/* in: user pointer to __u32[bo_count] */
	__u64 relocs;		/* in: user pointer to drm_gvt_reloc[reloc_count] */
	__u32 cmd_dwords;
	__u32 bo_count;
	__u32 reloc_count;
	__u32 engine;		/* DRM_GVT_ENGINE_* */
	__u32 flags;		/* 0 */
	__u32 fence;		/* out */
};

/*
 * DRM_GVT_WAIT: wait up to @timeout_ns for a fence. Returns 0 once it has
 * signalled, with its outcome in @error (0: the work completed; -EIO:
 * the vGPU was reset before it completed, -ENODEV: the device went away)
 * and the handle released. -ETIME when the time ran out first (the handle
 * stays valid), -ENOENT for an unknown handle. A @timeout_ns of 0 polls.
 */
struct drm_gvt_wait {
	__u32 fence;		/* in */
	__u32 flags;		/* in: 0 */
	__u64 timeout_ns;	/* in: relative */
	__s32 error;		/* out */
	__u32 pad;
};

/*
 * DRM_GVT_DEBUG_RAW_SUBMIT - debug only, for device isolation tests.
 * @cmd_dwords dwords go to the device as they are, in a batch buffer the
 * driver ends with BATCH_END: the driver checks nothing in them, so
 * whatever the device's own scanner refuses or faults on reaches it (and
 * makes the driver reset the vGPU). Needs CAP_SYS_ADMIN on the primary
 * node. Addresses are raw graphics addresses (see the *_BASE params).
 */
struct drm_gvt_raw_submit {
	__u64 cmds;		/* in: user pointer to __u32[cmd_dwords] */
	__u32 cmd_dwords;	/* 1 .. DRM_GVT_SUBMIT_MAX_DWORDS */
	__u32 engine;
	__u32 flags;		/* 0 */
	__u32 fence;		/* out, as for DRM_GVT_SUBMIT */
};

#define DRM_IOCTL_GVT_GETPARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GVT_GETPARAM, struct drm_gvt_getparam)
#define DRM_IOCTL_GVT_GEM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GVT_GEM_CREATE, struct drm_gvt_gem_create)
#define DRM_IOCTL_GVT_GEM_MMAP \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GVT_GEM_MMAP, struct drm_gvt_gem_mmap)
#define DRM_IOCTL_GVT_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GVT_SUBMIT, struct drm_gvt_submit)
#define DRM_IOCTL_GVT_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GVT_WAIT, struct drm_gvt_wait)
#define DRM_IOCTL_GVT_DEBUG_RAW_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GVT_DEBUG_RAW_SUBMIT, struct drm_gvt_raw_submit)

#if defined(__cplusplus)
}
#endif

#endif /* GVT_DRM_H */
