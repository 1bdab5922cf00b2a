// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gvt-guest: exercises the gvt-bpf vGPU from inside a guest, through the
 * guest DRM driver (kmod/guest, uapi include/gvt/gvt_drm.h). Built static,
 * so that it runs in a busybox initramfs.
 *
 *   gvt-guest [-d NODE] info
 *   gvt-guest [-d NODE] fill [-e ENGINE] [-W W -H H] [-x X -y Y -w RW -h RH]
 *                            [-c 0xRRGGBB]
 *   gvt-guest [-d NODE] copy [-e ENGINE] [-W W -H H] [-w RW -h RH]
 *   gvt-guest [-d NODE] load -s SECONDS [-e ENGINE] [-n WORK_NS] [-q DEPTH]
 *   gvt-guest [-d NODE] sync [-n WORK_NS]
 *   gvt-guest [-d NODE] reject
 *   gvt-guest [-d NODE] draw [-t HOLD_SECONDS] [-r READY_FILE]
 *   gvt-guest [-d NODE] raw [-e ENGINE] [-x ok|error] [-F N] DWORD...
 *   gvt-guest pattern -W W -H H [-o FILE.ppm]
 *
 * fill and copy check every byte of the buffers they use (what the
 * command wrote and what it must have left alone). load keeps an engine
 * busy with WORK commands, DEPTH submissions in flight, for SECONDS or
 * until SIGINT/SIGTERM, and reports workloads/s, fence latency
 * (submission to the wait's return) p50/p99 and the GPU time the engine
 * reports. sync fills a buffer on the render
 * engine behind a long WORK and copies it on the copy engine at once: the
 * driver must order the copy after the fill. reject feeds the driver bad
 * submissions that must be refused. draw renders a test pattern into a
 * dumb buffer with FILL_RECT/COPY_RECT, page flips to it through KMS,
 * checks the buffer against the pattern and holds it on the display;
 * pattern writes that same pattern as a binary PPM (no device needed), to
 * compare with a screendump. raw sends dwords unchecked through the
 * driver's debug ioctl and reports the fence's outcome and resets (-F N:
 * with N good WORK submissions right behind on the same engine, so that
 * the engine goes on past a refused workload before the reset).
 *
 * NODE defaults to the first /dev/dri node of the "gvt" driver: a render
 * node for info, fill, copy, load and reject, the primary node for draw
 * and raw. Exit status: 0 success, 1 failure, 2 usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <drm/drm.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_mode.h>

#include "gvt/gvt_cmd.h"
#include "gvt/gvt_drm.h"
#include "gvt/gvt_regs.h"

#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define WAIT_NS		(30ull * 1000000000ull)	/* a fence that takes longer failed */
#define SENTINEL	0xa5u

static const char *prog = "gvt-guest";
static const char *node_arg;

static void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- argument parsing ------------------------------------------------------ */

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* parse_u32 OPTION VALUE MIN MAX: a number within bounds, or a usage error */
static bool parse_u32(const char *opt, const char *s, uint32_t min,
		      uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!parse_u64(s, min, max, &v)) {
		err("%s wants a number in %u..%u, not '%s'", opt, min, max,
		    s ? s : "");
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static bool parse_engine(const char *s, uint32_t *e)
{
	if (!strcmp(s, "render") || !strcmp(s, "0")) {
		*e = DRM_GVT_ENGINE_RENDER;
		return true;
	}
	if (!strcmp(s, "copy") || !strcmp(s, "1")) {
		*e = DRM_GVT_ENGINE_COPY;
		return true;
	}
	err("engine must be render or copy, not '%s'", s);
	return false;
}

static const char *engine_name(uint32_t e)
{
	return e == DRM_GVT_ENGINE_RENDER ? "render" : "copy";
}

/* ---- the device ------------------------------------------------------------- */

static bool is_gvt(int fd)
{
	char name[32] = "";
	struct drm_version v = { .name_len = sizeof(name) - 1, .name = name };

	return !ioctl(fd, DRM_IOCTL_VERSION, &v) &&
	       !strcmp(name, DRM_GVT_DRIVER_NAME);
}

/* opens NODE, or the first gvt node of the kind (renderD or card) */
static int gpu_open(bool primary)
{
	const char *prefix = primary ? "card" : "renderD";
	struct dirent *de;
	char path[300];
	DIR *d;
	int fd;

	if (node_arg) {
		fd = open(node_arg, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			err("cannot open %s: %s", node_arg, strerror(errno));
			return -1;
		}
		if (!is_gvt(fd)) {
			err("%s is not a node of the %s DRM driver", node_arg,
			    DRM_GVT_DRIVER_NAME);
			close(fd);
			return -1;
		}
		return fd;
	}
	d = opendir("/dev/dri");
	if (!d) {
		err("no /dev/dri: is the gvt_drm driver loaded? (%s)",
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_gvt(fd)) {
			closedir(d);
			return fd;
		}
		close(fd);
	}
	closedir(d);
	err("no /dev/dri/%s* node of the %s driver", prefix,
	    DRM_GVT_DRIVER_NAME);
	return -1;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do {
		r = ioctl(fd, req, arg);
	} while (r < 0 && (errno == EINTR || errno == EAGAIN));
	return r < 0 ? -errno : 0;
}

static int get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_gvt_getparam p = { .param = param };
	int r = xioctl(fd, DRM_IOCTL_GVT_GETPARAM, &p);

	if (!r)
		*value = p.value;
	return r;
}

static uint64_t param_or_die(int fd, uint32_t param, const char *name)
{
	uint64_t v = 0;
	int r = get_param(fd, param, &v);

	if (r) {
		err("GETPARAM %s: %s", name, strerror(-r));
		exit(EXIT_FAIL);
	}
	return v;
}

#define PARAM(fd, p) param_or_die(fd, DRM_GVT_PARAM_##p, #p)

struct bo {
	uint32_t handle;
	uint64_t size;
	uint8_t *map;
};

static int bo_new(int fd, uint64_t size, struct bo *bo)
{
	struct drm_gvt_gem_create c = { .size = size };
	struct drm_gvt_gem_mmap m = { 0 };
	int r;

	memset(bo, 0, sizeof(*bo));
	r = xioctl(fd, DRM_IOCTL_GVT_GEM_CREATE, &c);
	if (r) {
		err("GEM_CREATE of %" PRIu64 " bytes: %s", size, strerror(-r));
		return r;
	}
	bo->handle = c.handle;
	bo->size = size;
	m.handle = c.handle;
	r = xioctl(fd, DRM_IOCTL_GVT_GEM_MMAP, &m);
	if (r) {
		err("GEM_MMAP: %s", strerror(-r));
		return r;
	}
	bo->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)m.offset);
	if (bo->map == MAP_FAILED) {
		r = -errno;
		bo->map = NULL;
		err("mmap of a buffer: %s", strerror(-r));
		return r;
	}
	return 0;
}

static void bo_free(int fd, struct bo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	if (bo->map)
		munmap(bo->map, bo->size);
	if (bo->handle)
		ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	memset(bo, 0, sizeof(*bo));
}

/* a command stream being built, with its buffers and relocations */
struct stream {
	uint32_t cmds[DRM_GVT_SUBMIT_MAX_DWORDS];
	uint32_t n;
	uint32_t handles[DRM_GVT_SUBMIT_MAX_BOS];
	uint32_t nr_handles;
	struct drm_gvt_reloc relocs[DRM_GVT_SUBMIT_MAX_DWORDS / 2];
	uint32_t nr_relocs;
	bool overflow;
};

static void st_reset(struct stream *s)
{
	s->n = 0;
	s->nr_handles = 0;
	s->nr_relocs = 0;
	s->overflow = false;
}

