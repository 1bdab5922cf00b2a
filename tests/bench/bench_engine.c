// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench-engine: how much of an engine's time goes to the work asked for.
 *
 *   bench-engine [--vgpus N] [--work-us US] [--count K] [--mode M]
 *   bench-engine --share-ms MS [--vgpus N] [--work-us US] [--count K]
 *
 * N vGPUs (default 4, type V1_N rounded up to a power of two) all keep the
 * render engine busy at once, each from its own thread, with WORK
 * commands of US microseconds (default 1000), K each (default 100):
 *   stream  one request of K WORK commands per vGPU, waited for once
 *   single  K requests of one WORK each per vGPU, each waited for before
 *           the next is sent (a driver submitting frame by frame)
 * and it prints, for the whole run, one line of numbers:
 *   requested_ns busy_ns wall_ns workloads
 * requested: the sum of the WORK times; busy: the sum of the vGPUs' ring
 * busy counters (GPU time the engine charged them, scanning and
 * scheduling included); wall: from the first submission to the last
 * completion. busy / requested is the overhead per workload; requested /
 * wall is how much of the engine the work used.
 *
 * With --share-ms, the vGPUs get weights 1, 2, ... 8, 1, 2, ... (sysfs
 * gvt/weight), each queues K WORK commands without waiting, and after
 * every vGPU has its work queued and 200 ms have passed, the GPU time
 * each one gets over MS milliseconds is compared with its weight's share
 * (whatever scheduling policy is attached). It prints one line per vGPU,
 *   vgpu weight busy_ns share want
 * then "revocations R" (grants the dispatcher took back in the window: an
 * executor the host stalled past its grace, which disturbs the shares) and
 * "share_error E", the largest |share - want|. Every vGPU must still
 * have work at the end of the window (K * US must outlast it), or the
 * run fails. tools/bench runs both modes.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gvt/gvt_abi.h"
#include "gvt/gvt_cmd.h"
#include "gvt/gvt_regs.h"
#include "gvt_sysfs.h"
#include "../fuzz-vm/fz_gpu.h"

#define BENCH_MAX_VGPUS		GVT_MAX_VGPUS
/* a WORK command and the request's end must fit the ring */
#define BENCH_MAX_COUNT		1800u
#define BENCH_WAIT_MS		120000u
#define BENCH_SHARE_WARMUP_MS	200u
#define BENCH_MAX_WEIGHT	8u

struct bench_vgpu {
	struct fz_gpu g;
	char uuid[GVT_UUID_STR_LEN];
	pthread_t thread;
	uint64_t busy0, busy1;
	int ret;
};

static struct bench_vgpu vgpus[BENCH_MAX_VGPUS];
static unsigned int work_us = 1000, count = 100, share_ms;
static int single;
static pthread_barrier_t start;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int busy_ns(struct fz_gpu *g, uint64_t *ns)
{
	uint32_t hi, lo, hi2;
	int ret;

	do {
		ret = fz_gpu_rd(g, GVT_ENGINE_REG(GVT_ENGINE_RENDER,
						  GVT_RING_BUSY_NS_HI), &hi);
		ret = ret ?: fz_gpu_rd(g, GVT_ENGINE_REG(GVT_ENGINE_RENDER,
							 GVT_RING_BUSY_NS_LO),
				       &lo);
		ret = ret ?: fz_gpu_rd(g, GVT_ENGINE_REG(GVT_ENGINE_RENDER,
							 GVT_RING_BUSY_NS_HI),
				       &hi2);
		if (ret)
			return ret;
	} while (hi != hi2);
	*ns = (uint64_t)hi << 32 | lo;
	return 0;
}

static int submit(struct fz_gpu *g, unsigned int n)
{
	const uint32_t cmd[2] = { GVT_CMD_WORK, work_us * 1000u };
	uint32_t seqno;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++)
		fz_gpu_emit(g, GVT_ENGINE_RENDER, cmd, 2);
	ret = fz_gpu_submit(g, GVT_ENGINE_RENDER, &seqno);
	return ret ?: fz_gpu_wait(g, GVT_ENGINE_RENDER, seqno, BENCH_WAIT_MS);
}

static void *run(void *arg)
{
	struct bench_vgpu *v = arg;
	unsigned int i;

	v->ret = busy_ns(&v->g, &v->busy0);
	pthread_barrier_wait(&start);
	if (v->ret)
		return NULL;
	if (share_ms) {
		const uint32_t cmd[2] = { GVT_CMD_WORK, work_us * 1000u };
		uint32_t seqno;

		for (i = 0; i < count; i++)
			fz_gpu_emit(&v->g, GVT_ENGINE_RENDER, cmd, 2);
		v->ret = fz_gpu_submit(&v->g, GVT_ENGINE_RENDER, &seqno);
		return NULL;
	}
	if (single) {
		for (i = 0; i < count && !v->ret; i++)
			v->ret = submit(&v->g, 1);
	} else {
		v->ret = submit(&v->g, count);
	}
	v->ret = v->ret ?: busy_ns(&v->g, &v->busy1);
	return NULL;
}

