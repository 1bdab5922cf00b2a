/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared pieces of the VM stress programs (fuzz-vfio, lifecycle-torture):
 * a seeded PRNG, clocks, the "ok - / not ok -" report that
 * tools/test-summary counts, and the kernel log scan.
 *
 * Unlike tests/vm/vm_common.c nothing here asserts through CUnit: these
 * programs run many threads and processes at once, so every check returns
 * its verdict and the caller decides what to report.
 */
#ifndef FZ_COMMON_H
#define FZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- PRNG: splitmix64, one state per thread or process --------------- */

struct fz_rng {
	uint64_t s;
};

/* the stream @stream of the run seeded with @seed */
void fz_rng_init(struct fz_rng *r, uint64_t seed, uint64_t stream);
uint64_t fz_next(struct fz_rng *r);
/* uniform in [0, n); 0 when n is 0 */
uint64_t fz_below(struct fz_rng *r, uint64_t n);
/* uniform in [lo, hi] (hi - lo below UINT64_MAX) */
uint64_t fz_range(struct fz_rng *r, uint64_t lo, uint64_t hi);
/* true with probability pct / 100 */
bool fz_chance(struct fz_rng *r, unsigned int pct);
/* one of the @n values of @v */
uint64_t fz_pick(struct fz_rng *r, const uint64_t *v, size_t n);
#define FZ_PICK(r, ...)							\
	fz_pick((r), (const uint64_t[]){ __VA_ARGS__ },			\
		sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))

/* a seed from the kernel's random pool, for runs without --seed */
uint64_t fz_random_seed(void);

/* ---- time -------------------------------------------------------------- */

/* CLOCK_MONOTONIC in ms */
uint64_t fz_now_ms(void);
void fz_sleep_ms(unsigned int ms);

/* ---- the report --------------------------------------------------------- */

/*
 * One "ok - WHAT" or "not ok - WHAT" line per check, then a closing
 * "N passed, N failed" line, the form tools/test-summary reads. Only one
 * thread reports.
 */
struct fz_report {
	unsigned int pass;
	unsigned int fail;
};

bool fz_check(struct fz_report *rep, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* an indented detail line under a check */
void fz_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* prints the closing line; the exit status: 0 all passed, 1 otherwise */
int fz_report_end(const struct fz_report *rep);

/* ---- numbers from the command line -------------------------------------- */

/* a whole number in [min, max] (decimal or 0x hex); 0 or -EINVAL */
int fz_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* ---- the kernel log ----------------------------------------------------- */

/*
 * /dev/kmsg opened at its end: fz_kmsg_problems() then reads what the
 * kernel logged since. Returns the descriptor or -errno.
 */
int fz_kmsg_open(void);
/*
 * Reads the records logged since the last call and prints, as notes, the
 * first @max_print that report a kernel problem (the patterns tools/vm-run
 * fails a run on: WARN, BUG, oops, lockup, hung task, RCU stall, UBSAN,
 * call traces). Returns how many records were problems.
 */
unsigned int fz_kmsg_problems(int fd, unsigned int max_print);

/* ---- vGPUs on the mdev bus ---------------------------------------------- */

/* number of mdevs on the bus (any parent), or -errno */
int fz_count_mdevs(void);
/*
 * Removes the vGPU @uuid from a child process and waits at most @ms for
 * it: a removal that blocks in the kernel (an open it waits for that never
 * ends) cannot hang the caller. 0, the -errno of the removal, or
 * -ETIMEDOUT (the child is left behind, its output going nowhere).
 */
int fz_remove_bounded(const char *uuid, unsigned int ms);

#endif /* FZ_COMMON_H */
