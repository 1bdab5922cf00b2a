// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench-engine: how much of an engine's time goes to the work asked for.
 *
 *   bench-engine [--vgpus N] [--work-us US] [--count K] [--mode M]
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
 * wall is how much of the engine the work used. tools/bench runs it.
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

#define BENCH_MAX_VGPUS		16
/* a WORK command and the request's end must fit the ring */
#define BENCH_MAX_COUNT		1000u
#define BENCH_WAIT_MS		120000u

struct bench_vgpu {
	struct fz_gpu g;
	char uuid[GVT_UUID_STR_LEN];
	pthread_t thread;
	uint64_t busy0, busy1;
	int ret;
};

static struct bench_vgpu vgpus[BENCH_MAX_VGPUS];
static unsigned int work_us = 1000, count = 100;
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
	if (single) {
		for (i = 0; i < count && !v->ret; i++)
			v->ret = submit(&v->g, 1);
	} else {
		v->ret = submit(&v->g, count);
	}
	v->ret = v->ret ?: busy_ns(&v->g, &v->busy1);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-engine [--vgpus N] [--work-us US] "
		"[--count K] [--mode stream|single]\n");
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
