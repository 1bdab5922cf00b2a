// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz-vfio: a fuzzer of the VFIO device interface of gvt-bpf vGPUs, run
 * in the VM with the module loaded.
 *
 * Several fuzzing processes, each owning one vGPU, issue random sequences
 * of every VFIO device operation with random and boundary arguments: the
 * device ioctls (GET_INFO, GET_REGION_INFO, GET_IRQ_INFO, SET_IRQS in
 * every index, action and data-type combination, RESET, QUERY_GFX_PLANE,
 * numbers the device does not have, bad user pointers), region reads and
 * writes of random offsets and lengths on every region index and beyond,
 * mmap, mprotect and munmap of random ranges, MMIO writes into registers
 * and the GTT, doorbells on rings of garbage, DMA unmaps under the
 * engines, and closes and reopens. Every result is checked against what
 * the VFIO API and include/gvt/ require; a difference is a finding.
 *
 * Meanwhile bystander processes run exact workloads on vGPUs of their
 * own (fz_gpu_exact_round(): every byte, store, seqno and MSI checked):
 * fuzzing one vGPU must not disturb another.
 *
 * Each process reports through a shared mapping, never through stdout: a
 * process that the kernel leaves stuck (an oops with a lock held) holds
 * no pipe, and the parent still reports what it was doing.
 *
 * Usage: fuzz-vfio [--seconds N] [--seed N] [--fuzzers N] [--bystanders N]
 *                  [--avoid NAME]...
 * Output: "ok - ..." / "not ok - ..." lines, the operation counts and the
 * findings, then "N passed, N failed". Exit 0 when everything passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/pci_regs.h>

#include "gvt/gvt_abi.h"
#include "fz_gpu.h"

#define MAX_FUZZERS	4
#define MAX_BYSTANDERS	3
#define MAX_WORKERS	(MAX_FUZZERS + MAX_BYSTANDERS)
#define MAX_CLASSES	32		/* distinct findings kept per process */
#define MAX_MAPS	6		/* mappings a fuzzer keeps open */
#define MAX_CANARIES	16
#define IO_BUF_SIZE	(1u << 20)
#define PAGE		4096u
#define ROUND_MS	15000u		/* bound of one exact workload */
#define GRACE_MS	25000u		/* for the processes to end after the run */
#define PROGRESS_MS	15000u

#define REGION_SHIFT	40		/* VFIO offset = index << 40 | offset */
#define REGION_MASK	((1ull << REGION_SHIFT) - 1)
#define MAX_INDEX	((1ull << (63 - REGION_SHIFT)) - 1)

#define offsetofend(t, m)	(offsetof(t, m) + sizeof(((t *)0)->m))

/* a user address that is never mapped: the kernel's direct map */
#define KERNEL_PTR	((void *)0xffff888000000000ull)
/* the end of x86-64 user space with 4-level paging (access_ok's limit) */
#define USER_TOP	0x00007ffffffff000ull

/* ---- operations -------------------------------------------------------- */

/* X(name, weight): what a fuzzer does, and how often relative to the rest */
#define OPS(X)					\
	X(GET_INFO, 4)				\
	X(GET_REGION_INFO, 6)			\
	X(GET_IRQ_INFO, 4)			\
	X(SET_IRQS, 14)				\
	X(RESET, 2)				\
	X(QUERY_GFX_PLANE, 5)			\
	X(OTHER_IOCTL, 3)			\
	X(BAD_POINTER, 5)			\
	X(REGION_READ, 12)			\
	X(REGION_WRITE, 10)			\
	X(MMIO_WRITE, 12)			\
	X(DOORBELL, 8)				\
	X(MMAP, 6)				\
	X(MPROTECT, 3)				\
	X(MUNMAP, 2)				\
	X(DMA_REMAP, 1)				\
	X(REOPEN, 2)				\
	X(SANITY, 1)				\
	X(PLANE_RACE, 1)

#define OP_ENUM(name, w) OP_##name,
enum op { OPS(OP_ENUM) OP_NUM };
#undef OP_ENUM

#define OP_NAME(name, w) #name,
static const char *const op_names[OP_NUM] = { OPS(OP_NAME) };
#undef OP_NAME

#define OP_WEIGHT(name, w) w,
static const unsigned int op_weights[OP_NUM] = { OPS(OP_WEIGHT) };
#undef OP_WEIGHT

/* ---- known bugs a run may leave out (--avoid) --------------------------- */

#define AVOID_IRQ_BOOL_COUNT0	(1u << 0)
#define AVOID_PLANE_MPROTECT	(1u << 1)
#define AVOID_REOPEN_SCRUB	(1u << 2)
#define AVOID_PLANE_LOCK_RACE	(1u << 3)

static const struct {
	const char *name;
	unsigned int bit;
	const char *what;
} avoidables[] = {
	{ "irq-bool-count0", AVOID_IRQ_BOOL_COUNT0,
	  "SET_IRQS with count 0 and DATA_BOOL (the kernel dereferences NULL)" },
	{ "plane-mprotect", AVOID_PLANE_MPROTECT,
	  "mprotect(PROT_WRITE) of a mapping of the read-only plane region" },
	{ "reopen-scrub", AVOID_REOPEN_SCRUB,
	  "the check that a reopened vGPU shows none of the last user's BAR2 and plane data" },
	{ "plane-lock-race", AVOID_PLANE_LOCK_RACE,
	  "plane mmaps racing plane reads into unfaulted memory (mmap_lock against the vGPU's lock)" },
};

/* ---- what the processes share with the parent --------------------------- */

struct finding {
	char cls[128];		/* the rule broken, without the arguments */
	char example[448];	/* the first instance, with its arguments */
	uint64_t count;
};

enum role { ROLE_FUZZER, ROLE_BYSTANDER };

struct worker {
	/* set by the parent before the fork */
	enum role role;
	unsigned int num;		/* 1-based within its role */
	unsigned int div;
	char uuid[GVT_UUID_STR_LEN];
	bool created;
	pid_t pid;			/* running while > 0 */
	bool exited;			/* the parent reaped it */
	int status;			/* its wait status */
	/* written by the process */
	volatile bool done;
	uint64_t seq;			/* operations begun */
	char cur[448];			/* the operation in progress */
	uint64_t execs[OP_NUM];
	uint64_t unexpected[OP_NUM];
	struct finding f[MAX_CLASSES];
	unsigned int nf;
	uint64_t dropped;		/* findings of classes beyond MAX_CLASSES */
	char fatal[448];		/* why the process gave up, if it did */
	/* bystanders */
	uint64_t rounds;
	uint64_t bad_rounds;
	char first_bad[448];
};

struct shared {
	volatile bool stop;
	uint64_t seed;
	unsigned int avoid;
	char bystander_uuid[GVT_UUID_STR_LEN];	/* a device of another group */
	struct worker w[MAX_WORKERS];
};

/* ---- one fuzzing process ------------------------------------------------ */

struct mapping {
	uint8_t *addr;
	size_t len;
	uint32_t index;
	uint64_t off;
	int prot;
};

struct canary {
	uint64_t off;
	uint32_t len;
};

/* registers whose value never changes for a vGPU: identity and PV info */
static const uint32_t konst_regs[] = {
	GVT_REG_ID, GVT_REG_VERSION, GVT_REG_CAPS, GVT_REG_NUM_ENGINES,
	GVT_REG_GTT_ENTRIES,
	GVT_PV_MAGIC_LO, GVT_PV_MAGIC_HI, GVT_PV_VERSION, GVT_PV_VGPU_ID,
	GVT_PV_TYPE_DIV, GVT_PV_FEATURES, GVT_PV_APERTURE_BASE,
	GVT_PV_APERTURE_SIZE, GVT_PV_HIDDEN_BASE, GVT_PV_HIDDEN_SIZE,
	GVT_PV_FENCES, GVT_PV_CONTEXTS, GVT_PV_WEIGHT,
};
#define NKONST	(sizeof(konst_regs) / sizeof(konst_regs[0]))

static size_t konst_index(uint32_t off)
{
	size_t i;

	for (i = 0; i < NKONST && konst_regs[i] != off; i++)
		;
	return i;
}

/* every register offset of the device, for MMIO writes */
#define REG_OFF(name, off, reset, ro, flags) off,
static const uint32_t reg_offsets[] = { GVT_REG_LIST(REG_OFF) };
#undef REG_OFF
#define NREGS	(sizeof(reg_offsets) / sizeof(reg_offsets[0]))

struct fuzzer {
	struct shared *sh;
	struct worker *w;
	struct fz_rng r;
	enum op op;
	struct fz_gpu g;		/* descriptors, DMA buffer, rings */
	bool open;			/* g.d is open */
	bool dma_mapped;
	bool up;			/* GTT and rings brought up */
	uint64_t ap_size;		/* BAR2 */
	uint32_t konst[NKONST];		/* read at the first open */
	int efd[3];			/* eventfds for SET_IRQS */
	int installed[VFIO_PCI_NUM_IRQS];	/* trigger fd per index, -1 */
	int devnull;			/* an fd that is not an eventfd */
	int closed_fd;			/* a number no fd has */
	struct mapping map[MAX_MAPS];
	unsigned int nmap;
	struct canary can[MAX_CANARIES];
	unsigned int ncan;
	uint8_t *io;			/* IO_BUF_SIZE */
	uint8_t *arg;			/* a RW page, then a PROT_NONE page */
	uint8_t *ro;			/* a read-only page, then a PROT_NONE page */
};

static long xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* "0", "EINVAL", or the count */
static const char *res_str(long v, char *buf, size_t len)
{
	const char *n;

	if (v >= 0) {
		snprintf(buf, len, "%ld", v);
		return buf;
	}
	n = strerrorname_np((int)-v);
	snprintf(buf, len, "%s", n ? n : "E?");
	return buf;
}