static void st_emit(struct stream *s, uint32_t dw)
{
	if (s->n >= DRM_GVT_SUBMIT_MAX_DWORDS) {
		s->overflow = true;
		return;
	}
	s->cmds[s->n++] = dw;
}

static uint32_t st_bo(struct stream *s, uint32_t handle)
{
	uint32_t i;

	for (i = 0; i < s->nr_handles; i++)
		if (s->handles[i] == handle)
			return i;
	if (s->nr_handles >= DRM_GVT_SUBMIT_MAX_BOS) {
		s->overflow = true;
		return 0;
	}
	s->handles[s->nr_handles] = handle;
	return s->nr_handles++;
}

/* an address operand: byte @offset of buffer @handle */
static void st_addr(struct stream *s, uint32_t handle, uint32_t offset)
{
	if (s->nr_relocs >= sizeof(s->relocs) / sizeof(s->relocs[0])) {
		s->overflow = true;
		return;
	}
	s->relocs[s->nr_relocs++] = (struct drm_gvt_reloc){
		.dword = s->n, .bo = st_bo(s, handle), .offset = offset,
	};
	st_emit(s, 0);
}

static void st_fill(struct stream *s, uint32_t handle, uint32_t off,
		    uint32_t stride, uint32_t w, uint32_t h, uint32_t color)
{
	st_emit(s, GVT_CMD_FILL_RECT);
	st_addr(s, handle, off);
	st_emit(s, stride);
	st_emit(s, GVT_RECT_SIZE(w, h));
	st_emit(s, color);
}

static void st_copy(struct stream *s, uint32_t src, uint32_t src_off,
		    uint32_t src_stride, uint32_t dst, uint32_t dst_off,
		    uint32_t dst_stride, uint32_t w, uint32_t h)
{
	st_emit(s, GVT_CMD_COPY_RECT);
	st_addr(s, src, src_off);
	st_emit(s, src_stride);
	st_addr(s, dst, dst_off);
	st_emit(s, dst_stride);
	st_emit(s, GVT_RECT_SIZE(w, h));
}

/* submits @s on @engine: the fence handle in *@fence, or -errno */
static int st_submit(int fd, struct stream *s, uint32_t engine,
		     uint32_t *fence)
{
	struct drm_gvt_submit a = {
		.cmds = (uintptr_t)s->cmds,
		.handles = (uintptr_t)s->handles,
		.relocs = (uintptr_t)s->relocs,
		.cmd_dwords = s->n,
		.bo_count = s->nr_handles,
		.reloc_count = s->nr_relocs,
		.engine = engine,
	};
	int r;

	if (s->overflow)
		return -E2BIG;
	r = xioctl(fd, DRM_IOCTL_GVT_SUBMIT, &a);
	if (!r)
		*fence = a.fence;
	return r;
}

/* waits for @fence: 0 and its outcome in *@error, or -errno */
static int fence_wait(int fd, uint32_t fence, uint64_t timeout_ns, int *error)
{
	struct drm_gvt_wait w = { .fence = fence, .timeout_ns = timeout_ns };
	int r = xioctl(fd, DRM_IOCTL_GVT_WAIT, &w);

	if (!r)
		*error = w.error;
	return r;
}

/* submit and wait; 0 when the work completed */
static int run_stream(int fd, struct stream *s, uint32_t engine,
		      const char *what)
{
	uint32_t fence;
	int r, error = 0;

	r = st_submit(fd, s, engine, &fence);
	if (r) {
		err("%s: submission refused: %s", what, strerror(-r));
		return r;
	}
	r = fence_wait(fd, fence, WAIT_NS, &error);
	if (r) {
		err("%s: wait: %s", what, r == -ETIME ?
		    "the fence did not signal within 30 s" : strerror(-r));
		return r;
	}
	if (error) {
		err("%s: the GPU did not complete the work: fence error %d (%s)",
		    what, error, strerror(-error));
		return error;
	}
	return 0;
}

/* ---- info ------------------------------------------------------------------- */

static int cmd_info(int argc, char **argv)
{
	char name[32] = "", date[32] = "", desc[128] = "";
	struct drm_version v = {
		.name_len = sizeof(name) - 1, .name = name,
		.date_len = sizeof(date) - 1, .date = date,
		.desc_len = sizeof(desc) - 1, .desc = desc,
	};
	uint64_t apb, aps, hb, hs, dv;
	int fd;

	if (argc != 1) {
		err("info takes no arguments ('%s')", argv[1]);
		return EXIT_USAGE;
	}
	fd = gpu_open(false);
	if (fd < 0)
		return EXIT_FAIL;
	if (xioctl(fd, DRM_IOCTL_VERSION, &v)) {
		err("DRM_IOCTL_VERSION: %s", strerror(errno));
		return EXIT_FAIL;
	}
	apb = PARAM(fd, APERTURE_BASE);
	aps = PARAM(fd, APERTURE_SIZE);
	hb = PARAM(fd, HIDDEN_BASE);
	hs = PARAM(fd, HIDDEN_SIZE);
	dv = PARAM(fd, DEV_VERSION);
	printf("driver: %s %d.%d (%s)\n", name, v.version_major,
	       v.version_minor, desc);
	printf("device version: %" PRIu64 ".%" PRIu64 "\n", dv >> 16,
	       dv & 0xffff);
	printf("pv-info version: %" PRIu64 "\n", PARAM(fd, PV_VERSION));
	printf("vgpu id: %" PRIu64 "\n", PARAM(fd, VGPU_ID));
	printf("type: V1_%" PRIu64 "\n", PARAM(fd, TYPE_DIV));
	printf("weight: %" PRIu64 "\n", PARAM(fd, WEIGHT));
	printf("aperture: 0x%08" PRIx64 "-0x%08" PRIx64 " (%" PRIu64 " MiB)\n",
	       apb, apb + aps - 1, aps >> 20);
	printf("hidden: 0x%08" PRIx64 "-0x%08" PRIx64 " (%" PRIu64 " MiB)\n",
	       hb, hb + hs - 1, hs >> 20);
	printf("engines: %" PRIu64 "\n", PARAM(fd, NUM_ENGINES));
	printf("interrupts: %s, %" PRIu64 " handled\n",
	       PARAM(fd, IRQ_MODE) == DRM_GVT_IRQ_MODE_MSI ? "MSI" : "INTx",
	       PARAM(fd, INTERRUPTS));
	printf("resets: %" PRIu64 "\n", PARAM(fd, RESETS));
	printf("flips: %" PRIu64 " by interrupt, %" PRIu64 " late\n",
	       PARAM(fd, FLIPS), PARAM(fd, FLIPS_LATE));
	printf("graphics memory bound: %" PRIu64 " KiB\n",
	       PARAM(fd, GTT_USED) >> 10);
	printf("busy: render %" PRIu64 " ns, copy %" PRIu64 " ns\n",
	       PARAM(fd, BUSY_NS_RENDER), PARAM(fd, BUSY_NS_COPY));
	close(fd);
	return EXIT_OK;
}

/* ---- fill and copy ------------------------------------------------------------ */

struct rect_args {
	uint32_t engine, sw, sh, x, y, w, h, color;
};

static bool rect_fits(const struct rect_args *a)
{
	if ((uint64_t)a->x + a->w > a->sw || (uint64_t)a->y + a->h > a->sh) {
		err("the rectangle %ux%u at (%u,%u) does not fit the %ux%u surface",
		    a->w, a->h, a->x, a->y, a->sw, a->sh);
		return false;
	}
	return true;
}

