/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gvt_drm: the guest's DRM driver for the gvt-bpf vGPU.
 *
 * Locking, outermost first:
 *  - gvt_device.ring_lock (mutex): the rings, request creation, batch
 *    slots and the reset; a reset runs with it held, so nothing is
 *    submitted half way through one.
 *  - gvt_device.gtt_lock (mutex): the graphics memory allocator, the list
 *    of bindings and the PTE writes.
 *  - gvt_engine.lock (spinlock, irq): an engine's list of requests in
 *    flight; it is also the lock of the engine's fences.
 *  - drm_device.event_lock (spinlock, irq): the page flip in flight.
 *  - gvt_device.done_lock (spinlock, irq): retired requests waiting for
 *    the retire worker to drop their buffers.
 */
#ifndef GVT_DRV_H
#define GVT_DRV_H

#include <linux/dma-fence.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>
#include <drm/drm_plane.h>

#include "gvt/gvt_regs.h"
#include "gvt/gvt_cmd.h"
#include "gvt/gvt_abi.h"
#include "gvt/gvt_drm.h"

#define GVT_DRV_NAME		"gvt_drm"

/* every ring request is this many dwords (padded with NOOPs) */
#define GVT_RQ_DWORDS		16
#define GVT_RING_PAGES		4
#define GVT_RING_BYTES		(GVT_RING_PAGES * GVT_PAGE_SIZE)
/* request positions in a ring; each has its completion dword */
#define GVT_RING_RQS		(GVT_RING_BYTES / (GVT_RQ_DWORDS * 4))
/* requests in flight per engine; their ring space stays far below the ring */
#define GVT_MAX_INFLIGHT	64
/* batch buffers for submissions: one per submission in flight */
#define GVT_BATCH_SLOTS		16
#define GVT_BATCH_BYTES		(GVT_BATCH_MAX_DWORDS * 4)

/* a run of graphics memory the GTT maps onto DMA-able pages */
struct gvt_binding {
	struct drm_mm_node node;
	struct list_head link;		/* gvt_device.bindings */
	struct sg_table *sgt;		/* the pages; NULL: contiguous at @dma */
	dma_addr_t dma;
};

struct gvt_bo {
	struct drm_gem_shmem_object base;
	struct gvt_binding bind;	/* bound when bind.node is allocated */
};

struct gvt_request {
	struct dma_fence fence;
	struct list_head link;		/* engine in flight, then done list */
	struct gvt_engine *engine;
	u32 hw_seqno;			/* what the ring writes to RING_SEQNO */
	u32 status;			/* index of its completion dword */
	int slot;			/* batch slot, or -1 */
	struct drm_gem_object **bos;
	u32 nr_bos;
	u32 flip_seq;			/* a page flip request: its number, else 0 */
	u32 flip_surf;			/* ... and the PLANE_SURF it sets */
};

struct gvt_engine {
	struct gvt_device *gdev;
	unsigned int id;
	const char *name;
	spinlock_t lock;		/* requests; fence lock */
	struct list_head requests;	/* in flight, oldest first */
	unsigned int inflight;
	u64 context;			/* dma_fence context */
	u64 next_seqno;
	u32 tail;			/* ring offset of the next request */
	u32 *ring;			/* CPU view */
	struct gvt_binding ring_bind;
	/* hang check: the last progress seen and when */
	u32 hc_seqno, hc_head, hc_busy;
	unsigned long hc_stamp;
};

struct gvt_flip {
	u32 queued;			/* flips put on a ring */
	u32 done;			/* ... of which completed */
	u32 surf;			/* PLANE_SURF the last queued one sets */
	struct drm_pending_vblank_event *event;
};

struct gvt_plane_hw {
	u32 ctl, surf, width, height, stride;
};