/* the operation @fz starts now: counted, and described for a post-mortem */
static void __attribute__((format(printf, 3, 4)))
begin(struct fuzzer *fz, enum op op, const char *fmt, ...)
{
	struct worker *w = fz->w;
	va_list ap;
	int n;

	fz->op = op;
	w->execs[op]++;
	n = snprintf(w->cur, sizeof(w->cur), "#%llu %s ",
		     (unsigned long long)w->seq++, op_names[op]);
	va_start(ap, fmt);
	vsnprintf(w->cur + n, sizeof(w->cur) - (size_t)n, fmt, ap);
	va_end(ap);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/* a step inside the current operation, for the post-mortem */
static void __attribute__((format(printf, 2, 3)))
step(struct fuzzer *fz, const char *fmt, ...)
{
	char *p = strstr(fz->w->cur, " | ");
	size_t at = p ? (size_t)(p - fz->w->cur) : strlen(fz->w->cur);
	va_list ap;
	int n;

	n = snprintf(fz->w->cur + at, sizeof(fz->w->cur) - at, " | ");
	if (n < 0 || at + (size_t)n >= sizeof(fz->w->cur))
		return;
	va_start(ap, fmt);
	vsnprintf(fz->w->cur + at + n, sizeof(fz->w->cur) - at - (size_t)n,
		  fmt, ap);
	va_end(ap);
}

/* records an unexpected result: @rule names it, @fmt gives the values */
static void __attribute__((format(printf, 3, 4)))
finding(struct fuzzer *fz, const char *rule, const char *fmt, ...)
{
	struct worker *w = fz->w;
	char cls[sizeof(w->f[0].cls)];
	struct finding *f = NULL;
	unsigned int i;
	va_list ap;
	int n;

	w->unexpected[fz->op]++;
	snprintf(cls, sizeof(cls), "%s: %s", op_names[fz->op], rule);
	for (i = 0; i < w->nf; i++)
		if (!strcmp(w->f[i].cls, cls))
			f = &w->f[i];
	if (!f) {
		if (w->nf == MAX_CLASSES) {
			w->dropped++;
			return;
		}
		f = &w->f[w->nf++];
		memcpy(f->cls, cls, sizeof(cls));
		n = snprintf(f->example, sizeof(f->example), "%s: ", w->cur);
		if (n > 0 && (size_t)n < sizeof(f->example)) {
			va_start(ap, fmt);
			vsnprintf(f->example + n, sizeof(f->example) - (size_t)n,
				  fmt, ap);
			va_end(ap);
		}
	}
	f->count++;
}

/* @got must be @want; @rule says which rule of the API decided @want */
static bool expect(struct fuzzer *fz, const char *rule, long got, long want)
{
	char g[32], x[32], cls[160];

	if (got == want)
		return true;
	if (got < 0 && want < 0)
		snprintf(cls, sizeof(cls), "%s: got %s, want %s", rule,
			 res_str(got, g, sizeof(g)), res_str(want, x, sizeof(x)));
	else if (want < 0)
		snprintf(cls, sizeof(cls), "%s: succeeded, want %s", rule,
			 res_str(want, x, sizeof(x)));
	else if (got < 0)
		snprintf(cls, sizeof(cls), "%s: got %s, want success", rule,
			 res_str(got, g, sizeof(g)));
	else
		snprintf(cls, sizeof(cls), "%s: a wrong count", rule);
	finding(fz, cls, "got %s, want %s", res_str(got, g, sizeof(g)),
		res_str(want, x, sizeof(x)));
	return false;
}

/* ---- the device under the fuzzer ---------------------------------------- */

static bool is_our_eventfd(const struct fuzzer *fz, int fd)
{
	return fd >= 0 && (fd == fz->efd[0] || fd == fz->efd[1] ||
			   fd == fz->efd[2] || fd == fz->g.efd);
}

static void forget_triggers(struct fuzzer *fz)
{
	unsigned int i;

	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		fz->installed[i] = -1;
}

/* MSI on, bus master, GTT, interrupts and rings: what a driver does */
static void rebringup(struct fuzzer *fz)
{
	int ret;

	step(fz, "bring-up");
	ret = fz_gpu_enable(&fz->g);
	if (ret) {
		finding(fz, "a register or config access of the bring-up failed",
			"%s", fz->g.err);
		return;
	}
	fz->up = true;
}

/* the constant registers read back as at the first open */
static void check_konst(struct fuzzer *fz, const char *when)
{
	char rule[96];
	uint32_t v;
	size_t i;

	for (i = 0; i < NKONST; i++) {
		if (gvt_vfio_mmio_read32(&fz->g.d, konst_regs[i], &v)) {
			snprintf(rule, sizeof(rule), "read of a constant register failed %s",
				 when);
			finding(fz, rule, "offset 0x%x: %s", konst_regs[i],
				gvt_vfio_error(&fz->g.d));
			return;
		}
		if (v != fz->konst[i]) {
			snprintf(rule, sizeof(rule), "a constant register changed %s", when);
			finding(fz, rule, "offset 0x%x reads 0x%08x, was 0x%08x",
				konst_regs[i], v, fz->konst[i]);
		}
	}
}

/*
 * Opens the device again (the DMA buffer and eventfds stay): container,
 * group, device, DMA mapping, MSI eventfd. 0 or the open's -errno.
 */
static int attach(struct fuzzer *fz)
{
	int ret = gvt_vfio_open(&fz->g.d, fz->w->uuid);

	if (ret)
		return ret;
	fz->open = true;
	forget_triggers(fz);
	fz->up = false;
	ret = gvt_vfio_dma_map(&fz->g.d, fz->g.mem, FZ_GPU_IOVA,
			       FZ_GPU_MEM_SIZE);
	if (ret)
		finding(fz, "DMA map of a fresh container failed", "%s",
			gvt_vfio_error(&fz->g.d));
	fz->dma_mapped = !ret;
	ret = gvt_vfio_set_irq_eventfd(&fz->g.d, VFIO_PCI_MSI_IRQ_INDEX,
				       fz->g.efd);
	if (ret)
		finding(fz, "attaching the MSI eventfd failed", "%s",
			gvt_vfio_error(&fz->g.d));
	else
		fz->installed[VFIO_PCI_MSI_IRQ_INDEX] = fz->g.efd;
	return 0;
}

static void detach(struct fuzzer *fz)
{
	gvt_vfio_close(&fz->g.d);
	fz->open = false;
	fz->dma_mapped = false;
	fz->up = false;
	forget_triggers(fz);
}

static void drop_mapping(struct fuzzer *fz, unsigned int i)
{
	if (munmap(fz->map[i].addr, fz->map[i].len))
		finding(fz, "munmap of a device mapping failed", "%s",
			strerror(errno));
	fz->map[i] = fz->map[--fz->nmap];
}

static void drop_all_mappings(struct fuzzer *fz)
{
	while (fz->nmap)
		drop_mapping(fz, fz->nmap - 1);
}

static void add_canary(struct fuzzer *fz, uint64_t off, const uint8_t *data,
		       uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len && !data[i]; i++)
		;
	if (i == len)
		return;		/* zeros prove nothing */
	if (len > 64)
		len = 64;
	/* the newest replaces a random one once the table is full */
	i = fz->ncan < MAX_CANARIES ? fz->ncan++ :
	    (uint32_t)fz_below(&fz->r, MAX_CANARIES);
	fz->can[i] = (struct canary){ .off = off, .len = len };
}

/* ---- the region model (the module's documented regions) ----------------- */

static uint64_t region_size(const struct fuzzer *fz, uint64_t index)
{
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return GVT_CFG_SIZE;
	case VFIO_PCI_BAR0_REGION_INDEX:
		return GVT_BAR0_SIZE;
	case VFIO_PCI_BAR2_REGION_INDEX:
		return fz->ap_size;
	case GVT_PLANE_REGION_INDEX:
		return GVT_PLANE_REGION_SIZE;
	default:
		return 0;
	}
}

static uint32_t region_flags(uint64_t index)
{
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
	case VFIO_PCI_BAR0_REGION_INDEX:
		return VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	case VFIO_PCI_BAR2_REGION_INDEX:
		return VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		       VFIO_REGION_INFO_FLAG_MMAP;
	case GVT_PLANE_REGION_INDEX:
		return VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP;
	default:
		return 0;
	}
}

static uint32_t irq_count(uint32_t index)
{
	return index == VFIO_PCI_INTX_IRQ_INDEX ||
	       index == VFIO_PCI_MSI_IRQ_INDEX ||
	       index == VFIO_PCI_REQ_IRQ_INDEX;
}

static uint32_t irq_flags(uint32_t index)
{
	if (index == VFIO_PCI_INTX_IRQ_INDEX)
		return VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
		       VFIO_IRQ_INFO_AUTOMASKED;
	return irq_count(index) ? VFIO_IRQ_INFO_EVENTFD |
				  VFIO_IRQ_INFO_NORESIZE : 0;
}

/* an argsz around the struct's own sizes */
static uint32_t gen_argsz(struct fz_rng *r, uint32_t minsz, uint32_t full)
{
	switch (fz_below(r, 10)) {
	case 0:
		return 0;
	case 1:
		return minsz - 1;
	case 2:
		return (uint32_t)fz_below(r, minsz);
	case 3:
		return UINT32_MAX;
	case 4:
		return full + (uint32_t)fz_range(r, 1, 64);
	case 5:
		return minsz;
	default:
		return full;
	}
}

/* bytes [from, len) of @buf still hold @pat */
static bool untouched(const uint8_t *buf, size_t from, size_t len, uint8_t pat)
{
	for (; from < len; from++)
		if (buf[from] != pat)
			return false;
	return true;
}

/* ---- ioctls ------------------------------------------------------------- */

static void op_get_info(struct fuzzer *fz)
{
	const uint32_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	union {
		struct vfio_device_info i;
		uint8_t b[sizeof(struct vfio_device_info) + 32];
	} a;
	uint32_t argsz = gen_argsz(&fz->r, minsz, sizeof(a.i));
	long ret, want = argsz < minsz ? -EINVAL : 0;

	memset(&a, 0xa5, sizeof(a));
	a.i.argsz = argsz;
	begin(fz, OP_GET_INFO, "argsz %u", argsz);
	ret = xioctl(fz->g.d.device, VFIO_DEVICE_GET_INFO, &a);
	if (!expect(fz, want ? "argsz below minsz" : "a valid request", ret, want))
		return;
	if (ret) {
		if (!untouched(a.b, sizeof(argsz), sizeof(a), 0xa5))
			finding(fz, "a failed request wrote to its argument", "-");
		return;
	}
	if (a.i.flags != (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET) ||
	    a.i.num_regions != GVT_PLANE_REGION_INDEX + 1 ||
	    a.i.num_irqs != VFIO_PCI_NUM_IRQS)
		finding(fz, "a wrong device description",
			"flags 0x%x regions %u irqs %u", a.i.flags,
			a.i.num_regions, a.i.num_irqs);
	if (argsz < sizeof(a) &&
	    !untouched(a.b, argsz > minsz ? argsz : minsz, sizeof(a), 0xa5))
		finding(fz, "the reply was written past argsz", "-");
}

static uint32_t gen_region_index(struct fz_rng *r)
{
	switch (fz_below(r, 10)) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6:
		return (uint32_t)FZ_PICK(r, VFIO_PCI_CONFIG_REGION_INDEX,
					 VFIO_PCI_BAR0_REGION_INDEX,
					 VFIO_PCI_BAR2_REGION_INDEX,
					 GVT_PLANE_REGION_INDEX);
	case 7:
		return (uint32_t)fz_below(r, 16);
	case 8:
		return (uint32_t)FZ_PICK(r, 10, 11, 255, 256, 0x7fffffff,
					 UINT32_MAX);
	default:
		return (uint32_t)fz_next(r);
	}
}

static void op_get_region_info(struct fuzzer *fz)
{
	const uint32_t minsz = offsetofend(struct vfio_region_info, offset);
	union {
		struct vfio_region_info i;
		uint8_t b[sizeof(struct vfio_region_info) + 32];
	} a;
	uint32_t argsz = gen_argsz(&fz->r, minsz, sizeof(a.i));
	uint32_t index = gen_region_index(&fz->r);
	const char *rule = "a valid request";
	long ret, want = 0;

	memset(&a, 0xa5, sizeof(a));
	a.i.argsz = argsz;
	a.i.index = index;
	if (argsz < minsz) {
		rule = "argsz below minsz";
		want = -EINVAL;
	} else if (index > GVT_PLANE_REGION_INDEX) {
		rule = "no such region";
		want = -EINVAL;
	}
	begin(fz, OP_GET_REGION_INFO, "index %u argsz %u", index, argsz);
	ret = xioctl(fz->g.d.device, VFIO_DEVICE_GET_REGION_INFO, &a);
	if (!expect(fz, rule, ret, want) || ret)
		return;
	if (a.i.index != index ||
	    a.i.offset != (uint64_t)index << REGION_SHIFT ||
	    a.i.size != region_size(fz, index) ||
	    a.i.flags != region_flags(index) || a.i.cap_offset)
		finding(fz, "a wrong region description",
			"index %u offset 0x%llx size 0x%llx flags 0x%x cap_offset %u, want offset 0x%llx size 0x%llx flags 0x%x",
			a.i.index, (unsigned long long)a.i.offset,
			(unsigned long long)a.i.size, a.i.flags, a.i.cap_offset,
			(unsigned long long)index << REGION_SHIFT,
			(unsigned long long)region_size(fz, index),
			region_flags(index));
	if (argsz < sizeof(a) &&
	    !untouched(a.b, argsz > minsz ? argsz : minsz, sizeof(a), 0xa5))
		finding(fz, "the reply was written past argsz", "-");
}

static void op_get_irq_info(struct fuzzer *fz)
{
	const uint32_t minsz = offsetofend(struct vfio_irq_info, count);
	union {
		struct vfio_irq_info i;
		uint8_t b[sizeof(struct vfio_irq_info) + 32];
	} a;
	uint32_t argsz = gen_argsz(&fz->r, minsz, sizeof(a.i));
	uint32_t index = fz_chance(&fz->r, 80) ? (uint32_t)fz_below(&fz->r, 7) :
			 (uint32_t)fz_next(&fz->r);
	const char *rule = "a valid request";
	long ret, want = 0;

	memset(&a, 0xa5, sizeof(a));
	a.i.argsz = argsz;
	a.i.index = index;
	if (argsz < minsz) {
		rule = "argsz below minsz";
		want = -EINVAL;
	} else if (index >= VFIO_PCI_NUM_IRQS) {
		rule = "no such interrupt index";
		want = -EINVAL;
	}
	begin(fz, OP_GET_IRQ_INFO, "index %u argsz %u", index, argsz);
	ret = xioctl(fz->g.d.device, VFIO_DEVICE_GET_IRQ_INFO, &a);
	if (!expect(fz, rule, ret, want) || ret)
		return;
	if (a.i.index != index || a.i.count != irq_count(index) ||
	    a.i.flags != irq_flags(index))
		finding(fz, "a wrong interrupt description",
			"index %u count %u flags 0x%x, want count %u flags 0x%x",
			a.i.index, a.i.count, a.i.flags, irq_count(index),
			irq_flags(index));
	if (argsz < sizeof(a) &&
	    !untouched(a.b, argsz > minsz ? argsz : minsz, sizeof(a), 0xa5))
		finding(fz, "the reply was written past argsz", "-");
}

/* a file descriptor for SET_IRQS: ours, invalid, or not an eventfd */
static int32_t gen_irq_fd(struct fuzzer *fz)
{
	switch (fz_below(&fz->r, 12)) {
	case 0: case 1: case 2:
		return fz->efd[fz_below(&fz->r, 3)];
	case 3:
		return fz->g.efd;
	case 4: case 5:
		return -1;
	case 6:
		return (int32_t)FZ_PICK(&fz->r, -2, INT32_MIN, -1000);
	case 7:
		return fz->devnull;
	case 8:
		return fz->g.d.device;
	case 9:
		return fz->closed_fd;
	default:
		return (int32_t)fz_next(&fz->r);
	}
}