/* the numeric options of fill and copy: letter, bounds, field */
static const struct rect_opt {
	char opt;
	uint32_t min, max;
	size_t off;
} rect_opts[] = {
	{ 'W', 1, GVT_RECT_MAX_DIM, offsetof(struct rect_args, sw) },
	{ 'H', 1, GVT_RECT_MAX_DIM, offsetof(struct rect_args, sh) },
	{ 'x', 0, GVT_RECT_MAX_DIM - 1, offsetof(struct rect_args, x) },
	{ 'y', 0, GVT_RECT_MAX_DIM - 1, offsetof(struct rect_args, y) },
	{ 'w', 1, GVT_RECT_MAX_DIM, offsetof(struct rect_args, w) },
	{ 'h', 1, GVT_RECT_MAX_DIM, offsetof(struct rect_args, h) },
	{ 'c', 0, 0xffffff, offsetof(struct rect_args, color) },
};

static int parse_rect_opts(int argc, char **argv, struct rect_args *a,
			   bool with_color)
{
	const size_t n = sizeof(rect_opts) / sizeof(rect_opts[0]);
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, with_color ? "e:W:H:x:y:w:h:c:" :
			   "e:W:H:x:y:w:h:")) != -1) {
		char name[3] = { '-', (char)c, 0 };
		size_t i;

		if (c == 'e') {
			if (!parse_engine(optarg, &a->engine))
				return EXIT_USAGE;
			continue;
		}
		for (i = 0; i < n && rect_opts[i].opt != c; i++)
			;
		if (i == n || !parse_u32(name, optarg, rect_opts[i].min,
					 rect_opts[i].max,
					 (uint32_t *)((char *)a + rect_opts[i].off)))
			return EXIT_USAGE;
	}
	if (optind != argc) {
		err("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if ((uint64_t)a->sw * 4 * a->sh > DRM_GVT_BO_MAX_SIZE ||
	    a->sw * 4 > GVT_RECT_MAX_STRIDE) {
		err("a %ux%u surface is too large", a->sw, a->sh);
		return EXIT_USAGE;
	}
	return rect_fits(a) ? EXIT_OK : EXIT_USAGE;
}

/* counts bytes of @map that differ from @want(i); reports the first */
static uint64_t check_bytes(const uint8_t *map, uint64_t size,
			    uint8_t (*want)(uint64_t i, const void *ctx),
			    const void *ctx, const char *what)
{
	uint64_t i, bad = 0;

	for (i = 0; i < size; i++) {
		uint8_t w = want(i, ctx);

		if (map[i] == w)
			continue;
		if (!bad)
			err("%s: byte %" PRIu64 " is 0x%02x, want 0x%02x",
			    what, i, map[i], w);
		bad++;
	}
	return bad;
}

struct fill_ctx {
	const struct rect_args *a;
	uint32_t stride;
};

static uint8_t fill_want(uint64_t i, const void *p)
{
	const struct fill_ctx *c = p;
	uint64_t y = i / c->stride, x = (i % c->stride) / 4;

	if (x >= c->a->x && x < c->a->x + c->a->w && y >= c->a->y &&
	    y < c->a->y + c->a->h)
		return (uint8_t)(c->a->color >> (8 * (i % 4)));
	return SENTINEL;
}

static int cmd_fill(int argc, char **argv)
{
	struct rect_args a = {
		.engine = DRM_GVT_ENGINE_RENDER, .sw = 256, .sh = 256,
		.x = 16, .y = 8, .w = 200, .h = 100, .color = 0x3366cc,
	};
	static struct stream s;
	struct fill_ctx ctx;
	uint64_t t0, bad;
	struct bo bo;
	int fd, r;

	r = parse_rect_opts(argc, argv, &a, true);
	if (r)
		return r;
	fd = gpu_open(false);
	if (fd < 0)
		return EXIT_FAIL;
	ctx.a = &a;
	ctx.stride = a.sw * 4;
	if (bo_new(fd, (uint64_t)ctx.stride * a.sh, &bo))
		return EXIT_FAIL;
	memset(bo.map, SENTINEL, bo.size);

	st_reset(&s);
	st_fill(&s, bo.handle, a.y * ctx.stride + a.x * 4, ctx.stride, a.w,
		a.h, a.color);
	t0 = now_ns();
	if (run_stream(fd, &s, a.engine, "fill"))
		return EXIT_FAIL;
	bad = check_bytes(bo.map, bo.size, fill_want, &ctx, "fill");
	if (bad) {
		err("fill: %" PRIu64 " of %" PRIu64 " bytes wrong", bad, bo.size);
		return EXIT_FAIL;
	}
	printf("fill: %ux%u at (%u,%u) in a %ux%u surface on %s: all %" PRIu64
	       " bytes as expected (%.1f ms)\n", a.w, a.h, a.x, a.y, a.sw, a.sh,
	       engine_name(a.engine), bo.size, (now_ns() - t0) / 1e6);
	bo_free(fd, &bo);
	close(fd);
	return EXIT_OK;
}

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

struct copy_ctx {
	const struct rect_args *a;
	const uint8_t *src;
	uint32_t src_stride, dst_stride, sx, sy;
};

static uint8_t copy_want(uint64_t i, const void *p)
{
	const struct copy_ctx *c = p;
	uint64_t y = i / c->dst_stride, xb = i % c->dst_stride, x = xb / 4;

	if (x >= c->a->x && x < c->a->x + c->a->w && y >= c->a->y &&
	    y < c->a->y + c->a->h)
		return c->src[(y - c->a->y + c->sy) * c->src_stride +
			      (x - c->a->x + c->sx) * 4 + xb % 4];
	return SENTINEL;
}

static int cmd_copy(int argc, char **argv)
{
	struct rect_args a = {
		.engine = DRM_GVT_ENGINE_COPY, .sw = 256, .sh = 256,
		.x = 40, .y = 20, .w = 180, .h = 150,
	};
	static struct stream s;
	struct copy_ctx ctx;
	struct bo src, dst;
	uint32_t seed = 0x1234567u;
	uint64_t i, t0, bad;
	int fd, r;

	r = parse_rect_opts(argc, argv, &a, false);
	if (r)
		return r;
	fd = gpu_open(false);
	if (fd < 0)
		return EXIT_FAIL;
	/* the source: another layout (wider rows), the rectangle elsewhere */
	ctx.a = &a;
	ctx.dst_stride = a.sw * 4;
	ctx.src_stride = a.w * 4 + 64;
	ctx.sx = 3;
	ctx.sy = 5;
	if (bo_new(fd, (uint64_t)ctx.src_stride * (a.h + ctx.sy), &src) ||
	    bo_new(fd, (uint64_t)ctx.dst_stride * a.sh, &dst))
		return EXIT_FAIL;
	for (i = 0; i + 4 <= src.size; i += 4) {
		uint32_t v = xorshift32(&seed);

		memcpy(src.map + i, &v, 4);
	}
	memset(dst.map, SENTINEL, dst.size);
	ctx.src = src.map;

	st_reset(&s);
	st_copy(&s, src.handle, ctx.sy * ctx.src_stride + ctx.sx * 4,
		ctx.src_stride, dst.handle, a.y * ctx.dst_stride + a.x * 4,
		ctx.dst_stride, a.w, a.h);
	t0 = now_ns();
	if (run_stream(fd, &s, a.engine, "copy"))
		return EXIT_FAIL;
	bad = check_bytes(dst.map, dst.size, copy_want, &ctx, "copy");
	if (bad) {
		err("copy: %" PRIu64 " of %" PRIu64 " bytes wrong", bad, dst.size);
		return EXIT_FAIL;
	}
	printf("copy: %ux%u from a %u-byte-stride source to (%u,%u) of a %ux%u surface on %s: all %" PRIu64
	       " bytes as expected (%.1f ms)\n", a.w, a.h, ctx.src_stride, a.x,
	       a.y, a.sw, a.sh, engine_name(a.engine), dst.size,
	       (now_ns() - t0) / 1e6);
	bo_free(fd, &src);
	bo_free(fd, &dst);
	close(fd);
	return EXIT_OK;
}