struct gvt_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *mmio;

	/* PV-info */
	u32 vgpu_id, type_div, weight, pv_version, dev_version;
	u32 ap_base, ap_size, hid_base, hid_size;

	int irq;
	bool msi;

	struct mutex gtt_lock;		/* allocator, bindings, PTEs */
	struct drm_mm mm;
	struct drm_mm_node gtt_gap;	/* between the two ranges: reserved */
	struct list_head bindings;
	u64 gtt_used;
	bool gtt_off;			/* BAR0 is going: no more PTE writes */

	struct mutex ring_lock;		/* rings, submissions, reset */
	struct gvt_engine engine[GVT_NUM_ENGINES];
	/* completion dwords: each request stores its seqno in its own */
	u32 *status;
	struct gvt_binding status_bind;
	wait_queue_head_t space_wq;	/* a batch slot or ring room freed */
	unsigned long slot_busy;	/* bitmap of GVT_BATCH_SLOTS */
	void *slot_cpu[GVT_BATCH_SLOTS];
	struct gvt_binding slot_bind[GVT_BATCH_SLOTS];

	spinlock_t done_lock;		/* done */
	struct list_head done;		/* retired, buffers still held */
	struct work_struct retire_work;
	struct work_struct reset_work;
	struct delayed_work hangcheck;
	atomic_t reset_pending;
	const char *reset_reason;
	u32 err_code, err_addr;
	bool wedged;			/* a reset did not bring the vGPU back */
	bool dead;			/* being removed */

	atomic_t resets, irqs, flips, flips_late;

	/* display */
	struct drm_plane plane;
	struct drm_crtc crtc;
	struct drm_encoder encoder;
	struct drm_connector connector;
	struct gvt_plane_hw plane_hw;	/* what the plane registers hold */
	struct gvt_flip flip;		/* under drm.event_lock */
	bool flip_in_commit;		/* the commit being applied queued a flip */
};

struct gvt_file {
	struct xarray fences;		/* handle -> struct dma_fence * */
};

static inline struct gvt_device *to_gvt(struct drm_device *drm)
{
	return container_of(drm, struct gvt_device, drm);
}

static inline struct gvt_bo *to_gvt_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct gvt_bo, base);
}

static inline u32 gvt_rd(struct gvt_device *gdev, u32 off)
{
	return readl(gdev->mmio + off);
}

static inline void gvt_wr(struct gvt_device *gdev, u32 off, u32 val)
{
	writel(val, gdev->mmio + off);
}

extern unsigned int gvt_hang_timeout_ms;
extern unsigned int gvt_xres, gvt_yres;

/* gvt_gtt.c */
int gvt_gtt_init(struct gvt_device *gdev);
int gvt_gtt_bind(struct gvt_device *gdev, struct gvt_binding *b, u64 size);
void gvt_gtt_unbind(struct gvt_device *gdev, struct gvt_binding *b);
void gvt_gtt_restore(struct gvt_device *gdev);
static inline u32 gvt_binding_ga(const struct gvt_binding *b)
{
	return (u32)b->node.start;
}

static inline bool gvt_binding_bound(const struct gvt_binding *b)
{
	return drm_mm_node_allocated(&b->node);
}

/* gvt_gem.c */
struct drm_gem_object *gvt_gem_create_object(struct drm_device *drm,
					     size_t size);
int gvt_gem_dumb_create(struct drm_file *file, struct drm_device *drm,
			struct drm_mode_create_dumb *args);
int gvt_bo_bind(struct gvt_device *gdev, struct gvt_bo *bo);
int gvt_ioctl_gem_create(struct drm_device *drm, void *data,
			 struct drm_file *file);
int gvt_ioctl_gem_mmap(struct drm_device *drm, void *data,
		       struct drm_file *file);

/* gvt_engine.c */
int gvt_engines_init(struct gvt_device *gdev);
void gvt_engines_fini(struct gvt_device *gdev);
void gvt_hw_init(struct gvt_device *gdev);
irqreturn_t gvt_irq_handler(int irq, void *arg);
struct gvt_request *gvt_request_new(struct gvt_engine *eng);
void gvt_request_free_unused(struct gvt_request *rq);
int gvt_ring_begin(struct gvt_engine *eng, struct gvt_request *rq,
		   bool need_slot, long timeout);
void gvt_ring_commit(struct gvt_engine *eng, struct gvt_request *rq);
void gvt_ring_end(struct gvt_engine *eng);
void gvt_schedule_reset(struct gvt_device *gdev, const char *reason);

/* gvt_submit.c */
int gvt_ioctl_submit(struct drm_device *drm, void *data,
		     struct drm_file *file);
int gvt_ioctl_raw_submit(struct drm_device *drm, void *data,
			 struct drm_file *file);
int gvt_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file);
void gvt_file_fences_fini(struct gvt_file *gf);

/* gvt_kms.c */
int gvt_kms_init(struct gvt_device *gdev);
void gvt_kms_flip_irq(struct gvt_device *gdev);
void gvt_kms_flip_retired(struct gvt_device *gdev, u32 flip_seq, bool failed);
void gvt_kms_restore(struct gvt_device *gdev);

#endif /* GVT_DRV_H */
