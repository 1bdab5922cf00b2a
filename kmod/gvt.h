/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gvt-bpf kernel module: the parents (simulated physical GPUs), their
 * vGPU types and the per-vGPU state that wraps the device model.
 */
#ifndef GVT_H
#define GVT_H

#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/vfio.h>
#include <linux/eventfd.h>
#include <linux/workqueue.h>
#include "gvt_model.h"
#include "gvt_sched.h"

/* one vGPU type: 1/div of the parent */
struct gvt_type {
	struct mdev_type type;
	u32 div;
	char name[16];
};

struct gvt_parent;
struct gvt_vgpu;

/* what an engine's dispatcher thread works on */
struct gvt_engine_ctl {
	struct gvt_parent *parent;
	u32 engine;
};

/* a vGPU's executor on one engine: runs the slices it is granted */
struct gvt_exec {
	struct work_struct work;
	struct gvt_vgpu *vgpu;
	u32 engine;
	struct gvt_sched_pick pick;	/* the grant, set by the dispatcher */
	u64 granted_ns;			/* when, on the host's clock */
	u64 clock_ns;			/* when, on the engine's clock */
};

struct gvt_sched_bpf;

/* a simulated physical GPU, shared by its vGPUs */
struct gvt_parent {
	struct device dev;
	struct mdev_parent mdev_parent;
	u32 index;			/* gvt<index>; its vGPU ids follow */
	u32 id_base;			/* index * GVT_MAX_VGPUS */
	struct gvt_type types[GVT_NUM_TYPES];
	struct mdev_type *type_ptrs[GVT_NUM_TYPES];
	/*
	 * Resources are split in GVT_MAX_DIV slots; a V1_n vGPU takes an
	 * aligned run of GVT_MAX_DIV / n of them.
	 */
	struct mutex lock;		/* slots, vgpus */
	u64 slots;			/* bitmap of slots in use */
	struct list_head vgpus;
	u32 aperture_size;		/* bytes, whole parent */
	u32 hidden_size;
	u32 fences;
	u32 contexts;
	/*
	 * The engines (gvt_engine.c). sched_lock guards sched and is taken
	 * inside a vGPU's lock, never around it; executors take a vGPU's
	 * lock only with sched_lock released.
	 */
	spinlock_t sched_lock;
	struct gvt_sched sched;
	struct task_struct *engine_task[GVT_NUM_ENGINES];
	struct gvt_engine_ctl engine_ctl[GVT_NUM_ENGINES];
	/*
	 * Each engine's clock: where the work of its grants has reached
	 * (under sched_lock). It runs behind the host's clock by what late
	 * timers and hand-overs cost, at most GVT_ENGINE_LAG_NS.
	 */
	u64 engine_clock[GVT_NUM_ENGINES];
	/* work arrived, or the engine's grant came back */
	wait_queue_head_t engine_wq[GVT_NUM_ENGINES];
	wait_queue_head_t sched_idle_wq;	/* a vGPU left an engine */
	/* the BPF scheduling policy attached here (gvt_bpf_sched.c) */
	struct gvt_sched_bpf *sched_bpf;
};

struct gvt_vgpu {
	struct vfio_device vdev;	/* first: vfio_alloc_device() */
	struct gvt_parent *parent;
	const struct gvt_type *type;
	struct list_head node;		/* on parent->vgpus, once built */
	u32 slot;			/* first slot owned */
	u32 sched_id;			/* in the parent's scheduler: slot + 1 */
	/*
	 * Never reused while the module is loaded (nor across reloads: it
	 * starts from the load time): what a policy bound to this vGPU
	 * names, since the id (slot) goes to the next vGPU.
	 */
	u64 serial;
	/*
	 * lock serializes the model and the irq contexts: every guest
	 * access, ioctl and sysfs read of this vGPU takes it.
	 */
	struct mutex lock;
	struct gvt_model *model;	/* vmalloc: the GTT is large */
	u8 *aperture;			/* vmalloc_user: mmap-able */
	struct eventfd_ctx *intx_trigger;
	struct eventfd_ctx *msi_trigger;
	struct eventfd_ctx *req_trigger;
	bool intx_masked;
	bool opened;			/* guest memory reachable (vfio_dma_rw) */
	/*
	 * The plane region (gvt_display.c): allocated at open, freed at
	 * close, so mmap never allocates and never takes the lock.
	 */
	u8 *plane_buf;
	struct gvt_model_env env;
	struct gvt_exec exec[GVT_NUM_ENGINES];
};

static inline struct gvt_vgpu *vdev_to_vgpu(struct vfio_device *vdev)
{
	return container_of(vdev, struct gvt_vgpu, vdev);
}

extern const struct vfio_device_ops gvt_vfio_ops;

/*
 * The parents, gvt_parents[0..gvt_nr_parents - 1], set up at module load
 * and gone only at unload.
 */
extern struct gvt_parent *gvt_parents[GVT_MAX_PARENTS];
extern u32 gvt_nr_parents;

/* gvt_main.c: resources of a parent */
int gvt_parent_claim(struct gvt_parent *parent, struct gvt_vgpu *vgpu,
		     struct gvt_vgpu_params *p);
void gvt_parent_publish(struct gvt_parent *parent, struct gvt_vgpu *vgpu);
void gvt_parent_unpublish(struct gvt_parent *parent, struct gvt_vgpu *vgpu);
void gvt_parent_release(struct gvt_parent *parent, struct gvt_vgpu *vgpu);
u64 gvt_next_serial(void);
/* the vGPU of global id @id, with its parent's lock held; NULL if none */
struct gvt_vgpu *gvt_vgpu_find_locked(u32 id, struct gvt_parent **parent);

/* a vGPU's global id (PV-info VGPU_ID, sysfs vgpu_id) */
static inline u32 gvt_vgpu_id(const struct gvt_vgpu *vgpu)
{
	return vgpu->parent->id_base + vgpu->sched_id;
}

/* gvt_engine.c: the engine dispatchers, executors and scheduler glue */
int gvt_engines_init(void);
void gvt_engines_exit(void);
int gvt_engines_start(struct gvt_parent *parent);
void gvt_engines_stop(struct gvt_parent *parent);
void gvt_engine_env_init(struct gvt_vgpu *vgpu);
void gvt_engine_exec_init(struct gvt_vgpu *vgpu);
int gvt_engine_vgpu_add(struct gvt_vgpu *vgpu);
void gvt_engine_vgpu_remove(struct gvt_vgpu *vgpu);
void gvt_engine_set_weight(struct gvt_vgpu *vgpu, u32 weight);
int gvt_engine_set_slice(struct gvt_vgpu *vgpu, u64 ns);
u64 gvt_engine_slice(struct gvt_vgpu *vgpu);

/* gvt_display.c: the display plane for the VMM */
int gvt_display_query(struct gvt_vgpu *vgpu, void __user *arg);
void gvt_display_region_info(struct vfio_region_info *info);
ssize_t gvt_display_read(struct gvt_vgpu *vgpu, char __user *ubuf,
			 size_t count, u64 off);
int gvt_display_mmap(struct gvt_vgpu *vgpu, struct vm_area_struct *vma,
		     u64 off);
int gvt_display_open(struct gvt_vgpu *vgpu);
void gvt_display_close(struct gvt_vgpu *vgpu);

#endif /* GVT_H */