/* ---- sync: work on two engines ordered by the buffers they share ----------- */

static int cmd_sync(int argc, char **argv)
{
	const uint32_t w = 256, h = 64, stride = w * 4, color = 0x00c0ffee;
	static struct stream s;
	uint32_t f_fill, f_copy, work_ns = 50000000, i;
	struct bo a, b;
	uint64_t t0;
	int fd, r, error;

	if (argc == 3 && !strcmp(argv[1], "-n")) {
		if (!parse_u32("-n", argv[2], 1, GVT_WORK_MAX_NS, &work_ns))
			return EXIT_USAGE;
	} else if (argc != 1) {
		err("sync takes only -n WORK_NS");
		return EXIT_USAGE;
	}
	fd = gpu_open(false);
	if (fd < 0)
		return EXIT_FAIL;
	if (bo_new(fd, (uint64_t)stride * h, &a) ||
	    bo_new(fd, (uint64_t)stride * h, &b))
		return EXIT_FAIL;
	memset(a.map, SENTINEL, a.size);
	memset(b.map, SENTINEL, b.size);

	/* render: a long WORK, then fill A */
	st_reset(&s);
	st_emit(&s, GVT_CMD_WORK);
	st_emit(&s, work_ns);
	st_fill(&s, a.handle, 0, stride, w, h, color);
	t0 = now_ns();
	r = st_submit(fd, &s, DRM_GVT_ENGINE_RENDER, &f_fill);
	if (r) {
		err("sync: the fill was refused: %s", strerror(-r));
		return EXIT_FAIL;
	}
	/* copy: A to B at once; the driver must hold it until the fill is done */
	st_reset(&s);
	st_copy(&s, a.handle, 0, stride, b.handle, 0, stride, w, h);
	r = st_submit(fd, &s, DRM_GVT_ENGINE_COPY, &f_copy);
	if (r) {
		err("sync: the copy was refused: %s", strerror(-r));
		return EXIT_FAIL;
	}
	r = fence_wait(fd, f_copy, WAIT_NS, &error);
	if (r || error) {
		err("sync: the copy's fence: %s", r ? strerror(-r) : strerror(-error));
		return EXIT_FAIL;
	}
	for (i = 0; i < w * h; i++)
		if (((uint32_t *)b.map)[i] != color) {
			err("sync: pixel %u of B is 0x%08x, want 0x%08x: the copy ran before the fill",
			    i, ((uint32_t *)b.map)[i], color);
			return EXIT_FAIL;
		}
	r = fence_wait(fd, f_fill, 0, &error);
	if (r || error) {
		err("sync: the fill's fence is not signalled after the copy's: %s",
		    r ? strerror(-r) : strerror(-error));
		return EXIT_FAIL;
	}
	printf("sync: a fill after %u ns of WORK on render, then a copy of it on copy: the copy saw the fill (%.1f ms)\n",
	       work_ns, (now_ns() - t0) / 1e6);
	bo_free(fd, &a);
	bo_free(fd, &b);
	close(fd);
	return EXIT_OK;
}

/* ---- load -------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t percentile(const uint64_t *sorted, size_t n, unsigned int p)
{
	size_t i = (n * p + 99) / 100;

	return sorted[i ? i - 1 : 0];
}

#define LOAD_MAX_DEPTH	16
#define LOAD_MAX_SAMPLES 10000000

/* SIGINT/SIGTERM: load ends early (with its report), draw stops holding */
static volatile sig_atomic_t stop_hold;

static void on_signal(int sig)
{
	(void)sig;
	stop_hold = 1;
}

static int cmd_load(int argc, char **argv)
{
	uint32_t engine = DRM_GVT_ENGINE_RENDER, secs = 0, work_ns = 1000000;
	uint32_t depth = 2, fences[LOAD_MAX_DEPTH], head = 0, inflight = 0;
	uint64_t sub_t[LOAD_MAX_DEPTH], *lat = NULL, n = 0, cap = 0;
	uint64_t t0, t_end, busy0, busy1, elapsed;
	uint32_t param_busy, counter = 0;
	static struct stream s;
	struct bo bo;
	int fd, c, r, error;

	optind = 1;
	while ((c = getopt(argc, argv, "s:e:n:q:")) != -1) {
		switch (c) {
		case 's':
			if (!parse_u32("-s", optarg, 1, 86400, &secs))
				return EXIT_USAGE;
			break;
		case 'e':
			if (!parse_engine(optarg, &engine))
				return EXIT_USAGE;
			break;
		case 'n':
			if (!parse_u32("-n", optarg, 1, GVT_WORK_MAX_NS, &work_ns))
				return EXIT_USAGE;
			break;
		case 'q':
			if (!parse_u32("-q", optarg, 1, LOAD_MAX_DEPTH, &depth))
				return EXIT_USAGE;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc || !secs) {
		err("load needs -s SECONDS and no other arguments");
		return EXIT_USAGE;
	}
	fd = gpu_open(false);
	if (fd < 0)
		return EXIT_FAIL;
	if (bo_new(fd, 4096, &bo))
		return EXIT_FAIL;
	param_busy = engine == DRM_GVT_ENGINE_RENDER ?
		     DRM_GVT_PARAM_BUSY_NS_RENDER : DRM_GVT_PARAM_BUSY_NS_COPY;
	busy0 = param_or_die(fd, param_busy, "BUSY_NS");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	t0 = now_ns();
	t_end = t0 + (uint64_t)secs * 1000000000ull;
	for (;;) {
		bool more = !stop_hold && now_ns() < t_end;

		if (more && inflight < depth) {
			/* WORK, then the request's number into the buffer */
			st_reset(&s);
			st_emit(&s, GVT_CMD_WORK);
			st_emit(&s, work_ns);
			st_emit(&s, GVT_CMD_STORE_DWORD);
			st_addr(&s, bo.handle, 0);
			st_emit(&s, ++counter);
			sub_t[(head + inflight) % LOAD_MAX_DEPTH] = now_ns();
			r = st_submit(fd, &s, engine,
				      &fences[(head + inflight) % LOAD_MAX_DEPTH]);
			if (r) {
				err("load: submission %u refused: %s", counter,
				    strerror(-r));
				return EXIT_FAIL;
			}
			inflight++;
			continue;
		}
		if (!inflight)
			break;
		r = fence_wait(fd, fences[head], WAIT_NS, &error);
		if (r || error) {
			err("load: workload %" PRIu64 ": %s", n + 1,
			    r ? strerror(-r) : strerror(-error));
			return EXIT_FAIL;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > LOAD_MAX_SAMPLES) {
				err("load: too many samples");
				return EXIT_FAIL;
			}
			lat = realloc(lat, cap * sizeof(*lat));
			if (!lat) {
				err("load: out of memory");
				return EXIT_FAIL;
			}
		}
		lat[n++] = now_ns() - sub_t[head];
		head = (head + 1) % LOAD_MAX_DEPTH;
		inflight--;
	}
	elapsed = now_ns() - t0;
	busy1 = param_or_die(fd, param_busy, "BUSY_NS");
	if (!n) {
		err("load: nothing completed");
		return EXIT_FAIL;
	}
	if (*(uint32_t *)bo.map != counter) {
		err("load: the last workload stored %u, want %u",
		    *(uint32_t *)bo.map, counter);
		return EXIT_FAIL;
	}
	qsort(lat, n, sizeof(*lat), cmp_u64);
	printf("load: %s engine, WORK %u ns, %u in flight, %.1f s: %" PRIu64
	       " workloads, %.1f workloads/s\n", engine_name(engine), work_ns,
	       depth, elapsed / 1e9, n, n / (elapsed / 1e9));
	printf("load: fence latency p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
	       percentile(lat, n, 50) / 1e6, percentile(lat, n, 99) / 1e6,
	       lat[n - 1] / 1e6);
	printf("load: GPU busy %.1f%% of the time (%.1f ms of GPU time)\n",
	       busy1 >= busy0 ? 100.0 * (busy1 - busy0) / elapsed : 0.0,
	       busy1 >= busy0 ? (busy1 - busy0) / 1e6 : 0.0);
	free(lat);
	bo_free(fd, &bo);
	close(fd);
	return EXIT_OK;
}