/* the share mode: every vGPU busy, GPU time over the window by weight */
static int share(unsigned int n)
{
	uint64_t b0[BENCH_MAX_VGPUS], b1[BENCH_MAX_VGPUS], total = 0;
	unsigned int i, wsum = 0;
	long rev0 = 0, rev1 = 0;
	double worst = 0;
	int ret = 0;

	for (i = 0; i < n; i++) {
		pthread_join(vgpus[i].thread, NULL);
		if (vgpus[i].ret)
			return vgpus[i].ret;
		wsum += i % BENCH_MAX_WEIGHT + 1;
	}
	fz_sleep_ms(BENCH_SHARE_WARMUP_MS);
	ret = gvt_parent_attr_long(0, "sched_revocations", &rev0);
	for (i = 0; i < n && !ret; i++)
		ret = busy_ns(&vgpus[i].g, &b0[i]);
	fz_sleep_ms(share_ms);
	for (i = 0; i < n && !ret; i++)
		ret = busy_ns(&vgpus[i].g, &b1[i]);
	ret = ret ?: gvt_parent_attr_long(0, "sched_revocations", &rev1);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		total += b1[i] - b0[i];
	for (i = 0; i < n; i++) {
		uint32_t head, tail;
		double got = total ? (double)(b1[i] - b0[i]) / total : 0;
		double want = (double)(i % BENCH_MAX_WEIGHT + 1) / wsum;
		double err = got > want ? got - want : want - got;

		/* a vGPU that ran dry got less than it could have taken */
		ret = fz_gpu_rd(&vgpus[i].g, GVT_ENGINE_REG(GVT_ENGINE_RENDER,
							   GVT_RING_HEAD), &head);
		ret = ret ?: fz_gpu_rd(&vgpus[i].g,
				       GVT_ENGINE_REG(GVT_ENGINE_RENDER,
						      GVT_RING_TAIL), &tail);
		if (ret)
			return ret;
		if (head == tail) {
			fprintf(stderr, "bench-engine: vGPU %u ran out of work within the window: raise --count\n",
				i);
			return -ENODATA;
		}
		if (err > worst)
			worst = err;
		printf("%u %u %llu %.4f %.4f\n", i, i % BENCH_MAX_WEIGHT + 1,
		       (unsigned long long)(b1[i] - b0[i]), got, want);
	}
	/* a grant taken back: the host stalled an executor past its grace */
	printf("revocations %ld\n", rev1 - rev0);
	printf("share_error %.4f\n", worst);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-engine [--vgpus N] [--work-us US] "
		"[--count K] [--mode stream|single | --share-ms MS]\n");
	exit(2);
}

static unsigned int arg_u(const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "bench-engine: '%s' is not in %lu..%lu\n", s,
			lo, hi);
		usage();
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vgpus", required_argument, NULL, 'n' },
		{ "work-us", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "share-ms", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned int n = 4, div = 1, i, made = 0;
	uint64_t t0, t1, busy = 0;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = arg_u(optarg, 1, BENCH_MAX_VGPUS);
			break;
		case 'w':
			work_us = arg_u(optarg, 1, GVT_WORK_MAX_NS / 1000);
			break;
		case 'c':
			count = arg_u(optarg, 1, BENCH_MAX_COUNT);
			break;
		case 's':
			share_ms = arg_u(optarg, 100, 60000);
			break;
		case 'm':
			if (!strcmp(optarg, "single"))
				single = 1;
			else if (strcmp(optarg, "stream"))
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	while (div < n)
		div *= 2;

	for (i = 0; i < n && !ret; i++) {
		struct fz_gpu *g = &vgpus[i].g;

		fz_gpu_init(g);
		ret = gvt_uuid_generate(vgpus[i].uuid, sizeof(vgpus[i].uuid));
		ret = ret ?: gvt_mdev_create(div, vgpus[i].uuid);
		if (ret)
			break;
		made++;
		if (share_ms) {
			char path[256], w[16];

			snprintf(w, sizeof(w), "%u", i % BENCH_MAX_WEIGHT + 1);
			ret = gvt_mdev_path(vgpus[i].uuid, "gvt/weight", path,
					    sizeof(path));
			ret = ret ?: gvt_sysfs_write(path, w);
			if (ret)
				break;
		}
		ret = fz_gpu_open(g, vgpus[i].uuid);
		if (ret)
			fprintf(stderr, "bench-engine: vGPU %u: %s\n", i, g->err);
	}
	if (ret) {
		fprintf(stderr, "bench-engine: setting up %u V1_%u vGPUs: %s\n",
			n, div, strerror(-ret));
		goto out;
	}

	pthread_barrier_init(&start, NULL, n + 1);
	for (i = 0; i < n; i++)
		pthread_create(&vgpus[i].thread, NULL, run, &vgpus[i]);
	pthread_barrier_wait(&start);
	if (share_ms) {
		ret = share(n);
		goto out;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++)
		pthread_join(vgpus[i].thread, NULL);
	t1 = now_ns();
	for (i = 0; i < n; i++) {
		if (vgpus[i].ret) {
			fprintf(stderr, "bench-engine: vGPU %u: %s (%s)\n", i,
				strerror(-vgpus[i].ret), vgpus[i].g.err);
			ret = vgpus[i].ret;
		}
		busy += vgpus[i].busy1 - vgpus[i].busy0;
	}
	if (!ret)
		printf("%llu %llu %llu %u\n",
		       (unsigned long long)n * count * work_us * 1000ull,
		       (unsigned long long)busy, (unsigned long long)(t1 - t0),
		       n * count);
out:
	for (i = 0; i < made; i++) {
		fz_gpu_close(&vgpus[i].g);
		fz_remove_bounded(vgpus[i].uuid, 10000);
	}
	return ret ? 1 : 0;
}
