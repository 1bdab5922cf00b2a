// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench-mmio: times trapped register accesses of one vGPU end to end, the
 * way a VMM makes them: one pread/pwrite of 4 bytes on the VFIO device fd
 * per access.
 *
 * usage: bench-mmio UUID OFFSET ITERS r|w
 * prints: total_ns iters
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gvt/gvt_regs.h"
#include "gvt_vfio.h"

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long off, iters, i;
	unsigned long long t0, t1;
	struct gvt_vfio d;
	uint32_t v = 0;
	char *end;
	int ret;

	if (argc != 5 || (strcmp(argv[4], "r") && strcmp(argv[4], "w"))) {
		fprintf(stderr, "usage: bench-mmio UUID OFFSET ITERS r|w\n");
		return 2;
	}
	errno = 0;
	off = strtoul(argv[2], &end, 0);
	if (errno || *end || off >= GVT_MMIO_SIZE || off % 4) {
		fprintf(stderr, "bench-mmio: bad register offset %s\n", argv[2]);
		return 2;
	}
	iters = strtoul(argv[3], &end, 0);
	if (errno || *end || !iters || iters > 100000000ul) {
		fprintf(stderr, "bench-mmio: bad iteration count %s\n", argv[3]);
		return 2;
	}
	ret = gvt_vfio_open(&d, argv[1]);
	if (ret) {
		fprintf(stderr, "bench-mmio: %s\n", gvt_vfio_error(&d));
		return 1;
	}
	t0 = now_ns();
	for (i = 0; i < iters && !ret; i++)
		ret = argv[4][0] == 'r' ?
		      gvt_vfio_mmio_read32(&d, off, &v) :
		      gvt_vfio_mmio_write32(&d, off, (uint32_t)i);
	t1 = now_ns();
	gvt_vfio_close(&d);
	if (ret) {
		fprintf(stderr, "bench-mmio: access failed: %s\n", strerror(-ret));
		return 1;
	}
	printf("%llu %lu\n", t1 - t0, iters);
	return 0;
}