/* ---- reject: the driver refuses what breaks the rules ----------------------- */

struct reject_case {
	const char *name;
	int want;		/* -errno the submit must fail with */
};

static int cmd_reject(int argc, char **argv)
{
	static struct stream s;
	struct drm_gvt_submit a;
	uint64_t resets0;
	uint32_t fence, k, pass = 0, total = 0, bogus = 0xdead;
	struct bo bo, bo2;
	int fd, r;

	if (argc != 1) {
		err("reject takes no arguments ('%s')", argv[1]);
		return EXIT_USAGE;
	}
	fd = gpu_open(false);
	if (fd < 0)
		return EXIT_FAIL;
	if (bo_new(fd, 4096, &bo) || bo_new(fd, 4096, &bo2))
		return EXIT_FAIL;
	resets0 = PARAM(fd, RESETS);

#define TRY(label, want_err, build, tweak)				\
	do {								\
		st_reset(&s);						\
		build;							\
		a = (struct drm_gvt_submit){				\
			.cmds = (uintptr_t)s.cmds,			\
			.handles = (uintptr_t)s.handles,		\
			.relocs = (uintptr_t)s.relocs,			\
			.cmd_dwords = s.n, .bo_count = s.nr_handles,	\
			.reloc_count = s.nr_relocs,			\
		};							\
		tweak;							\
		r = xioctl(fd, DRM_IOCTL_GVT_SUBMIT, &a);		\
		total++;						\
		if (r == (want_err)) {					\
			pass++;						\
		} else {						\
			err("reject: %s: got %s, want %s", label,	\
			    r ? strerror(-r) : "accepted",		\
			    strerror(-(want_err)));			\
			if (!r)						\
				fence_wait(fd, a.fence, WAIT_NS, &r);	\
		}							\
	} while (0)

	TRY("unknown opcode", -EINVAL, st_emit(&s, GVT_CMD_HDR(0x7fu, 1u)), );
	TRY("USER_INTERRUPT", -EINVAL, st_emit(&s, GVT_CMD_USER_INTERRUPT), );
	TRY("BATCH_END", -EINVAL, st_emit(&s, GVT_CMD_BATCH_END), );
	TRY("BATCH_START", -EINVAL,
	    (st_emit(&s, GVT_CMD_BATCH_START), st_addr(&s, bo.handle, 0)), );
	TRY("LRI of RING_SEQNO", -EINVAL,
	    (st_emit(&s, GVT_CMD_LRI(1)),
	     st_emit(&s, GVT_ENGINE_REG(0, GVT_RING_SEQNO)), st_emit(&s, 1)), );
	TRY("LRI of PLANE_SURF", -EINVAL,
	    (st_emit(&s, GVT_CMD_LRI(1)), st_emit(&s, GVT_REG_PLANE_SURF),
	     st_emit(&s, 0)), );
	TRY("LRI of IER", -EINVAL,
	    (st_emit(&s, GVT_CMD_LRI(1)), st_emit(&s, GVT_REG_IER),
	     st_emit(&s, 0)), );
	TRY("LRI with an odd dword count", -EINVAL,
	    (st_emit(&s, GVT_CMD_HDR(GVT_OP_LRI, 4u)),
	     st_emit(&s, GVT_REG_SCRATCH), st_emit(&s, 1), st_emit(&s, 0)), );
	TRY("reserved header bits", -EINVAL,
	    (st_emit(&s, GVT_CMD_WORK | 0x100u), st_emit(&s, 1000)), );
	TRY("wrong length", -EINVAL,
	    (st_emit(&s, GVT_CMD_HDR(GVT_OP_WORK, 3u)), st_emit(&s, 1000),
	     st_emit(&s, 0)), );
	TRY("command past the end", -EINVAL, st_emit(&s, GVT_CMD_WORK), );
	TRY("WORK of 0 ns", -EINVAL,
	    (st_emit(&s, GVT_CMD_WORK), st_emit(&s, 0)), );
	TRY("WORK over the limit", -EINVAL,
	    (st_emit(&s, GVT_CMD_WORK), st_emit(&s, GVT_WORK_MAX_NS + 1)), );
	TRY("STORE_DWORD with a raw address", -EINVAL,
	    (st_emit(&s, GVT_CMD_STORE_DWORD), st_emit(&s, 0x1000),
	     st_emit(&s, 1)), );
	TRY("relocation of a non-address dword", -EINVAL,
	    (st_emit(&s, GVT_CMD_STORE_DWORD), st_emit(&s, 0),
	     st_addr(&s, bo.handle, 0)), );
	TRY("relocations of an operand and a value", -EINVAL,
	    (st_emit(&s, GVT_CMD_STORE_DWORD), st_addr(&s, bo.handle, 0),
	     st_addr(&s, bo.handle, 0)), );
	TRY("relocation past the buffer", -EINVAL,
	    (st_emit(&s, GVT_CMD_STORE_DWORD), st_addr(&s, bo.handle, 4096),
	     st_emit(&s, 1)), );
	TRY("misaligned relocation", -EINVAL,
	    (st_emit(&s, GVT_CMD_STORE_DWORD), st_addr(&s, bo.handle, 2),
	     st_emit(&s, 1)), );
	TRY("an operand relocated twice", -EINVAL,
	    (st_emit(&s, GVT_CMD_STORE_DWORD), st_addr(&s, bo.handle, 0),
	     st_emit(&s, 1)),
	    (s.relocs[1] = s.relocs[0], a.reloc_count = 2));
	TRY("relocation of a buffer not listed", -EINVAL,
	    (st_emit(&s, GVT_CMD_STORE_DWORD), st_addr(&s, bo.handle, 0),
	     st_emit(&s, 1)), s.relocs[0].bo = 1);
	TRY("relocation pad set", -EINVAL,
	    (st_emit(&s, GVT_CMD_STORE_DWORD), st_addr(&s, bo.handle, 0),
	     st_emit(&s, 1)), s.relocs[0].pad = 1);
	TRY("FILL_RECT rows past the buffer", -EINVAL,
	    st_fill(&s, bo.handle, 0, 256, 64, 17, 0), );
	TRY("FILL_RECT of width 0", -EINVAL,
	    st_fill(&s, bo.handle, 0, 256, 0, 1, 0), );
	TRY("FILL_RECT stride below the width", -EINVAL,
	    st_fill(&s, bo.handle, 0, 252, 64, 1, 0), );
	TRY("FILL_RECT stride not a multiple of 4", -EINVAL,
	    st_fill(&s, bo.handle, 0, 258, 64, 1, 0), );
	TRY("COPY_RECT destination past its buffer", -EINVAL,
	    st_copy(&s, bo.handle, 0, 256, bo2.handle, 256, 256, 64, 16), );
	TRY("unknown buffer handle", -ENOENT,
	    (st_emit(&s, GVT_CMD_STORE_DWORD), st_addr(&s, bo.handle, 0),
	     st_emit(&s, 1)), a.handles = (uintptr_t)&bogus);
	TRY("a buffer listed twice", -EINVAL,
	    (st_emit(&s, GVT_CMD_STORE_DWORD), st_addr(&s, bo.handle, 0),
	     st_emit(&s, 1)),
	    (s.handles[1] = s.handles[0], a.bo_count = 2));
	TRY("engine 2", -EINVAL,
	    (st_emit(&s, GVT_CMD_WORK), st_emit(&s, 1000)), a.engine = 2);
	TRY("flags set", -EINVAL,
	    (st_emit(&s, GVT_CMD_WORK), st_emit(&s, 1000)), a.flags = 1);
	TRY("no commands", -EINVAL, , );
	TRY("too many commands", -EINVAL,
	    (st_emit(&s, GVT_CMD_WORK), st_emit(&s, 1000)),
	    a.cmd_dwords = DRM_GVT_SUBMIT_MAX_DWORDS + 1);
	TRY("a bad command pointer", -EFAULT,
	    (st_emit(&s, GVT_CMD_WORK), st_emit(&s, 1000)), a.cmds = 8);
	TRY("too many buffers", -EINVAL,
	    (st_emit(&s, GVT_CMD_WORK), st_emit(&s, 1000)),
	    a.bo_count = DRM_GVT_SUBMIT_MAX_BOS + 1);
#undef TRY

	/* none of it reached the device: no reset, and good work still runs */
	st_reset(&s);
	for (k = 0; k < 1024; k++) {
		st_emit(&s, GVT_CMD_STORE_DWORD);
		st_addr(&s, bo.handle, k * 4);
		st_emit(&s, k ^ 0x5a5a0000u);
	}
	total++;
	if (!run_stream(fd, &s, DRM_GVT_ENGINE_RENDER, "reject: a good stream after")) {
		for (k = 0; k < 1024; k++)
			if (((uint32_t *)bo.map)[k] != (k ^ 0x5a5a0000u))
				break;
		if (k == 1024)
			pass++;
		else
			err("reject: the good stream's store %u is wrong", k);
	}
	total++;
	if (PARAM(fd, RESETS) == resets0)
		pass++;
	else
		err("reject: the vGPU was reset: something bad reached it");
	(void)fence;
	printf("reject: %u of %u checks passed (bad submissions refused, the device untouched)\n",
	       pass, total);
	bo_free(fd, &bo);
	bo_free(fd, &bo2);
	close(fd);
	return pass == total ? EXIT_OK : EXIT_FAIL;
}