/*
 * What SET_IRQS must answer: vfio_set_irqs_validate_and_prepare() and
 * the VFIO uapi for the header, then the device's interrupts (INTx
 * maskable, MSI and REQ edge, one vector each; count 0 only with
 * DATA_NONE | ACTION_TRIGGER, which disables the index).
 */
static long irq_set_want(const struct fuzzer *fz, const struct vfio_irq_set *s,
			 int32_t fd, bool data_faults, const char **rule)
{
	const uint32_t minsz = offsetofend(struct vfio_irq_set, count);
	uint32_t dtype = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	uint32_t action = s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	uint32_t num = irq_count(s->index);
	uint64_t size;

	if (s->argsz < minsz)
		return *rule = "argsz below minsz", -EINVAL;
	if (s->index >= VFIO_PCI_NUM_IRQS)
		return *rule = "no such interrupt index", -EINVAL;
	if (s->count >= UINT32_MAX - s->start)
		return *rule = "start + count overflows", -EINVAL;
	if (s->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
			 VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return *rule = "undefined flag bits", -EINVAL;
	if (s->start >= num || s->start + s->count > num)
		return *rule = "vectors beyond the index", -EINVAL;
	switch (dtype) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = 1;
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = 4;
		break;
	default:
		return *rule = "not exactly one data type", -EINVAL;
	}
	if (size && s->argsz - minsz < s->count * size)
		return *rule = "argsz too small for the data", -EINVAL;
	if (size && s->count && data_faults)
		return *rule = "data in an unmapped page", -EFAULT;
	if (!s->count) {
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER &&
		    dtype == VFIO_IRQ_SET_DATA_NONE)
			return *rule = "count 0, DATA_NONE|ACTION_TRIGGER disables", 0;
		return *rule = dtype == VFIO_IRQ_SET_DATA_BOOL ?
		       "count 0 with DATA_BOOL" :
		       "count 0 other than DATA_NONE|ACTION_TRIGGER", -EINVAL;
	}
	switch (action) {
	case VFIO_IRQ_SET_ACTION_MASK:
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (s->index != VFIO_PCI_INTX_IRQ_INDEX)
			return *rule = "mask/unmask of an edge interrupt", -EINVAL;
		if (dtype == VFIO_IRQ_SET_DATA_EVENTFD)
			return *rule = "mask/unmask with an eventfd", -EINVAL;
		return *rule = "INTx mask/unmask", 0;
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		if (dtype != VFIO_IRQ_SET_DATA_EVENTFD)
			return *rule = "loopback trigger", 0;
		if (fd == -1)
			return *rule = "eventfd -1 detaches", 0;
		if (fd < -1)
			return *rule = "a negative eventfd other than -1", -EINVAL;
		if (fcntl(fd, F_GETFD) < 0)
			return *rule = "an fd that is not open", -EBADF;
		if (is_our_eventfd(fz, fd))
			return *rule = "an eventfd attaches", 0;
		return *rule = "an fd that is not an eventfd", -EINVAL;
	default:
		return *rule = "not exactly one action", -EINVAL;
	}
}

static uint32_t gen_irq_index(struct fz_rng *r)
{
	switch (fz_below(r, 10)) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6:
		return (uint32_t)FZ_PICK(r, VFIO_PCI_INTX_IRQ_INDEX,
					 VFIO_PCI_MSI_IRQ_INDEX,
					 VFIO_PCI_REQ_IRQ_INDEX);
	case 7: case 8:
		return (uint32_t)FZ_PICK(r, VFIO_PCI_MSIX_IRQ_INDEX,
					 VFIO_PCI_ERR_IRQ_INDEX,
					 VFIO_PCI_NUM_IRQS, 6);
	default:
		return (uint32_t)fz_next(r);
	}
}