/* ---- the test pattern --------------------------------------------------------- */

/*
 * The pattern as a list of rectangle operations, in order: drawn by the
 * GPU (draw) and computed on the CPU (draw's check, pattern's PPM) from
 * the same list.
 */
struct pat_op {
	bool copy;
	uint32_t x, y, w, h, color;	/* fill; or copy from (sx, sy) */
	uint32_t sx, sy;
};

#define PAT_MAX_OPS	1200

static uint32_t pat_ops(uint32_t w, uint32_t h, struct pat_op *ops)
{
	static const uint32_t bars[8] = {
		0xffffff, 0xffff00, 0x00ffff, 0x00ff00,
		0xff00ff, 0xff0000, 0x0000ff, 0x101010,
	};
	uint32_t n = 0, i, cx, cy, sq = 32, top = h / 2;

	ops[n++] = (struct pat_op){ .x = 0, .y = 0, .w = w, .h = h,
				    .color = 0x202020 };
	for (i = 0; i < 8; i++) {
		uint32_t x0 = i * w / 8, x1 = (i + 1) * w / 8;

		if (x1 > x0 && top)
			ops[n++] = (struct pat_op){ .x = x0, .y = 0,
						    .w = x1 - x0, .h = top,
						    .color = bars[i] };
	}
	/* a checkerboard below: every square its own color */
	for (cy = 0; top + cy * sq < h && n < PAT_MAX_OPS - 8; cy++)
		for (cx = 0; cx * sq < w && n < PAT_MAX_OPS - 8; cx++) {
			uint32_t x = cx * sq, y = top + cy * sq;

			if ((cx + cy) % 2)
				continue;
			ops[n++] = (struct pat_op){
				.x = x, .y = y,
				.w = x + sq <= w ? sq : w - x,
				.h = y + sq <= h ? sq : h - y,
				.color = ((cx * 37u) & 0xff) << 16 |
					 ((cy * 59u + 40) & 0xff) << 8 |
					 (((cx + cy) * 23u + 80) & 0xff),
			};
		}
	/* a frame, and the top-left corner copied to the bottom right */
	if (w >= 2 && h >= 2) {
		ops[n++] = (struct pat_op){ .x = 0, .y = 0, .w = w, .h = 1,
					    .color = 0xfefefe };
		ops[n++] = (struct pat_op){ .x = 0, .y = h - 1, .w = w, .h = 1,
					    .color = 0xfefefe };
		ops[n++] = (struct pat_op){ .x = 0, .y = 0, .w = 1, .h = h,
					    .color = 0xfefefe };
		ops[n++] = (struct pat_op){ .x = w - 1, .y = 0, .w = 1, .h = h,
					    .color = 0xfefefe };
	}
	if (w >= 160 && h >= 160)
		ops[n++] = (struct pat_op){ .copy = true, .sx = 0, .sy = 0,
					    .x = w - 72, .y = h - 72,
					    .w = 64, .h = 64 };
	return n;
}

/* the pattern into @pix (@stride bytes a row), as the GPU draws it */
static void pat_render(uint32_t w, uint32_t h, uint8_t *pix, uint32_t stride)
{
	static struct pat_op ops[PAT_MAX_OPS];
	uint32_t n = pat_ops(w, h, ops), i, x, y;

	for (i = 0; i < n; i++) {
		const struct pat_op *o = &ops[i];

		for (y = 0; y < o->h; y++) {
			uint32_t *d = (uint32_t *)(pix + (uint64_t)(o->y + y) * stride) + o->x;

			if (o->copy) {
				memmove(d, (uint32_t *)(pix + (uint64_t)(o->sy + y) * stride) + o->sx,
					o->w * 4);
				continue;
			}
			for (x = 0; x < o->w; x++)
				d[x] = o->color;
		}
	}
}

/* binary PPM of XRGB8888 pixels, as QEMU's screendump writes them */
static int write_ppm(const char *path, uint32_t w, uint32_t h,
		     const uint8_t *pix, uint32_t stride)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	uint32_t x, y;

	if (!f) {
		err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "P6\n%u %u\n255\n", w, h);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			uint32_t v = ((const uint32_t *)(pix + (uint64_t)y * stride))[x];
			uint8_t rgb[3] = { v >> 16, v >> 8, v };

			fwrite(rgb, 1, 3, f);
		}
	if (f != stdout ? fclose(f) : fflush(f)) {
		err("writing %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int cmd_pattern(int argc, char **argv)
{
	uint32_t w = 0, h = 0;
	const char *out = "-";
	uint8_t *pix;
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "W:H:o:")) != -1) {
		switch (c) {
		case 'W':
			if (!parse_u32("-W", optarg, 1, GVT_PLANE_MAX_DIM, &w))
				return EXIT_USAGE;
			break;
		case 'H':
			if (!parse_u32("-H", optarg, 1, GVT_PLANE_MAX_DIM, &h))
				return EXIT_USAGE;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc || !w || !h) {
		err("pattern needs -W WIDTH -H HEIGHT");
		return EXIT_USAGE;
	}
	pix = calloc((size_t)w * h, 4);
	if (!pix) {
		err("out of memory");
		return EXIT_FAIL;
	}
	pat_render(w, h, pix, w * 4);
	c = write_ppm(out, w, h, pix, w * 4) ? EXIT_FAIL : EXIT_OK;
	free(pix);
	return c;
}

/* ---- draw: the pattern on the display through KMS ----------------------------- */

struct kms_fb {
	uint32_t handle, pitch, fb_id;
	uint64_t size;
	uint8_t *map;
};

static int kms_fb_new(int fd, uint32_t w, uint32_t h, struct kms_fb *fb)
{
	struct drm_mode_create_dumb cd = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_map_dumb md = { 0 };
	struct drm_mode_fb_cmd2 f = { 0 };
	int r;

	r = xioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd);
	if (r) {
		err("CREATE_DUMB %ux%u: %s", w, h, strerror(-r));
		return r;
	}
	fb->handle = cd.handle;
	fb->pitch = cd.pitch;
	fb->size = cd.size;
	md.handle = cd.handle;
	r = xioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md);
	if (r) {
		err("MAP_DUMB: %s", strerror(-r));
		return r;
	}
	fb->map = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)md.offset);
	if (fb->map == MAP_FAILED) {
		fb->map = NULL;
		err("mmap of a dumb buffer: %s", strerror(errno));
		return -errno;
	}
	f.width = w;
	f.height = h;
	f.pixel_format = DRM_FORMAT_XRGB8888;
	f.handles[0] = fb->handle;
	f.pitches[0] = fb->pitch;
	r = xioctl(fd, DRM_IOCTL_MODE_ADDFB2, &f);
	if (r) {
		err("ADDFB2: %s", strerror(-r));
		return r;
	}
	fb->fb_id = f.fb_id;
	return 0;
}

/* the connector, its preferred mode and the CRTC */
static int kms_pick(int fd, uint32_t *conn_id, uint32_t *crtc_id,
		    struct drm_mode_modeinfo *mode)
{
	struct drm_mode_card_res res = { 0 };
	struct drm_mode_get_connector conn = { 0 };
	uint32_t crtcs[4], conns[4], encs[4], i;
	struct drm_mode_modeinfo modes[64];
	int r;

	r = xioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res);
	if (r || !res.count_crtcs || !res.count_connectors ||
	    res.count_crtcs > 4 || res.count_connectors > 4) {
		err("GETRESOURCES: %s (%u CRTCs, %u connectors)",
		    r ? strerror(-r) : "unexpected", res.count_crtcs,
		    res.count_connectors);
		return -EINVAL;
	}
	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.connector_id_ptr = (uintptr_t)conns;
	res.count_fbs = 0;
	res.count_encoders = 0;
	r = xioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res);
	if (r) {
		err("GETRESOURCES: %s", strerror(-r));
		return r;
	}
	conn.connector_id = conns[0];
	r = xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn);
	if (r || !conn.count_modes) {
		err("GETCONNECTOR: %s", r ? strerror(-r) : "no modes");
		return -EINVAL;
	}
	if (conn.count_modes > 64)
		conn.count_modes = 64;
	if (conn.count_encoders > 4)
		conn.count_encoders = 4;
	conn.modes_ptr = (uintptr_t)modes;
	conn.encoders_ptr = (uintptr_t)encs;
	conn.count_props = 0;
	r = xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn);
	if (r) {
		err("GETCONNECTOR: %s", strerror(-r));
		return r;
	}
	*mode = modes[0];
	for (i = 0; i < conn.count_modes && i < 64; i++)
		if (modes[i].type & DRM_MODE_TYPE_PREFERRED) {
			*mode = modes[i];
			break;
		}
	*conn_id = conns[0];
	*crtc_id = crtcs[0];
	return 0;
}

/* waits for the flip event carrying @cookie, @timeout_ms at most */
static int kms_wait_flip(int fd, uint64_t cookie, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[1024];
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000;
	ssize_t len, off;

	for (;;) {
		int left = (int)((deadline - now_ns()) / 1000000);

		if ((int64_t)(deadline - now_ns()) <= 0)
			return -ETIME;
		if (poll(&p, 1, left > 0 ? left : 1) < 0 && errno != EINTR)
			return -errno;
		if (!(p.revents & POLLIN))
			continue;
		len = read(fd, buf, sizeof(buf));
		if (len < 0)
			return -errno;
		for (off = 0; off + (ssize_t)sizeof(struct drm_event) <= len;) {
			struct drm_event *e = (struct drm_event *)(buf + off);

			if (e->type == DRM_EVENT_FLIP_COMPLETE &&
			    ((struct drm_event_vblank *)e)->user_data == cookie)
				return 0;
			off += e->length;
		}
	}
}