static void op_set_irqs(struct fuzzer *fz)
{
	const uint32_t minsz = offsetofend(struct vfio_irq_set, count);
	struct fz_rng *r = &fz->r;
	uint32_t dtype, action, flags, start, count, size, payload, i;
	uint32_t index = gen_irq_index(r);
	bool data_faults = fz_chance(r, 8);
	int32_t fd = gen_irq_fd(fz);
	uint8_t b = (uint8_t)FZ_PICK(r, 0, 1, 1, fz_next(r));
	struct vfio_irq_set *s;
	const char *rule = "";
	long ret, want;

	dtype = fz_chance(r, 88) ?
		(uint32_t)FZ_PICK(r, VFIO_IRQ_SET_DATA_NONE,
				  VFIO_IRQ_SET_DATA_BOOL,
				  VFIO_IRQ_SET_DATA_EVENTFD) :
		(uint32_t)FZ_PICK(r, 0, 3, 5, 6, 7);
	action = fz_chance(r, 88) ?
		 (uint32_t)FZ_PICK(r, VFIO_IRQ_SET_ACTION_MASK,
				   VFIO_IRQ_SET_ACTION_UNMASK,
				   VFIO_IRQ_SET_ACTION_TRIGGER,
				   VFIO_IRQ_SET_ACTION_TRIGGER) :
		 (uint32_t)FZ_PICK(r, 0, 0x18, 0x28, 0x30, 0x38);
	flags = dtype | action;
	if (fz_chance(r, 4))
		flags |= 1u << fz_range(r, 6, 31);
	if (fz_chance(r, 2))
		flags = (uint32_t)fz_next(r);
	start = fz_chance(r, 85) ? 0 :
		(uint32_t)FZ_PICK(r, 1, 2, fz_next(r), UINT32_MAX, 0x80000000);
	switch (fz_below(r, 20)) {
	case 0: case 1: case 2: case 3: case 4:
		count = 0;
		break;
	case 5: case 6:
		count = (uint32_t)FZ_PICK(r, 2, 3, fz_next(r), UINT32_MAX,
					  UINT32_MAX - 1, 0x40000000);
		break;
	default:
		count = 1;
	}
	if ((fz->sh->avoid & AVOID_IRQ_BOOL_COUNT0) && !count &&
	    (flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_BOOL)
		count = 1;

	size = (flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_BOOL ? 1 :
	       (flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_EVENTFD ? 4 : 0;
	payload = (count <= 4 ? count : 1) * size;
	/* the header ends where the unmapped page begins: the data faults */
	s = (struct vfio_irq_set *)(fz->arg + (data_faults ? PAGE - minsz : 0));
	memset(s, 0, data_faults ? minsz : PAGE);
	switch (fz_below(r, 20)) {
	case 0: case 1: case 2:
		s->argsz = minsz;
		break;
	case 3:
		s->argsz = (uint32_t)fz_below(r, minsz);
		break;
	case 4:
		s->argsz = UINT32_MAX;
		break;
	case 5:
		s->argsz = minsz + payload + (uint32_t)fz_range(r, 1, 64);
		break;
	default:
		s->argsz = minsz + payload;
	}
	s->flags = flags;
	s->index = index;
	s->start = start;
	s->count = count;
	if (!data_faults) {
		for (i = 0; i < 4; i++) {
			if (size == 4)
				memcpy(s->data + 4 * i, &fd, sizeof(fd));
			else
				s->data[i] = b;
		}
	}
	want = irq_set_want(fz, s, fd, data_faults, &rule);
	begin(fz, OP_SET_IRQS,
	      "index %u flags 0x%x start %u count %u argsz %u data %d/%u%s",
	      index, flags, start, count, s->argsz, fd, b,
	      data_faults ? " (data unmapped)" : "");
	ret = xioctl(fz->g.d.device, VFIO_DEVICE_SET_IRQS, s);
	if (!expect(fz, rule, ret, want) || ret)
		return;

	action = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	dtype = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	if (!count) {
		fz->installed[index] = -1;
		return;
	}
	if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return;
	if (dtype == VFIO_IRQ_SET_DATA_EVENTFD) {
		fz->installed[index] = fd;
		return;
	}
	/* a loopback trigger signals the attached eventfd at once */
	if ((dtype == VFIO_IRQ_SET_DATA_NONE || b) && fz->installed[index] >= 0) {
		struct pollfd p = { .fd = fz->installed[index], .events = POLLIN };
		uint64_t cnt;

		if (poll(&p, 1, 1000) != 1 || !(p.revents & POLLIN))
			finding(fz, "a loopback trigger did not signal the eventfd",
				"eventfd %d", fz->installed[index]);
		else if (read(p.fd, &cnt, sizeof(cnt)) != sizeof(cnt))
			finding(fz, "the signalled eventfd cannot be read", "%s",
				strerror(errno));
	}
}

static void op_reset(struct fuzzer *fz)
{
	long ret;

	begin(fz, OP_RESET, "VFIO_DEVICE_RESET");
	ret = xioctl(fz->g.d.device, VFIO_DEVICE_RESET, NULL);
	if (!expect(fz, "a device reset", ret, 0))
		return;
	fz->up = false;
	check_konst(fz, "by a reset");
	if (fz_chance(&fz->r, 70))
		rebringup(fz);
}

/* points the plane at a surface of the DMA buffer, as a driver would */
static void plane_setup(struct fuzzer *fz)
{
	uint32_t w = (uint32_t)fz_range(&fz->r, 1, 256);
	uint32_t h = (uint32_t)fz_range(&fz->r, 1, 64);
	int ret;

	step(fz, "plane %ux%u", w, h);
	ret = fz_gpu_wr(&fz->g, GVT_REG_PLANE_SURF, fz_gpu_ga(&fz->g, FZ_GPU_SURF_A));
	ret = ret ?: fz_gpu_wr(&fz->g, GVT_REG_PLANE_WIDTH, w);
	ret = ret ?: fz_gpu_wr(&fz->g, GVT_REG_PLANE_HEIGHT, h);
	ret = ret ?: fz_gpu_wr(&fz->g, GVT_REG_PLANE_STRIDE, FZ_GPU_STRIDE);
	ret = ret ?: fz_gpu_wr(&fz->g, GVT_REG_PLANE_CTL, GVT_PLANE_CTL_ENABLE |
			       (GVT_PLANE_FORMAT_XRGB8888 << GVT_PLANE_CTL_FORMAT_SHIFT));
	if (ret)
		finding(fz, "a plane register write failed", "%s", fz->g.err);
}

#define DRM_PLANE_CURSOR	2		/* enum drm_plane_type */
#define DRM_XRGB8888		0x34325258u	/* DRM_FORMAT_XRGB8888, "XR24" */

static void op_query_gfx_plane(struct fuzzer *fz)
{
	const uint32_t minsz = offsetofend(struct vfio_device_gfx_plane_info,
					   region_index);
	const uint32_t probe = VFIO_GFX_PLANE_TYPE_PROBE,
		       region = VFIO_GFX_PLANE_TYPE_REGION,
		       dmabuf = VFIO_GFX_PLANE_TYPE_DMABUF;
	union {
		struct vfio_device_gfx_plane_info p;
		uint8_t b[sizeof(struct vfio_device_gfx_plane_info) + 32];
	} a;
	struct fz_rng *r = &fz->r;
	uint32_t argsz = gen_argsz(r, minsz, sizeof(a.p));
	uint32_t flags = fz_chance(r, 90) ?
		(uint32_t)FZ_PICK(r, region, region, region, probe | region,
				  probe | dmabuf, probe, dmabuf, 0,
				  probe | region | dmabuf) :
		(uint32_t)fz_next(r);
	uint32_t type = fz_chance(r, 90) ? (uint32_t)fz_below(r, 3) :
			(uint32_t)fz_next(r);
	const char *rule = "a query of the plane";
	long ret, want = 0;
	struct vfio_device_gfx_plane_info *p = &a.p;

	memset(&a, 0xa5, sizeof(a));
	p->argsz = argsz;
	p->flags = flags;
	p->drm_plane_type = type;
	if (argsz < minsz) {
		rule = "argsz below minsz";
		want = -EINVAL;
	} else if (flags & probe) {
		rule = flags == (probe | region) ? "probe of the region type" :
		       "probe of a type other than the region";
		want = flags == (probe | region) ? 0 : -EINVAL;
	} else if (flags != region) {
		rule = "a query of a type other than the region";
		want = -EINVAL;
	}
	begin(fz, OP_QUERY_GFX_PLANE, "flags 0x%x plane type %u argsz %u",
	      flags, type, argsz);
	if (fz->open && fz_chance(r, 30))
		plane_setup(fz);
	ret = xioctl(fz->g.d.device, VFIO_DEVICE_QUERY_GFX_PLANE, &a);
	if (!expect(fz, rule, ret, want) || ret || (flags & probe))
		return;
	if (p->region_index != GVT_PLANE_REGION_INDEX)
		finding(fz, "a plane in a region other than the plane region",
			"region_index %u", p->region_index);
	if (type == DRM_PLANE_CURSOR && p->size)
		finding(fz, "a cursor plane (the vGPU has none)", "size %u",
			p->size);
	if (p->size) {
		if (p->drm_format != DRM_XRGB8888 || !p->width ||
		    p->width > GVT_PLANE_MAX_DIM || !p->height ||
		    p->height > GVT_PLANE_MAX_DIM || p->stride < 4 * p->width ||
		    (uint64_t)p->stride * p->height != p->size ||
		    p->size > GVT_PLANE_REGION_SIZE)
			finding(fz, "an inconsistent plane description",
				"format 0x%x %ux%u stride %u size %u",
				p->drm_format, p->width, p->height, p->stride,
				p->size);
	} else if (p->drm_format || p->width || p->height || p->stride) {
		finding(fz, "an empty plane with a description",
			"format 0x%x %ux%u stride %u", p->drm_format, p->width,
			p->height, p->stride);
	}
	if (argsz < sizeof(a) &&
	    !untouched(a.b, argsz > minsz ? argsz : minsz, sizeof(a), 0xa5))
		finding(fz, "the reply was written past argsz", "-");
}

/* the device ioctls VFIO or the device implement */
static bool known_device_ioctl(unsigned long cmd)
{
	return cmd == VFIO_DEVICE_GET_INFO || cmd == VFIO_DEVICE_GET_REGION_INFO ||
	       cmd == VFIO_DEVICE_GET_IRQ_INFO || cmd == VFIO_DEVICE_SET_IRQS ||
	       cmd == VFIO_DEVICE_RESET || cmd == VFIO_DEVICE_QUERY_GFX_PLANE ||
	       cmd == VFIO_DEVICE_FEATURE;
}

static void op_other_ioctl(struct fuzzer *fz)
{
	struct fz_rng *r = &fz->r;
	unsigned long cmd;
	uint32_t i;
	long ret;

	switch (fz_below(r, 10)) {
	case 0: case 1: case 2: case 3: case 4:
		/* the container, group and other device numbers */
		cmd = _IO(VFIO_TYPE, VFIO_BASE +
			  FZ_PICK(r, 0, 1, 2, 3, 4, 5, 6, 12, 13, 15, 16, 18,
				  19, 20, 21, fz_range(r, 22, 64)));
		break;
	case 5: case 6:
		/* a device number with direction and size bits */
		cmd = _IOC(fz_range(r, 1, 3), VFIO_TYPE,
			   VFIO_BASE + FZ_PICK(r, 7, 8, 9, 10, 11, 14, 17),
			   fz_range(r, 1, 255));
		break;
	case 7: case 8:
		cmd = VFIO_DEVICE_FEATURE;
		break;
	default:
		cmd = _IO(VFIO_TYPE, fz_below(r, 256));
	}
	if (known_device_ioctl(cmd) && cmd != VFIO_DEVICE_FEATURE)
		cmd = _IO(VFIO_TYPE, VFIO_BASE + 40);
	for (i = 0; i < 64; i += 8) {
		uint64_t v = fz_next(r);

		memcpy(fz->arg + i, &v, sizeof(v));
	}
	if (cmd == VFIO_DEVICE_FEATURE) {
		struct vfio_device_feature *f = (void *)fz->arg;

		f->argsz = (uint32_t)FZ_PICK(r, sizeof(*f), sizeof(*f) + 16,
					     0, UINT32_MAX);
		f->flags = fz_chance(r, 70) ?
			   (uint32_t)(fz_below(r, 16) |
				      FZ_PICK(r, VFIO_DEVICE_FEATURE_GET,
					      VFIO_DEVICE_FEATURE_SET,
					      VFIO_DEVICE_FEATURE_PROBE |
					      VFIO_DEVICE_FEATURE_GET,
					      VFIO_DEVICE_FEATURE_PROBE |
					      VFIO_DEVICE_FEATURE_SET, 0)) :
			   (uint32_t)fz_next(r);
	}
	begin(fz, OP_OTHER_IOCTL, "cmd 0x%lx", cmd);
	ret = xioctl(fz->g.d.device, cmd, fz->arg);
	if (cmd == VFIO_DEVICE_FEATURE) {
		/* the device has no features, migration or dirty logging */
		if (ret >= 0)
			finding(fz, "VFIO_DEVICE_FEATURE: succeeded, want an error",
				"flags 0x%x", ((struct vfio_device_feature *)fz->arg)->flags);
		return;
	}
	expect(fz, "an ioctl the device does not have", ret, -ENOTTY);
}

enum bad_ptr { BAD_NULL, BAD_ONE, BAD_KERNEL, BAD_UNMAPPED, BAD_STRADDLE,
	       BAD_READONLY, BAD_NUM };

static const char *const bad_ptr_names[BAD_NUM] = {
	"NULL", "address 1", "a kernel address", "an unmapped page",
	"a struct running into an unmapped page", "a read-only page",
};

/* makes the read-only page hold @len bytes of @src */
static int ro_fill(struct fuzzer *fz, const void *src, size_t len)
{
	if (mprotect(fz->ro, PAGE, PROT_READ | PROT_WRITE))
		return -errno;
	memset(fz->ro, 0, PAGE);
	memcpy(fz->ro, src, len);
	return mprotect(fz->ro, PAGE, PROT_READ) ? -errno : 0;
}

static void op_bad_pointer(struct fuzzer *fz)
{
	static const unsigned long cmds[] = {
		VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_REGION_INFO,
		VFIO_DEVICE_GET_IRQ_INFO, VFIO_DEVICE_SET_IRQS,
		VFIO_DEVICE_QUERY_GFX_PLANE, VFIO_DEVICE_FEATURE,
	};
	static const char *const cmd_names[] = {
		"GET_INFO", "GET_REGION_INFO", "GET_IRQ_INFO", "SET_IRQS",
		"QUERY_GFX_PLANE", "FEATURE",
	};
	unsigned int c = (unsigned int)fz_below(&fz->r, 6);
	enum bad_ptr k = (enum bad_ptr)fz_below(&fz->r, BAD_NUM);
	uint8_t hdr[64] = { 0 };
	long ret, want = -EFAULT;
	const char *rule = "a bad user pointer";
	void *p;

	switch (k) {
	case BAD_NULL:
		p = NULL;
		break;
	case BAD_ONE:
		p = (void *)1;
		break;
	case BAD_KERNEL:
		p = KERNEL_PTR;
		break;
	case BAD_UNMAPPED:
		p = fz->arg + PAGE;
		break;
	case BAD_STRADDLE:
		/* argsz readable, the rest of every header unmapped */
		p = fz->arg + PAGE - 4;
		*(uint32_t *)p = 64;
		break;
	default:
		/*
		 * A valid request in a read-only page: read fine, but a
		 * reply cannot be written back. A SET_IRQS loopback trigger
		 * and a plane probe write nothing back and succeed.
		 */
		p = fz->ro;
		((uint32_t *)hdr)[0] = 64;		/* argsz */
		switch (cmds[c]) {
		case VFIO_DEVICE_GET_REGION_INFO:
			((uint32_t *)hdr)[2] = VFIO_PCI_BAR0_REGION_INDEX;
			break;
		case VFIO_DEVICE_GET_IRQ_INFO:
			((uint32_t *)hdr)[2] = VFIO_PCI_MSI_IRQ_INDEX;
			break;
		case VFIO_DEVICE_SET_IRQS:
			((uint32_t *)hdr)[1] = VFIO_IRQ_SET_DATA_NONE |
					       VFIO_IRQ_SET_ACTION_TRIGGER;
			((uint32_t *)hdr)[2] = VFIO_PCI_MSI_IRQ_INDEX;
			((uint32_t *)hdr)[4] = 1;	/* count */
			want = 0;
			rule = "SET_IRQS from a read-only page";
			break;
		case VFIO_DEVICE_QUERY_GFX_PLANE:
			if (fz_chance(&fz->r, 50)) {
				((uint32_t *)hdr)[1] = VFIO_GFX_PLANE_TYPE_PROBE |
						       VFIO_GFX_PLANE_TYPE_REGION;
				want = 0;
				rule = "a plane probe from a read-only page";
			} else {
				((uint32_t *)hdr)[1] = VFIO_GFX_PLANE_TYPE_REGION;
			}
			break;
		case VFIO_DEVICE_FEATURE:
			((uint32_t *)hdr)[0] = sizeof(struct vfio_device_feature);
			((uint32_t *)hdr)[1] = VFIO_DEVICE_FEATURE_PROBE |
					       VFIO_DEVICE_FEATURE_GET;
			break;
		default:
			break;
		}
		if (want == -EFAULT)
			rule = "a reply into a read-only page";
		if (ro_fill(fz, hdr, sizeof(hdr))) {
			finding(fz, "mprotect of the test page failed", "%s",
				strerror(errno));
			return;
		}
		break;
	}
	begin(fz, OP_BAD_POINTER, "%s with %s", cmd_names[c], bad_ptr_names[k]);
	ret = xioctl(fz->g.d.device, cmds[c], p);
	if (cmds[c] == VFIO_DEVICE_FEATURE && k == BAD_READONLY) {
		if (ret >= 0)
			finding(fz, "VFIO_DEVICE_FEATURE: succeeded, want an error",
				"from a read-only page");
		return;
	}
	expect(fz, rule, ret, want);
}

/* ---- region reads and writes ---------------------------------------------- */

enum buf_kind { BUF_OK, BUF_NULL, BUF_KERNEL, BUF_READONLY, BUF_UNMAPPED };

static const char *const buf_names[] = {
	"", " into NULL", " into a kernel address", " into a read-only page",
	" into an unmapped page",
};

static uint64_t gen_offset(struct fz_rng *r, uint64_t size)
{
	switch (fz_below(r, 10)) {
	case 0:
		return 0;
	case 1: case 2: case 3: case 4:
		return fz_below(r, size ? size : PAGE);
	case 5:
		return size > 8 ? size - fz_range(r, 1, 8) : 0;
	case 6:
		return size + fz_below(r, PAGE);
	case 7:
		return fz_below(r, 1ull << REGION_SHIFT);
	default:
		return (1ull << REGION_SHIFT) - fz_range(r, 1, 16);
	}
}

static uint64_t gen_len(struct fz_rng *r, uint64_t size, uint64_t off)
{
	switch (fz_below(r, 10)) {
	case 0: case 1:
		return FZ_PICK(r, 1, 2, 3, 4, 8);
	case 2: case 3:
		return fz_range(r, 1, 64);
	case 4:
		return fz_range(r, 1, PAGE);
	case 5:
		return fz_range(r, 1, IO_BUF_SIZE);
	case 6:
		return 0;
	case 7:		/* crosses the end of the region */
		return size > off ? size - off + fz_range(r, 1, 64) :
				    fz_range(r, 1, 64);
	case 8:		/* up to the end exactly */
		return size > off ? size - off : 1;
	default:
		return FZ_PICK(r, 1ull << 31, 0x7ffff000, 1ull << 32,
			       UINT32_MAX);
	}
}

/*
 * What a region read or write must return: the VFS checks, then the
 * module's regions (config, BAR0 and BAR2 read-write, the plane region
 * read-only, nothing else), each access checked whole against the
 * region's end before anything is accessed. A zero-length access may
 * succeed with 0 or be refused with EINVAL.
 */
static long rw_want(const struct fuzzer *fz, uint64_t pos, uint64_t len,
		    const void *buf, bool write, enum buf_kind bk,
		    const char **rule)
{
	uint64_t index = pos >> REGION_SHIFT, off = pos & REGION_MASK;
	uint64_t size = region_size(fz, index);

	if (pos > (uint64_t)INT64_MAX)
		return *rule = "a negative file offset", -EINVAL;
	if (len && bk == BUF_KERNEL)
		return *rule = "a kernel address as the buffer", -EFAULT;
	if (len && (uintptr_t)buf + len > USER_TOP)
		return *rule = "a buffer past the end of user space", -EFAULT;
	if (len > (uint64_t)INT64_MAX - pos)
		return *rule = "the end past the largest file offset", -EINVAL;
	if (index == GVT_PLANE_REGION_INDEX && write)
		return *rule = "a write to the read-only plane region", -EINVAL;
	if (!size)
		return *rule = "no such region", -EINVAL;
	if (!len)
		return *rule = "a zero-length access", -EINVAL;
	if (off >= size || len > size - off)
		return *rule = "an access beyond the region's end", -EINVAL;
	if (bk == BUF_NULL || bk == BUF_UNMAPPED || (bk == BUF_READONLY && !write))
		return *rule = "an unusable user buffer", -EFAULT;
	return *rule = "an access inside a region", (long)len;
}

/* the identity registers inside a successful read of [off, off + len) */
static void check_read_konst(struct fuzzer *fz, uint64_t index, uint64_t off,
			     const uint8_t *buf, uint64_t len)
{
	uint32_t v;
	size_t i;

	if (index == VFIO_PCI_CONFIG_REGION_INDEX && off == 0 && len >= 4) {
		memcpy(&v, buf, 4);
		if (v != (GVT_PCI_VENDOR_ID | GVT_PCI_DEVICE_ID << 16))
			finding(fz, "config space reads a wrong vendor/device",
				"0x%08x", v);
	}
	if (index != VFIO_PCI_BAR0_REGION_INDEX)
		return;
	for (i = 0; i < NKONST; i++) {
		uint64_t r = konst_regs[i];

		if (r < off || r + 4 > off + len)
			continue;
		memcpy(&v, buf + (r - off), 4);
		/* a read split at a register boundary sees whole registers */
		if (v != fz->konst[i])
			finding(fz, "a constant register reads a wrong value",
				"offset 0x%llx reads 0x%08x, want 0x%08x",
				(unsigned long long)r, v, fz->konst[i]);
	}
}

static void op_region_rw(struct fuzzer *fz, bool write)
{
	struct fz_rng *r = &fz->r;
	/* an index past MAX_INDEX makes a negative file offset */
	uint64_t index = fz_chance(r, 90) ? gen_region_index(r) :
			 fz_below(r, MAX_INDEX + 1);
	uint64_t size = region_size(fz, index);
	uint64_t off = gen_offset(r, size) & REGION_MASK;
	uint64_t len = gen_len(r, size, off);
	uint64_t pos = index << REGION_SHIFT | off;

	if (index > MAX_INDEX)
		pos |= 1ull << 63;
	enum buf_kind bk = fz_chance(r, 85) ? BUF_OK :
			   (enum buf_kind)fz_range(r, BUF_NULL, BUF_UNMAPPED);
	const char *rule = "";
	uint8_t *buf;
	long want;
	ssize_t n;

	/* access_ok() of zero bytes at a kernel address is the arch's call */
	if (!len && bk == BUF_KERNEL)
		bk = BUF_OK;

	/* an access that can succeed must fit the buffers */
	if (off < size && len && len <= size - off) {
		if (len > IO_BUF_SIZE)
			len = IO_BUF_SIZE;
		if (bk == BUF_READONLY && len > PAGE)
			len = PAGE;
	}
	switch (bk) {
	case BUF_NULL:
		buf = NULL;
		break;
	case BUF_KERNEL:
		buf = KERNEL_PTR;
		break;
	case BUF_READONLY:
		buf = fz->ro;
		break;
	case BUF_UNMAPPED:
		buf = fz->ro + PAGE;
		break;
	default:
		buf = fz->io;
	}
	if (write && bk == BUF_OK) {
		uint64_t i, v = fz_next(r);

		for (i = 0; i < len && i < IO_BUF_SIZE; i += 8) {
			v = fz_chance(r, 90) ? v * 6364136223846793005ull + 1 :
			    FZ_PICK(r, 0, UINT64_MAX, GVT_RESET_KEY);
			memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
		}
	}
	want = rw_want(fz, pos, len, buf, write, bk, &rule);
	begin(fz, write ? OP_REGION_WRITE : OP_REGION_READ,
	      "index %llu offset 0x%llx (file offset 0x%llx) len 0x%llx%s",
	      (unsigned long long)index, (unsigned long long)off,
	      (unsigned long long)pos, (unsigned long long)len, buf_names[bk]);
	n = write ? pwrite(fz->g.d.device, buf, len, (off_t)pos) :
		    pread(fz->g.d.device, buf, len, (off_t)pos);
	if (n < 0)
		n = -errno;
	if (!len && (n == 0 || n == -EINVAL))
		return;		/* either answer is fine for zero bytes */
	if (!expect(fz, rule, n, want) || n <= 0 || bk != BUF_OK)
		return;

	if (!write) {
		check_read_konst(fz, index, off, buf, len);
		return;
	}
	if (index == VFIO_PCI_BAR0_REGION_INDEX && off == GVT_REG_RESET &&
	    len >= 4 && !memcmp(buf, &(uint32_t){ GVT_RESET_KEY }, 4))
		fz->up = false;
	if (index == VFIO_PCI_BAR2_REGION_INDEX && len <= PAGE) {
		/* the aperture is memory: it reads back what was written */
		static uint8_t back[PAGE];

		step(fz, "read back");
		n = pread(fz->g.d.device, back, len, (off_t)pos);
		if (n != (ssize_t)len)
			finding(fz, "the read-back of an aperture write failed",
				"%zd", n);
		else if (memcmp(back, buf, len))
			finding(fz, "the aperture reads back other data than written",
				"-");
		add_canary(fz, off, buf, (uint32_t)len);
	}
}

/* ---- MMIO and doorbells --------------------------------------------------- */

static uint32_t gen_reg_value(struct fuzzer *fz)
{
	struct fz_rng *r = &fz->r;

	switch (fz_below(r, 10)) {
	case 0:
		return 0;
	case 1:
		return UINT32_MAX;
	case 2:
		return GVT_RESET_KEY;
	case 3:
		return fz_gpu_ga(&fz->g, (uint32_t)fz_below(r, FZ_GPU_MEM_SIZE) & ~0xfffu);
	case 4:
		return GVT_RING_CTL_ENABLE |
		       (uint32_t)fz_below(r, GVT_RING_MAX_PAGES) << GVT_RING_CTL_SIZE_SHIFT;
	case 5:
		return GVT_IRQ_ALL;
	case 6:
		return (uint32_t)fz_below(r, 0x10000);
	default:
		return (uint32_t)fz_next(r);
	}
}

static void op_mmio_write(struct fuzzer *fz)
{
	struct fz_rng *r = &fz->r;
	uint64_t val = gen_reg_value(fz);
	uint32_t off, len = 4;
	uint8_t data[8];
	const char *rule = "a register write";
	size_t i;
	ssize_t n;

	switch (fz_below(r, 20)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		off = reg_offsets[fz_below(r, NREGS)];
		break;
	case 6: case 7: case 8:
		off = GVT_ENGINE_REG(fz_below(r, GVT_NUM_ENGINES),
				     FZ_PICK(r, GVT_RING_START, GVT_RING_TAIL,
					     GVT_RING_CTL, GVT_RING_HEAD));
		break;
	case 9: case 10: case 11:
		off = (uint32_t)fz_below(r, GVT_MMIO_SIZE) & ~3u;
		break;
	case 12:	/* a part of a register */
		len = (uint32_t)fz_range(r, 1, 3);
		off = (uint32_t)fz_below(r, GVT_MMIO_SIZE - 4) + 1;
		break;
	default:	/* a GTT entry: to our buffer, anywhere, or invalid */
		len = 8;
		off = GVT_GTT_OFFSET + 8 * (fz_chance(r, 60) ?
			fz->g.hid / GVT_PAGE_SIZE +
			(uint32_t)fz_below(r, FZ_GPU_MEM_SIZE / GVT_PAGE_SIZE) :
			(uint32_t)fz_below(r, GVT_GTT_ENTRIES));
		val = FZ_PICK(r, (FZ_GPU_IOVA + fz_below(r, FZ_GPU_MEM_SIZE)) & ~0xfffull,
			      fz_next(r), 0) |
		      (fz_chance(r, 80) ? GVT_PTE_VALID : 0);
		rule = "a GTT entry write";
		break;
	}
	memcpy(data, &val, sizeof(data));
	begin(fz, OP_MMIO_WRITE, "BAR0 0x%x len %u value 0x%llx", off, len,
	      (unsigned long long)val);
	n = pwrite(fz->g.d.device, data, len,
		   (off_t)((uint64_t)VFIO_PCI_BAR0_REGION_INDEX << REGION_SHIFT | off));
	if (!expect(fz, rule, n < 0 ? -errno : n, len))
		return;
	if (off == GVT_REG_RESET && val == GVT_RESET_KEY)
		fz->up = false;
	for (i = 0; i < NKONST; i++)
		if (konst_regs[i] + 4 > off && konst_regs[i] < off + len)
			break;
	if (i < NKONST)
		check_konst(fz, "by a write to it");
}

/* one command of garbage: mostly well-formed, with random operands */
static uint32_t gen_cmd(struct fuzzer *fz, uint32_t *c, uint32_t room)
{
	struct fz_rng *r = &fz->r;
	uint32_t n, i, bad_len = fz_chance(r, 8) ? 1 : 0;

#define ADDR()	(fz_chance(r, 70) ?						\
		 fz_gpu_ga(&fz->g, (uint32_t)fz_below(r, FZ_GPU_MEM_SIZE) & ~3u) : \
		 (uint32_t)FZ_PICK(r, 0, fz->g.hid - 4096, fz_next(r),		\
				   fz->g.hid + FZ_GPU_MEM_SIZE - 4))
	switch (fz_below(r, 20)) {
	case 0: case 1: case 2:
		c[0] = (uint32_t)fz_next(r);
		return 1;
	case 3: case 4:
		c[0] = GVT_CMD_NOOP;
		return 1;
	case 5:
		c[0] = GVT_CMD_USER_INTERRUPT;
		return 1;
	case 6:
		c[0] = GVT_CMD_BATCH_END;
		return 1;
	case 7: case 8: case 9:
		c[0] = GVT_CMD_STORE_DWORD;
		c[1] = ADDR();
		c[2] = (uint32_t)fz_next(r);
		n = 3;
		break;
	case 10: case 11:
		i = (uint32_t)fz_range(r, 1, 3);
		c[0] = GVT_CMD_LRI(i);
		for (n = 1; n < 1 + 2 * i; n += 2) {
			c[n] = (uint32_t)FZ_PICK(r, GVT_REG_SCRATCH,
						 GVT_REG_PLANE_SURF,
						 GVT_ENGINE_REG(0, GVT_RING_SEQNO),
						 GVT_ENGINE_REG(1, GVT_RING_SEQNO),
						 GVT_REG_IER, fz_below(r, 0x4000));
			c[n + 1] = gen_reg_value(fz);
		}
		break;
	case 12: case 13:
		c[0] = GVT_CMD_BATCH_START;
		c[1] = fz_chance(r, 70) ? fz_gpu_ga(&fz->g, FZ_GPU_BATCH) : ADDR();
		n = 2;
		break;
	case 14:
		c[0] = GVT_CMD_WORK;
		/* short: the engines are shared with the bystanders */
		c[1] = fz_chance(r, 97) ? (uint32_t)fz_range(r, 0, 2000000) :
		       (uint32_t)FZ_PICK(r, GVT_WORK_MAX_NS, GVT_WORK_MAX_NS + 1,
					 UINT32_MAX);
		n = 2;
		break;
	case 15: case 16:
		c[0] = GVT_CMD_FILL_RECT;
		c[1] = ADDR();
		c[2] = (uint32_t)FZ_PICK(r, FZ_GPU_STRIDE, 4, 0, fz_below(r, 70000));
		c[3] = GVT_RECT_SIZE((uint32_t)fz_range(r, 0, 300),
				     (uint32_t)fz_range(r, 0, 40));
		if (fz_chance(r, 10))
			c[3] = (uint32_t)fz_next(r);
		c[4] = (uint32_t)fz_next(r);
		n = 5;
		break;
	default:
		c[0] = GVT_CMD_COPY_RECT;
		c[1] = ADDR();
		c[2] = (uint32_t)FZ_PICK(r, FZ_GPU_STRIDE, 4, 0, fz_below(r, 70000));
		c[3] = ADDR();
		c[4] = c[2];
		c[5] = GVT_RECT_SIZE((uint32_t)fz_range(r, 0, 300),
				     (uint32_t)fz_range(r, 0, 40));
		n = 6;
		break;
	}
#undef ADDR
	if (n > room)
		n = room;
	if (bad_len)
		c[0] = (c[0] & ~GVT_CMD_LEN_MASK) | (uint32_t)fz_below(r, 8);
	return n;
}

static void op_doorbell(struct fuzzer *fz)
{
	struct fz_rng *r = &fz->r;
	uint32_t e = (uint32_t)fz_below(r, GVT_NUM_ENGINES);
	uint32_t cmd[64], n = 0, tail;
	ssize_t w;

	if (!fz->up && fz_chance(r, 60)) {
		begin(fz, OP_DOORBELL, "engine %u after a bring-up", e);
		rebringup(fz);
	} else {
		begin(fz, OP_DOORBELL, "engine %u", e);
	}
	while (n < 48)
		n += gen_cmd(fz, cmd + n, 64 - n);
	fz_gpu_emit(&fz->g, e, cmd, n);
	if (fz_chance(r, 10)) {
		uint32_t *b = (uint32_t *)(fz->g.mem + FZ_GPU_BATCH), k = 0;

		while (k < 240)
			k += gen_cmd(fz, b + k, 256 - k);
		b[k] = GVT_CMD_BATCH_END;
	}
	if (fz->g.tail[e] % 8)
		fz_gpu_emit(&fz->g, e, (uint32_t[]){ GVT_CMD_NOOP }, 1);
	tail = fz_chance(r, 85) ? fz->g.tail[e] :
	       (uint32_t)FZ_PICK(r, fz_below(r, FZ_GPU_RING_SIZE) & ~7u,
				 FZ_GPU_RING_SIZE, fz_next(r), 4);
	step(fz, "TAIL 0x%x", tail);
	w = pwrite(fz->g.d.device, &tail, 4, (off_t)((uint64_t)VFIO_PCI_BAR0_REGION_INDEX
						 << REGION_SHIFT |
						 GVT_ENGINE_REG(e, GVT_RING_TAIL)));
	expect(fz, "a doorbell", w < 0 ? -errno : w, 4);
}

/*
 * After a reset and a bring-up the vGPU must run an exact workload: the
 * garbage before it must leave nothing behind.
 */
static void op_sanity(struct fuzzer *fz)
{
	int ret;

	begin(fz, OP_SANITY, "reset, bring-up and an exact workload");
	if (!expect(fz, "a device reset",
		    xioctl(fz->g.d.device, VFIO_DEVICE_RESET, NULL), 0))
		return;
	fz->up = false;
	if (!fz->dma_mapped) {
		ret = gvt_vfio_dma_map(&fz->g.d, fz->g.mem, FZ_GPU_IOVA,
				       FZ_GPU_MEM_SIZE);
		if (!expect(fz, "a DMA map", ret, 0))
			return;
		fz->dma_mapped = true;
	}
	ret = gvt_vfio_set_irq_eventfd(&fz->g.d, VFIO_PCI_MSI_IRQ_INDEX,
				       fz->g.efd);
	if (!expect(fz, "attaching the MSI eventfd", ret, 0))
		return;
	fz->installed[VFIO_PCI_MSI_IRQ_INDEX] = fz->g.efd;
	rebringup(fz);
	if (!fz->up)
		return;
	step(fz, "exact workload");
	ret = fz_gpu_exact_round(&fz->g, &fz->r, ROUND_MS);
	if (ret)
		finding(fz, ret == -ETIMEDOUT ?
			"a reset vGPU did not complete an exact workload" :
			"a reset vGPU ran an exact workload wrong", "%s",
			fz->g.err);
}

/* ---- mappings -------------------------------------------------------------- */

/* the aperture through a mapping and through pread are the same memory */
static void check_coherent(struct fuzzer *fz, const struct mapping *m)
{
	uint64_t at, v, back = 0;
	off_t pos;

	if (m->index != VFIO_PCI_BAR2_REGION_INDEX || m->len < 16)
		return;
	at = fz_below(&fz->r, m->len - 8) & ~7ull;
	pos = (off_t)((uint64_t)VFIO_PCI_BAR2_REGION_INDEX << REGION_SHIFT |
		      (m->off + at));
	if (m->prot & PROT_WRITE) {
		v = fz_next(&fz->r) | 1;
		memcpy(m->addr + at, &v, 8);
		add_canary(fz, m->off + at, (uint8_t *)&v, 8);
	} else if (m->prot & PROT_READ) {
		memcpy(&v, m->addr + at, 8);
	} else {
		return;
	}
	if (pread(fz->g.d.device, &back, 8, pos) != 8)
		finding(fz, "pread of a mapped aperture range failed", "%s",
			strerror(errno));
	else if (back != v)
		finding(fz, "the aperture mapping and pread disagree",
			"offset 0x%llx: mapping 0x%llx, pread 0x%llx",
			(unsigned long long)(m->off + at),
			(unsigned long long)v, (unsigned long long)back);
}

static void op_mmap(struct fuzzer *fz)
{
	struct fz_rng *r = &fz->r;
	uint64_t index = fz_chance(r, 45) ? VFIO_PCI_BAR2_REGION_INDEX :
			 fz_chance(r, 55) ? GVT_PLANE_REGION_INDEX :
			 FZ_PICK(r, 0, 1, 3, 4, 5, 6, 7, 8, 10, fz_below(r, MAX_INDEX + 1));
	uint64_t size = region_size(fz, index), off, len, plen;
	int prot = (int)FZ_PICK(r, PROT_READ, PROT_READ | PROT_WRITE,
				PROT_READ | PROT_WRITE, PROT_WRITE, PROT_NONE);
	int flags = fz_chance(r, 92) ? MAP_SHARED : MAP_PRIVATE;
	const char *rule;
	struct mapping m;
	long want, got;
	uint8_t *p;

	switch (fz_below(r, 8)) {
	case 0: case 1:
		off = 0;
		break;
	case 2: case 3:
		off = fz_below(r, size ? size : PAGE);
		break;
	case 4:
		off = size > 4 * PAGE ? size - PAGE * fz_range(r, 1, 4) : 0;
		break;
	case 5:
		off = size + PAGE * fz_below(r, 4);
		break;
	default:
		off = fz_below(r, 1ull << REGION_SHIFT);
	}
	off &= REGION_MASK & ~(uint64_t)(PAGE - 1);
	switch (fz_below(r, 8)) {
	case 0: case 1:
		len = PAGE;
		break;
	case 2: case 3:
		len = PAGE * fz_range(r, 1, 64);
		break;
	case 4:
		len = size > off ? size - off : PAGE;
		break;
	case 5:
		len = (size > off ? size - off : 0) + PAGE;
		break;
	case 6:
		len = fz_range(r, 1, 3 * PAGE);	/* not a page multiple */
		break;
	default:
		/* huge only when shared: a private one is refused for memory */
		len = fz_chance(r, 50) || !(flags & MAP_SHARED) ? 0 : 1ull << 36;
	}
	plen = (len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	/* the module's rule: shared mappings of BAR2 and the plane, in bounds */
	if (!len) {
		rule = "a zero-length mapping";
		want = -EINVAL;
	} else if (index != VFIO_PCI_BAR2_REGION_INDEX &&
		   index != GVT_PLANE_REGION_INDEX) {
		rule = "a mapping of a region without FLAG_MMAP";
		want = -EINVAL;
	} else if (!(flags & MAP_SHARED)) {
		rule = "a private mapping";
		want = -EINVAL;
	} else if (index == GVT_PLANE_REGION_INDEX && (prot & PROT_WRITE)) {
		rule = "a writable mapping of the read-only plane region";
		want = -EINVAL;
	} else if (off >= size || plen > size - off) {
		rule = "a mapping beyond the region's end";
		want = -EINVAL;
	} else {
		rule = "a mapping inside a region";
		want = 0;
	}
	/* an address space of 47 bits cannot take it: not the module's call */
	if (len >= 1ull << 36 && want == 0)
		len = plen = PAGE;
	begin(fz, OP_MMAP, "index %llu offset 0x%llx len 0x%llx prot %d %s",
	      (unsigned long long)index, (unsigned long long)off,
	      (unsigned long long)len, prot,
	      flags & MAP_SHARED ? "shared" : "private");
	p = mmap(NULL, len, prot, flags, fz->g.d.device,
		 (off_t)(index << REGION_SHIFT | off));
	got = p == MAP_FAILED ? -errno : 0;
	if (!expect(fz, rule, got, want) || got)
		return;

	m = (struct mapping){ .addr = p, .len = plen, .index = (uint32_t)index,
			      .off = off, .prot = prot };
	if (prot & PROT_READ) {
		volatile uint8_t sink;
		uint64_t i;

		step(fz, "touch");
		for (i = 0; i < 8; i++)
			sink = p[fz_below(r, plen)];
		(void)sink;
	}
	check_coherent(fz, &m);
	if (fz->nmap < MAX_MAPS && fz_chance(r, 60)) {
		fz->map[fz->nmap++] = m;
	} else if (munmap(p, plen)) {
		finding(fz, "munmap of a device mapping failed", "%s",
			strerror(errno));
	}
}

static void op_mprotect(struct fuzzer *fz)
{
	struct mapping *m;
	bool plane;
	int prot;
	long got, want;

	if (!fz->nmap) {
		op_mmap(fz);
		return;
	}
	m = &fz->map[fz_below(&fz->r, fz->nmap)];
	plane = m->index == GVT_PLANE_REGION_INDEX;
	prot = (int)FZ_PICK(&fz->r, PROT_READ, PROT_READ | PROT_WRITE,
			    PROT_WRITE, PROT_NONE);
	if (plane && (fz->sh->avoid & AVOID_PLANE_MPROTECT))
		prot &= ~PROT_WRITE;
	want = plane && (prot & PROT_WRITE) ? -EACCES : 0;
	begin(fz, OP_MPROTECT, "index %u offset 0x%llx len 0x%zx prot %d -> %d",
	      m->index, (unsigned long long)m->off, m->len, m->prot, prot);
	got = mprotect(m->addr, m->len, prot) ? -errno : 0;
	expect(fz, want ? "the read-only plane region made writable" :
	       "a new protection of a mapping", got, want);
	if (got)
		return;
	m->prot = prot;
	if (plane && (prot & PROT_WRITE)) {
		/* the check failed above; keep the region as the device has it */
		if (!mprotect(m->addr, m->len, PROT_READ))
			m->prot = PROT_READ;
	}
	check_coherent(fz, m);
}

static void op_munmap(struct fuzzer *fz)
{
	unsigned int i;

	if (!fz->nmap) {
		op_mmap(fz);
		return;
	}
	i = (unsigned int)fz_below(&fz->r, fz->nmap);
	begin(fz, OP_MUNMAP, "index %u offset 0x%llx len 0x%zx", fz->map[i].index,
	      (unsigned long long)fz->map[i].off, fz->map[i].len);
	drop_mapping(fz, i);
}

/* the DMA buffer leaves the container under the engines, or comes back */
static void op_dma_remap(struct fuzzer *fz)
{
	int ret;

	if (fz->dma_mapped) {
		begin(fz, OP_DMA_REMAP, "unmap iova 0x%llx",
		      (unsigned long long)FZ_GPU_IOVA);
		ret = gvt_vfio_dma_unmap(&fz->g.d, FZ_GPU_IOVA, FZ_GPU_MEM_SIZE);
		if (expect(fz, "a DMA unmap of the whole mapping", ret, 0))
			fz->dma_mapped = false;
	} else {
		begin(fz, OP_DMA_REMAP, "map iova 0x%llx",
		      (unsigned long long)FZ_GPU_IOVA);
		ret = gvt_vfio_dma_map(&fz->g.d, fz->g.mem, FZ_GPU_IOVA,
				       FZ_GPU_MEM_SIZE);
		if (expect(fz, "a DMA map", ret, 0))
			fz->dma_mapped = true;
	}
}

/*
 * Two threads of one VMM on the plane region: one maps and unmaps it
 * (mmap holds mmap_lock for writing while the device's mmap runs), the
 * other reads it into memory never touched before, so the copy to user
 * faults, and a first fault of an anonymous mapping takes mmap_lock. A
 * device that holds its own lock across both sides deadlocks here.
 */
struct plane_race {
	int dev;
	off_t pos;
	volatile bool stop;
	uint64_t maps;
	int err;
};

static void *plane_mapper(void *arg)
{
	struct plane_race *pr = arg;

	while (!pr->stop) {
		void *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, pr->dev, pr->pos);

		if (p == MAP_FAILED) {
			pr->err = errno;
			break;
		}
		munmap(p, PAGE);
		pr->maps++;
	}
	return NULL;
}

/* a few pages: the first fault of the buffer is what takes mmap_lock */
#define RACE_READ	(16u << 10)

static void op_plane_race(struct fuzzer *fz)
{
	struct plane_race pr = {
		.dev = fz->g.d.device,
		.pos = (off_t)((uint64_t)GVT_PLANE_REGION_INDEX << REGION_SHIFT),
	};
	unsigned int i, reads = (unsigned int)fz_range(&fz->r, 2, 8);
	pthread_t tid;
	int ret;

	if (fz->sh->avoid & AVOID_PLANE_LOCK_RACE) {
		op_mmap(fz);
		return;
	}
	begin(fz, OP_PLANE_RACE, "%u plane reads into unfaulted memory against plane mmaps",
	      reads);
	ret = pthread_create(&tid, NULL, plane_mapper, &pr);
	if (ret) {
		finding(fz, "pthread_create failed", "%s", strerror(ret));
		return;
	}
	for (i = 0; i < reads; i++) {
		off_t at = (off_t)(fz_below(&fz->r, GVT_PLANE_REGION_SIZE / RACE_READ) *
				   RACE_READ);
		uint8_t *buf = mmap(NULL, RACE_READ, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ssize_t n;

		if (buf == MAP_FAILED) {
			finding(fz, "mmap of a read buffer failed", "%s", strerror(errno));
			break;
		}
		step(fz, "read %u", i);
		n = pread(pr.dev, buf, RACE_READ, pr.pos + at);
		munmap(buf, RACE_READ);
		if (!expect(fz, "a plane read during plane mmaps",
			    n < 0 ? -errno : n, RACE_READ))
			break;
	}
	pr.stop = true;
	step(fz, "join the mapping thread");
	pthread_join(tid, NULL);
	if (pr.err)
		finding(fz, "a plane mmap failed during plane reads", "%s after %llu maps",
			strerror(pr.err), (unsigned long long)pr.maps);
}

/* ---- closes and opens ------------------------------------------------------- */

/*
 * Once the last user closed the device, the next one must find none of
 * its data: the aperture ranges written before, and the plane region.
 */
static void check_scrubbed(struct fuzzer *fz)
{
	static uint8_t buf[PAGE];
	unsigned int i;
	uint32_t k;
	ssize_t n;

	if (fz->sh->avoid & AVOID_REOPEN_SCRUB) {
		fz->ncan = 0;
		return;
	}
	step(fz, "check the last user's data is gone");
	for (i = 0; i < fz->ncan; i++) {
		n = gvt_vfio_region_read(&fz->g.d, VFIO_PCI_BAR2_REGION_INDEX,
					 fz->can[i].off, buf, fz->can[i].len);
		if (n != fz->can[i].len) {
			finding(fz, "a read of the aperture after reopen failed",
				"%s", gvt_vfio_error(&fz->g.d));
			break;
		}
		for (k = 0; k < fz->can[i].len && !buf[k]; k++)
			;
		if (k < fz->can[i].len) {
			finding(fz, "a reopened vGPU shows the last user's aperture data",
				"BAR2 offset 0x%llx reads 0x%02x",
				(unsigned long long)fz->can[i].off + k, buf[k]);
			break;
		}
	}
	fz->ncan = 0;
	n = gvt_vfio_region_read(&fz->g.d, GVT_PLANE_REGION_INDEX, 0, buf, PAGE);
	if (n != PAGE) {
		finding(fz, "a read of the plane region after reopen failed", "%s",
			gvt_vfio_error(&fz->g.d));
		return;
	}
	for (k = 0; k < PAGE && !buf[k]; k++)
		;
	if (k < PAGE)
		finding(fz, "a reopened vGPU shows the last user's plane",
			"plane region offset 0x%x reads 0x%02x", k, buf[k]);
}

/* after the device was released: identity, fresh state, set-up again */
static void after_release(struct fuzzer *fz)
{
	check_scrubbed(fz);
	check_konst(fz, "across a reopen");
	if (fz_chance(&fz->r, 70))
		rebringup(fz);
}

static void reopen_full(struct fuzzer *fz)
{
	bool keep = fz->nmap && fz_chance(&fz->r, 40);
	int ret;

	if (!keep)
		drop_all_mappings(fz);
	step(fz, keep ? "close, %u mappings kept" : "close", fz->nmap);
	detach(fz);
	if (keep) {
		/* a mapping holds the device, and the device holds the group */
		step(fz, "open while mapped");
		ret = attach(fz);
		if (expect(fz, "an open of a group a mapping still holds", ret,
			   -EBUSY) || ret)
			drop_all_mappings(fz);
		else
			return;	/* unexpectedly open: go on with it */
	}
	step(fz, "open");
	ret = attach(fz);
	if (!expect(fz, "an open of a released vGPU", ret, 0))
		return;
	after_release(fz);
}

static void reopen_device_fd(struct fuzzer *fz)
{
	bool released = !fz->nmap;
	int fd;

	step(fz, "close the device fd%s", released ? "" : " (mappings kept)");
	close(fz->g.d.device);
	fz->g.d.device = -1;
	fd = ioctl(fz->g.d.group, VFIO_GROUP_GET_DEVICE_FD, fz->w->uuid);
	if (!expect(fz, "VFIO_GROUP_GET_DEVICE_FD of the group's device",
		    fd < 0 ? -errno : 0, 0)) {
		detach(fz);
		return;
	}
	fz->g.d.device = fd;
	if (!released)
		return;
	/* closing the last fd released the device: interrupts and state */
	forget_triggers(fz);
	fz->up = false;
	if (!gvt_vfio_set_irq_eventfd(&fz->g.d, VFIO_PCI_MSI_IRQ_INDEX, fz->g.efd))
		fz->installed[VFIO_PCI_MSI_IRQ_INDEX] = fz->g.efd;
	after_release(fz);
}

static void second_device_fd(struct fuzzer *fz)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint32_t id = 0;
	int fd;

	step(fz, "a second device fd");
	fd = ioctl(fz->g.d.group, VFIO_GROUP_GET_DEVICE_FD, fz->w->uuid);
	if (!expect(fz, "a second VFIO_GROUP_GET_DEVICE_FD",
		    fd < 0 ? -errno : 0, 0))
		return;
	expect(fz, "GET_INFO through a second device fd",
	       xioctl(fd, VFIO_DEVICE_GET_INFO, &info), 0);
	if (pread(fd, &id, 4, (off_t)((uint64_t)VFIO_PCI_BAR0_REGION_INDEX <<
				      REGION_SHIFT | GVT_REG_ID)) != 4 ||
	    id != GVT_ID_MAGIC)
		finding(fz, "a second device fd reads a wrong ID register",
			"0x%08x", id);
	close(fd);
}

static void bogus_device_name(struct fuzzer *fz)
{
	char name[300], *p = name;
	long ret, want = -ENODEV;

	switch (fz_below(&fz->r, 6)) {
	case 0:
		name[0] = '\0';
		break;
	case 1:
		/* a device of another group (with one fuzzer alone, none) */
		snprintf(name, sizeof(name), "%s",
			 strcmp(fz->sh->bystander_uuid, fz->w->uuid) ?
			 fz->sh->bystander_uuid : "");
		break;
	case 2:
		snprintf(name, sizeof(name), "%s", fz->w->uuid);
		name[35] = name[35] == '0' ? '1' : '0';
		break;
	case 3:
		memset(name, 'a', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		break;
	case 4:
		snprintf(name, sizeof(name), "%s/../%s", fz->w->uuid, fz->w->uuid);
		break;
	default:
		p = NULL;
		want = -EFAULT;
	}
	step(fz, "VFIO_GROUP_GET_DEVICE_FD(\"%.40s\")", p ? p : "(null)");
	ret = ioctl(fz->g.d.group, VFIO_GROUP_GET_DEVICE_FD, p);
	if (ret >= 0) {
		close((int)ret);
		ret = 0;
	} else {
		ret = -errno;
	}
	expect(fz, p ? "a device name not in the group" : "a NULL device name",
	       ret, want);
}

static void op_reopen(struct fuzzer *fz)
{
	unsigned int v = (unsigned int)fz_below(&fz->r, 10);

	begin(fz, OP_REOPEN, "%s", v < 4 ? "close and open" :
	      v < 7 ? "the device fd again" : v < 9 ? "a second device fd" :
	      "a wrong device name");
	if (v < 4)
		reopen_full(fz);
	else if (v < 7)
		reopen_device_fd(fz);
	else if (v < 9)
		second_device_fd(fz);
	else
		bogus_device_name(fz);
}

/* ---- the fuzzing process ------------------------------------------------- */

static enum op pick_op(struct fz_rng *r)
{
	static unsigned int total;
	unsigned int i, x;

	if (!total)
		for (i = 0; i < OP_NUM; i++)
			total += op_weights[i];
	x = (unsigned int)fz_below(r, total);
	for (i = 0; i < OP_NUM; i++) {
		if (x < op_weights[i])
			return (enum op)i;
		x -= op_weights[i];
	}
	return OP_GET_INFO;
}

static void run_op(struct fuzzer *fz, enum op op)
{
	switch (op) {
	case OP_GET_INFO:
		op_get_info(fz);
		break;
	case OP_GET_REGION_INFO:
		op_get_region_info(fz);
		break;
	case OP_GET_IRQ_INFO:
		op_get_irq_info(fz);
		break;
	case OP_SET_IRQS:
		op_set_irqs(fz);
		break;
	case OP_RESET:
		op_reset(fz);
		break;
	case OP_QUERY_GFX_PLANE:
		op_query_gfx_plane(fz);
		break;
	case OP_OTHER_IOCTL:
		op_other_ioctl(fz);
		break;
	case OP_BAD_POINTER:
		op_bad_pointer(fz);
		break;
	case OP_REGION_READ:
		op_region_rw(fz, false);
		break;
	case OP_REGION_WRITE:
		op_region_rw(fz, true);
		break;
	case OP_MMIO_WRITE:
		op_mmio_write(fz);
		break;
	case OP_DOORBELL:
		op_doorbell(fz);
		break;
	case OP_MMAP:
		op_mmap(fz);
		break;
	case OP_MPROTECT:
		op_mprotect(fz);
		break;
	case OP_MUNMAP:
		op_munmap(fz);
		break;
	case OP_DMA_REMAP:
		op_dma_remap(fz);
		break;
	case OP_REOPEN:
		op_reopen(fz);
		break;
	case OP_SANITY:
		op_sanity(fz);
		break;
	case OP_PLANE_RACE:
		op_plane_race(fz);
		break;
	case OP_NUM:
		break;
	}
}

/* two pages: the first with @prot, the second unmapped */
static uint8_t *page_pair(int prot)
{
	uint8_t *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + PAGE, PAGE, PROT_NONE) || mprotect(p, PAGE, prot)) {
		munmap(p, 2 * PAGE);
		return NULL;
	}
	return p;
}

static int fuzzer_setup(struct fuzzer *fz)
{
	struct worker *w = fz->w;
	unsigned int i;
	int ret;

	fz->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (i = 0; i < 3; i++)
		fz->efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	/* a descriptor number that is surely not open */
	for (fz->closed_fd = 900; fcntl(fz->closed_fd, F_GETFD) >= 0;
	     fz->closed_fd++)
		;
	fz->io = mmap(NULL, IO_BUF_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fz->arg = page_pair(PROT_READ | PROT_WRITE);
	fz->ro = page_pair(PROT_READ);
	if (fz->devnull < 0 || fz->efd[0] < 0 || fz->efd[1] < 0 ||
	    fz->efd[2] < 0 || fz->io == MAP_FAILED || !fz->arg || !fz->ro) {
		snprintf(w->fatal, sizeof(w->fatal), "set-up: %s",
			 strerror(errno));
		return -1;
	}
	ret = fz_gpu_open(&fz->g, w->uuid);
	if (ret) {
		snprintf(w->fatal, sizeof(w->fatal), "%s", fz->g.err);
		return -1;
	}
	fz->open = fz->dma_mapped = fz->up = true;
	forget_triggers(fz);
	fz->installed[VFIO_PCI_MSI_IRQ_INDEX] = fz->g.efd;
	fz->ap_size = gvt_vfio_region_size(&fz->g.d, VFIO_PCI_BAR2_REGION_INDEX);
	for (i = 0; i < NKONST; i++) {
		if (gvt_vfio_mmio_read32(&fz->g.d, konst_regs[i], &fz->konst[i])) {
			snprintf(w->fatal, sizeof(w->fatal), "%s",
				 gvt_vfio_error(&fz->g.d));
			return -1;
		}
	}
	i = (unsigned int)konst_index(GVT_PV_APERTURE_SIZE);
	if (!fz->ap_size || fz->ap_size != fz->konst[i]) {
		snprintf(w->fatal, sizeof(w->fatal),
			 "BAR2 of 0x%llx bytes, PV-info says 0x%x",
			 (unsigned long long)fz->ap_size, fz->konst[i]);
		return -1;
	}
	return 0;
}

static void fuzzer_main(struct shared *sh, struct worker *w)
{
	static struct fuzzer fz;
	unsigned int fails = 0;

	fz.sh = sh;
	fz.w = w;
	fz_rng_init(&fz.r, sh->seed, w - sh->w);
	if (fuzzer_setup(&fz))
		return;
	while (!sh->stop) {
		if (!fz.open) {
			/* a failed reopen: try again, a few times at most */
			begin(&fz, OP_REOPEN, "open after a failed one");
			drop_all_mappings(&fz);
			if (!expect(&fz, "an open of a released vGPU", attach(&fz), 0)) {
				if (++fails == 5) {
					snprintf(w->fatal, sizeof(w->fatal),
						 "the vGPU cannot be opened again: %s",
						 gvt_vfio_error(&fz.g.d));
					return;
				}
				fz_sleep_ms(200);
				continue;
			}
			fails = 0;
		}
		run_op(&fz, pick_op(&fz.r));
	}
	drop_all_mappings(&fz);
	fz_gpu_close(&fz.g);
	w->cur[0] = '\0';
}

/* ---- the bystanders ---------------------------------------------------------- */

static void bystander_main(struct shared *sh, struct worker *w)
{
	struct fz_rng r;
	struct fz_gpu g;
	int ret;

	fz_rng_init(&r, sh->seed, w - sh->w);
	ret = fz_gpu_open(&g, w->uuid);
	if (ret) {
		snprintf(w->fatal, sizeof(w->fatal), "%s", g.err);
		return;
	}
	while (!sh->stop) {
		snprintf(w->cur, sizeof(w->cur), "exact workload %llu",
			 (unsigned long long)w->rounds + 1);
		ret = fz_gpu_exact_round(&g, &r, ROUND_MS);
		w->rounds++;
		if (!ret)
			continue;
		if (!w->bad_rounds++)
			snprintf(w->first_bad, sizeof(w->first_bad),
				 "workload %llu: %s", (unsigned long long)w->rounds,
				 g.err);
		/* state unknown after a lost or wrong request: start over */
		if (fz_gpu_reset(&g)) {
			snprintf(w->fatal, sizeof(w->fatal),
				 "reset after a failed workload: %s", g.err);
			break;
		}
	}
	fz_gpu_close(&g);
	w->cur[0] = '\0';
}

/* ---- the parent ------------------------------------------------------------- */

static void child_main(struct shared *sh, struct worker *w)
{
	int null = open("/dev/null", O_RDWR);

	/* stuck in the kernel, a child must hold no pipe of the caller's */
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (w->role == ROLE_FUZZER)
		fuzzer_main(sh, w);
	else
		bystander_main(sh, w);
	w->done = true;
	_exit(0);
}

static uint64_t total_execs(const struct shared *sh, unsigned int n)
{
	uint64_t t = 0;
	unsigned int i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < OP_NUM; k++)
			t += sh->w[i].execs[k];
	return t;
}

static uint64_t total_rounds(const struct shared *sh, unsigned int n)
{
	uint64_t t = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		t += sh->w[i].rounds;
	return t;
}

/* the findings of all fuzzers, merged by class, printed; their count */
static unsigned int report_findings(struct fz_report *rep, struct shared *sh,
				    unsigned int n)
{
	unsigned int i, k, j, classes = 0;
	uint64_t dropped = 0;

	for (i = 0; i < n; i++) {
		struct worker *w = &sh->w[i];

		dropped += w->dropped;
		for (k = 0; k < w->nf; k++) {
			uint64_t count = 0;
			bool first = true;

			/* reported under the first process that saw it */
			for (j = 0; j < i && first; j++) {
				unsigned int m;

				for (m = 0; m < sh->w[j].nf; m++)
					if (!strcmp(sh->w[j].f[m].cls, w->f[k].cls))
						first = false;
			}
			if (!first)
				continue;
			for (j = i; j < n; j++) {
				unsigned int m;

				for (m = 0; m < sh->w[j].nf; m++)
					if (!strcmp(sh->w[j].f[m].cls, w->f[k].cls))
						count += sh->w[j].f[m].count;
			}
			fz_check(rep, false, "%s (%llu times)", w->f[k].cls,
				 (unsigned long long)count);
			fz_note("first, fuzzer %u: %s", w->num, w->f[k].example);
			classes++;
		}
	}
	if (dropped)
		fz_check(rep, false, "%llu more unexpected results of kinds past the first %u per fuzzer",
			 (unsigned long long)dropped, MAX_CLASSES);
	return classes;
}

static void usage(void)
{
	size_t i;

	fprintf(stderr,
		"usage: fuzz-vfio [--seconds N] [--seed N] [--fuzzers N] [--bystanders N]\n"
		"                 [--avoid NAME]...\n"
		"  --seconds N     how long to fuzz (default 60)\n"
		"  --seed N        replay the run of seed N (printed at the start)\n"
		"  --fuzzers N     fuzzing processes, one vGPU each (1..%d, default 3)\n"
		"  --bystanders N  processes running exact workloads (0..%d, default 2)\n"
		"  --avoid NAME    leave out the trigger of a known bug:\n",
		MAX_FUZZERS, MAX_BYSTANDERS);
	for (i = 0; i < sizeof(avoidables) / sizeof(avoidables[0]); i++)
		fprintf(stderr, "                  %-16s %s\n", avoidables[i].name,
			avoidables[i].what);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "fuzzers", required_argument, NULL, 'f' },
		{ "bystanders", required_argument, NULL, 'b' },
		{ "avoid", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const unsigned int fuzz_divs[MAX_FUZZERS] = { 8, 4, 8, 8 };
	uint64_t seconds = 60, seed = 0, nfuzz = 3, nbys = 2, t0, next_progress;
	struct fz_report rep = { 0 };
	bool have_seed = false, all_done;
	unsigned int avoid = 0, n, i, stuck = 0;
	int kmsg, mdevs0, opt;
	long avail0;
	struct shared *sh;
	size_t k;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (fz_parse_u64(optarg, 1, 86400, &seconds))
				usage();
			break;
		case 'S':
			if (fz_parse_u64(optarg, 0, UINT64_MAX, &seed))
				usage();
			have_seed = true;
			break;
		case 'f':
			if (fz_parse_u64(optarg, 1, MAX_FUZZERS, &nfuzz))
				usage();
			break;
		case 'b':
			if (fz_parse_u64(optarg, 0, MAX_BYSTANDERS, &nbys))
				usage();
			break;
		case 'a':
			for (k = 0; k < sizeof(avoidables) / sizeof(avoidables[0]); k++)
				if (!strcmp(optarg, avoidables[k].name))
					break;
			if (k == sizeof(avoidables) / sizeof(avoidables[0]))
				usage();
			avoid |= avoidables[k].bit;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!have_seed)
		seed = fz_random_seed();
	n = (unsigned int)(nfuzz + nbys);

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("fuzz-vfio: seed %llu (replay: --seed %llu), %llu s, %llu fuzzing processes, %llu bystanders\n",
	       (unsigned long long)seed, (unsigned long long)seed,
	       (unsigned long long)seconds, (unsigned long long)nfuzz,
	       (unsigned long long)nbys);
	for (k = 0; k < sizeof(avoidables) / sizeof(avoidables[0]); k++)
		if (avoid & avoidables[k].bit)
			printf("fuzz-vfio: left out (--avoid %s): %s\n",
			       avoidables[k].name, avoidables[k].what);

	if (!fz_check(&rep, gvt_sysfs_exists(GVT_MDEV_TYPES_DIR),
		      "the gvt parent is there (%s)", GVT_MDEV_TYPES_DIR))
		return fz_report_end(&rep);
	kmsg = fz_kmsg_open();
	if (kmsg < 0)
		fz_note("cannot read /dev/kmsg (%s): the kernel log is checked by the VM run only",
			strerror(-kmsg));
	mdevs0 = fz_count_mdevs();
	avail0 = gvt_mdev_available(8);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		fz_check(&rep, false, "shared memory: %s", strerror(errno));
		return fz_report_end(&rep);
	}
	memset(sh, 0, sizeof(*sh));
	sh->seed = seed;
	sh->avoid = avoid;
	for (i = 0; i < n; i++) {
		struct worker *w = &sh->w[i];
		int ret;

		w->role = i < nfuzz ? ROLE_FUZZER : ROLE_BYSTANDER;
		w->num = i < nfuzz ? i + 1 : i + 1 - (unsigned int)nfuzz;
		w->div = i < nfuzz ? fuzz_divs[i] : 8;
		ret = gvt_uuid_generate(w->uuid, sizeof(w->uuid));
		ret = ret ?: gvt_mdev_create(w->div, w->uuid);
		if (ret) {
			fz_check(&rep, false, "create a V1_%u vGPU for %s %u: %s",
				 w->div, w->role == ROLE_FUZZER ? "fuzzer" : "bystander",
				 w->num, strerror(-ret));
			break;
		}
		w->created = true;
	}
	if (i == n)
		fz_check(&rep, true, "created %llu vGPUs to fuzz and %llu for bystanders",
			 (unsigned long long)nfuzz, (unsigned long long)nbys);
	/* a device name from another group, for VFIO_GROUP_GET_DEVICE_FD */
	snprintf(sh->bystander_uuid, sizeof(sh->bystander_uuid), "%s",
		 sh->w[n - 1].uuid);

	t0 = fz_now_ms();
	next_progress = t0 + PROGRESS_MS;
	fflush(NULL);
	for (i = 0; i < n && sh->w[i].created; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fz_check(&rep, false, "fork: %s", strerror(errno));
			break;
		}
		if (!pid)
			child_main(sh, &sh->w[i]);
		sh->w[i].pid = pid;
	}

	/* the run, then the processes' end, both bounded */
	for (;;) {
		uint64_t now = fz_now_ms();

		all_done = true;
		for (i = 0; i < n; i++) {
			struct worker *w = &sh->w[i];
			int st;

			if (w->pid > 0 && waitpid(w->pid, &st, WNOHANG) == w->pid) {
				w->pid = 0;
				w->exited = true;
				w->status = st;
			}
			if (w->pid > 0)
				all_done = false;
		}
		if (!sh->stop && now >= t0 + seconds * 1000) {
			sh->stop = true;
			printf("fuzz-vfio: %llu s done, waiting for the processes to end\n",
			       (unsigned long long)seconds);
		}
		if (all_done || now >= t0 + seconds * 1000 + GRACE_MS)
			break;
		if (now >= next_progress && !sh->stop) {
			printf("fuzz-vfio: %llu s: %llu operations, %llu exact workloads\n",
			       (unsigned long long)(now - t0) / 1000,
			       (unsigned long long)total_execs(sh, (unsigned int)nfuzz),
			       (unsigned long long)total_rounds(sh, n));
			next_progress += PROGRESS_MS;
		}
		fz_sleep_ms(100);
	}

	/* ---- results ---- */
	{
		uint64_t ms = fz_now_ms() - t0, total = total_execs(sh, (unsigned int)nfuzz);
		uint64_t bad = 0;

		if (ms > seconds * 1000)
			ms = seconds * 1000;
		printf("\nfuzz-vfio: operations of %llu fuzzing processes in %.1f s (seed %llu)\n",
		       (unsigned long long)nfuzz, (double)ms / 1000,
		       (unsigned long long)seed);
		printf("    %-18s %12s %12s\n", "operation", "executed", "unexpected");
		for (k = 0; k < OP_NUM; k++) {
			uint64_t e = 0, u = 0;

			for (i = 0; i < nfuzz; i++) {
				e += sh->w[i].execs[k];
				u += sh->w[i].unexpected[k];
			}
			bad += u;
			printf("    %-18s %12llu %12llu\n", op_names[k],
			       (unsigned long long)e, (unsigned long long)u);
		}
		printf("    %-18s %12llu %12llu   (%.0f per second)\n\n", "total",
		       (unsigned long long)total, (unsigned long long)bad,
		       ms ? (double)total * 1000 / (double)ms : 0.0);
	}

	for (i = 0; i < n; i++) {
		struct worker *w = &sh->w[i];
		const char *role = w->role == ROLE_FUZZER ? "fuzzer" : "bystander";

		if (!w->created)
			continue;
		if (w->pid > 0) {
			stuck++;
			fz_check(&rep, false, "%s %u (V1_%u %s) did not end: stuck in the kernel in: %s",
				 role, w->num, w->div, w->uuid, w->cur);
			continue;
		}
		if (!w->exited || !WIFEXITED(w->status) || !w->done) {
			fz_check(&rep, false, "%s %u (V1_%u %s) died (%s %d) in: %s",
				 role, w->num, w->div, w->uuid,
				 WIFSIGNALED(w->status) ? "signal" : "exit status",
				 WIFSIGNALED(w->status) ? WTERMSIG(w->status) :
				 WEXITSTATUS(w->status), w->cur);
			continue;
		}
		if (w->fatal[0]) {
			fz_check(&rep, false, "%s %u (V1_%u %s) gave up: %s", role,
				 w->num, w->div, w->uuid, w->fatal);
			continue;
		}
		if (w->role == ROLE_FUZZER) {
			uint64_t e = 0;

			for (k = 0; k < OP_NUM; k++)
				e += w->execs[k];
			fz_check(&rep, e > 0, "fuzzer %u (V1_%u %s): %llu operations, ran to the end",
				 w->num, w->div, w->uuid, (unsigned long long)e);
		} else {
			fz_check(&rep, w->rounds > 0 && !w->bad_rounds,
				 "bystander %u (V1_%u %s): %llu exact workloads, %llu wrong or lost",
				 w->num, w->div, w->uuid, (unsigned long long)w->rounds,
				 (unsigned long long)w->bad_rounds);
			if (w->bad_rounds)
				fz_note("first: %s", w->first_bad);
		}
	}
	if (!report_findings(&rep, sh, (unsigned int)nfuzz))
		fz_check(&rep, true, "every result as the VFIO API and the device require (%llu operations)",
			 (unsigned long long)total_execs(sh, (unsigned int)nfuzz));

	/* remove what was created; a vGPU still open cannot go */
	{
		unsigned int left = 0;
		long avail;
		int mdevs;

		for (i = 0; i < n; i++) {
			struct worker *w = &sh->w[i];
			int ret;

			if (!w->created)
				continue;
			if (w->pid > 0) {
				left++;
				continue;
			}
			ret = fz_remove_bounded(w->uuid, 10000);
			if (ret) {
				fz_note("remove %s: %s", w->uuid, strerror(-ret));
				left++;
			}
		}
		mdevs = fz_count_mdevs();
		avail = gvt_mdev_available(8);
		fz_check(&rep, !left && mdevs == mdevs0 && avail == avail0,
			 "every vGPU removed: %d mdevs (%d at the start), %ld V1_8 available (%ld at the start)",
			 mdevs, mdevs0, avail, avail0);
	}

	if (kmsg >= 0) {
		unsigned int p = fz_kmsg_problems(kmsg, 30);

		fz_check(&rep, !p, "the kernel log shows no WARN, BUG, oops, lockup or hung task (%u problem lines)",
			 p);
	}
	if (stuck)
		fz_note("%u process(es) stuck in the kernel are left behind", stuck);
	printf("fuzz-vfio: seed %llu\n", (unsigned long long)seed);
	return fz_report_end(&rep);
}