static int cmd_draw(int argc, char **argv)
{
	static struct pat_op ops[PAT_MAX_OPS];
	static struct stream s;
	uint32_t hold = 0, conn_id, crtc_id, w, h, n, i, bad = 0;
	uint64_t flips0, late0, flips1, late1, t0;
	struct drm_mode_modeinfo mode;
	struct drm_mode_crtc_page_flip pf = { 0 };
	struct drm_mode_crtc crtc = { 0 };
	struct kms_fb fa = { 0 }, fb = { 0 };
	const char *ready = NULL;
	uint8_t *want;
	int fd, c, r;

	optind = 1;
	while ((c = getopt(argc, argv, "t:r:")) != -1) {
		switch (c) {
		case 't':
			if (!parse_u32("-t", optarg, 0, 86400, &hold))
				return EXIT_USAGE;
			break;
		case 'r':
			ready = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		err("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	fd = gpu_open(true);
	if (fd < 0)
		return EXIT_FAIL;
	if (kms_pick(fd, &conn_id, &crtc_id, &mode))
		return EXIT_FAIL;
	w = mode.hdisplay;
	h = mode.vdisplay;
	if (kms_fb_new(fd, w, h, &fa) || kms_fb_new(fd, w, h, &fb))
		return EXIT_FAIL;
	flips0 = PARAM(fd, FLIPS);
	late0 = PARAM(fd, FLIPS_LATE);

	/* show buffer A (dark grey, by the CPU) */
	for (i = 0; i < fa.size / 4; i++)
		((uint32_t *)fa.map)[i] = 0x404040;
	crtc.crtc_id = crtc_id;
	crtc.fb_id = fa.fb_id;
	crtc.set_connectors_ptr = (uintptr_t)&conn_id;
	crtc.count_connectors = 1;
	crtc.mode = mode;
	crtc.mode_valid = 1;
	r = xioctl(fd, DRM_IOCTL_MODE_SETCRTC, &crtc);
	if (r) {
		err("SETCRTC %ux%u: %s (is another program the DRM master?)",
		    w, h, strerror(-r));
		return EXIT_FAIL;
	}

	/* the pattern into B with the GPU */
	n = pat_ops(w, h, ops);
	st_reset(&s);
	for (i = 0; i < n; i++) {
		if (ops[i].copy)
			st_copy(&s, fb.handle, ops[i].sy * fb.pitch + ops[i].sx * 4,
				fb.pitch, fb.handle,
				ops[i].y * fb.pitch + ops[i].x * 4, fb.pitch,
				ops[i].w, ops[i].h);
		else
			st_fill(&s, fb.handle, ops[i].y * fb.pitch + ops[i].x * 4,
				fb.pitch, ops[i].w, ops[i].h, ops[i].color);
	}
	t0 = now_ns();
	if (run_stream(fd, &s, DRM_GVT_ENGINE_RENDER, "draw"))
		return EXIT_FAIL;
	printf("draw: %u rectangle commands (%u dwords) drawn in %.1f ms\n", n,
	       s.n, (now_ns() - t0) / 1e6);

	/* flip to B: an LRI of PLANE_SURF on the ring, done by its interrupt */
	pf.crtc_id = crtc_id;
	pf.fb_id = fb.fb_id;
	pf.flags = DRM_MODE_PAGE_FLIP_EVENT;
	pf.user_data = 0x67767466;
	t0 = now_ns();
	r = xioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, &pf);
	if (r) {
		err("PAGE_FLIP: %s", strerror(-r));
		return EXIT_FAIL;
	}
	r = kms_wait_flip(fd, pf.user_data, 20000);
	if (r) {
		err("no flip event within 20 s: %s", strerror(-r));
		return EXIT_FAIL;
	}
	flips1 = PARAM(fd, FLIPS);
	late1 = PARAM(fd, FLIPS_LATE);
	printf("draw: page flip done in %.1f ms; flips by interrupt %" PRIu64
	       " -> %" PRIu64 ", late %" PRIu64 " -> %" PRIu64 "\n",
	       (now_ns() - t0) / 1e6, flips0, flips1, late0, late1);
	if (flips1 <= flips0 || late1 != late0) {
		err("the flip was not completed by the flip interrupt");
		return EXIT_FAIL;
	}

	/* what B holds is the pattern, every pixel */
	want = calloc(fb.size, 1);
	if (!want) {
		err("out of memory");
		return EXIT_FAIL;
	}
	pat_render(w, h, want, fb.pitch);
	for (i = 0; i < h; i++)
		if (memcmp(fb.map + (uint64_t)i * fb.pitch,
			   want + (uint64_t)i * fb.pitch, (size_t)w * 4)) {
			if (!bad)
				err("draw: row %u differs from the pattern", i);
			bad++;
		}
	free(want);
	if (bad) {
		err("draw: %u of %u rows differ", bad, h);
		return EXIT_FAIL;
	}
	printf("draw: %ux%u pattern on the display (buffer checked, pitch %u)\n",
	       w, h, fb.pitch);
	fflush(stdout);

	if (ready) {
		FILE *f = fopen(ready, "w");

		if (!f || fprintf(f, "%u %u\n", w, h) < 0 || fclose(f)) {
			err("cannot write %s: %s", ready, strerror(errno));
			return EXIT_FAIL;
		}
	}
	if (hold) {
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		for (i = 0; i < hold * 10 && !stop_hold; i++)
			usleep(100000);
	}
	/* closing the node gives the display back to the console */
	close(fd);
	return EXIT_OK;
}

/* ---- raw: the debug path -------------------------------------------------------- */

static int cmd_raw(int argc, char **argv)
{
	static uint32_t cmds[DRM_GVT_SUBMIT_MAX_DWORDS];
	struct drm_gvt_raw_submit a = { 0 };
	uint64_t resets0, resets1, v;
	static uint32_t work[2] = { GVT_CMD_WORK, 1000 };
	struct drm_gvt_raw_submit fa = { 0 };
	uint32_t engine = DRM_GVT_ENGINE_RENDER, n = 0, i, follow = 0;
	uint32_t ffence[16], fok = 0, ferr = 0;
	const char *expect = NULL;
	int fd, c, r, error = 0, ferror;

	optind = 1;
	while ((c = getopt(argc, argv, "e:x:F:")) != -1) {
		switch (c) {
		case 'e':
			if (!parse_engine(optarg, &engine))
				return EXIT_USAGE;
			break;
		case 'F':
			if (!parse_u32("-F", optarg, 0, 16, &follow))
				return EXIT_USAGE;
			break;
		case 'x':
			if (strcmp(optarg, "ok") && strcmp(optarg, "error")) {
				err("-x wants ok or error, not '%s'", optarg);
				return EXIT_USAGE;
			}
			expect = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc || argc - optind > DRM_GVT_SUBMIT_MAX_DWORDS) {
		err("raw needs 1..%u dwords", DRM_GVT_SUBMIT_MAX_DWORDS);
		return EXIT_USAGE;
	}
	for (i = optind; i < (uint32_t)argc; i++) {
		if (!parse_u64(argv[i], 0, UINT32_MAX, &v)) {
			err("not a 32-bit number: '%s'", argv[i]);
			return EXIT_USAGE;
		}
		cmds[n++] = (uint32_t)v;
	}
	fd = gpu_open(true);
	if (fd < 0)
		return EXIT_FAIL;
	resets0 = PARAM(fd, RESETS);
	a.cmds = (uintptr_t)cmds;
	a.cmd_dwords = n;
	a.engine = engine;
	r = xioctl(fd, DRM_IOCTL_GVT_DEBUG_RAW_SUBMIT, &a);
	if (r) {
		err("raw submission refused: %s", strerror(-r));
		return EXIT_FAIL;
	}
	/* good work right behind it on the same engine, not waited for */
	for (i = 0; i < follow; i++) {
		fa = (struct drm_gvt_raw_submit){
			.cmds = (uintptr_t)work, .cmd_dwords = 2, .engine = engine,
		};
		r = xioctl(fd, DRM_IOCTL_GVT_DEBUG_RAW_SUBMIT, &fa);
		if (r) {
			err("raw: follower %u refused: %s", i, strerror(-r));
			return EXIT_FAIL;
		}
		ffence[i] = fa.fence;
	}
	for (i = 0; i < follow; i++) {
		r = fence_wait(fd, ffence[i], WAIT_NS, &ferror);
		if (r) {
			err("raw: follower %u: wait: %s", i, strerror(-r));
			return EXIT_FAIL;
		}
		if (ferror)
			ferr++;
		else
			fok++;
	}
	r = fence_wait(fd, a.fence, WAIT_NS, &error);
	if (r) {
		err("raw: wait: %s", r == -ETIME ?
		    "the fence did not signal within 30 s" : strerror(-r));
		return EXIT_FAIL;
	}
	/* a reset runs from a worker: give it a moment to be counted */
	for (i = 0; i < 50 && error; i++) {
		if (PARAM(fd, RESETS) != resets0)
			break;
		usleep(100000);
	}
	resets1 = PARAM(fd, RESETS);
	printf("raw: %u dwords on %s: %s; vGPU resets %" PRIu64 " -> %" PRIu64
	       "\n", n, engine_name(engine),
	       error ? strerror(-error) : "completed", resets0, resets1);
	if (follow)
		printf("raw: %u WORK submissions right behind it: %u completed, %u failed\n",
		       follow, fok, ferr);
	close(fd);
	if (expect && !strcmp(expect, "ok") && error)
		return EXIT_FAIL;
	if (expect && !strcmp(expect, "error") && !error)
		return EXIT_FAIL;
	return EXIT_OK;
}

/* ---- main ------------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: %s [-d NODE] info\n"
		"       %s [-d NODE] fill [-e render|copy] [-W W -H H] [-x X -y Y -w RW -h RH] [-c 0xRRGGBB]\n"
		"       %s [-d NODE] copy [-e render|copy] [-W W -H H] [-x X -y Y -w RW -h RH]\n"
		"       %s [-d NODE] load -s SECONDS [-e render|copy] [-n WORK_NS] [-q DEPTH]\n"
		"       %s [-d NODE] sync [-n WORK_NS]\n"
		"       %s [-d NODE] reject\n"
		"       %s [-d NODE] draw [-t HOLD_SECONDS] [-r READY_FILE]\n"
		"       %s [-d NODE] raw [-e render|copy] [-x ok|error] [-F N] DWORD...\n"
		"       %s pattern -W WIDTH -H HEIGHT [-o FILE.ppm]\n",
		prog, prog, prog, prog, prog, prog, prog, prog, prog);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "info", cmd_info }, { "fill", cmd_fill }, { "copy", cmd_copy },
		{ "load", cmd_load }, { "reject", cmd_reject },
		{ "sync", cmd_sync },
		{ "draw", cmd_draw }, { "raw", cmd_raw },
		{ "pattern", cmd_pattern },
	};
	unsigned int i;
	int a = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (a + 1 < argc && !strcmp(argv[a], "-d")) {
		node_arg = argv[a + 1];
		a += 2;
	}
	if (a >= argc || !strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
		usage();
		return a >= argc ? EXIT_USAGE : EXIT_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[a], cmds[i].name))
			return cmds[i].fn(argc - a, argv + a);
	err("unknown command '%s'", argv[a]);
	usage();
	return EXIT_USAGE;
}
