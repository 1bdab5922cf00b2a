// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Shared pieces of the VM stress programs (see fz_common.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/wait.h>

#include "gvt_sysfs.h"
#include "fz_common.h"

/* ---- PRNG -------------------------------------------------------------- */

#define FZ_GOLDEN	0x9e3779b97f4a7c15ull

uint64_t fz_next(struct fz_rng *r)
{
	uint64_t z = (r->s += FZ_GOLDEN);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void fz_rng_init(struct fz_rng *r, uint64_t seed, uint64_t stream)
{
	/* streams of one seed start far apart in the splitmix sequence */
	r->s = seed ^ (stream * 0xd1b54a32d192ed03ull);
	fz_next(r);
}

uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	/* the modulo bias is below 2^-32 for every n used here */
	return n ? fz_next(r) % n : 0;
}

uint64_t fz_range(struct fz_rng *r, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + fz_below(r, hi - lo + 1);
}

bool fz_chance(struct fz_rng *r, unsigned int pct)
{
	return fz_below(r, 100) < pct;
}

uint64_t fz_pick(struct fz_rng *r, const uint64_t *v, size_t n)
{
	return v[fz_below(r, n)];
}

uint64_t fz_random_seed(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), 0) != sizeof(s))
		s = fz_now_ms() ^ ((uint64_t)getpid() << 32);
	/* small enough to type back in, large enough not to repeat */
	return s % 1000000000000ull;
}

/* ---- time -------------------------------------------------------------- */

uint64_t fz_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void fz_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- report ------------------------------------------------------------- */

bool fz_check(struct fz_report *rep, bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (ok)
		rep->pass++;
	else
		rep->fail++;
	return ok;
}

void fz_note(const char *fmt, ...)
{
	va_list ap;

	fputs("    ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int fz_report_end(const struct fz_report *rep)
{
	printf("%u passed, %u failed\n", rep->pass, rep->fail);
	fflush(stdout);
	return rep->fail ? 1 : 0;
}

int fz_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* ---- kernel log ---------------------------------------------------------- */

int fz_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/*
 * The message of a record is a problem report. The same patterns as
 * tools/vm-run's problem_re, so that a stage names what fails the run.
 */
static bool kmsg_is_problem(const char *msg)
{
	static const char *const anywhere[] = {
		"------------[ cut here ]------------", "WARNING: CPU:",
		"BUG:", "kernel BUG at", "Oops", "general protection fault",
		"Kernel panic", "Unable to handle kernel", "soft lockup",
		"hard LOCKUP", "UBSAN:", "KASAN:", "KFENCE:", "Call Trace:",
	};
	const char *b;
	size_t i;

	if (!strncmp(msg, "WARNING:", 8))
		return true;
	for (i = 0; i < sizeof(anywhere) / sizeof(anywhere[0]); i++)
		if (strstr(msg, anywhere[i]))
			return true;
	b = strstr(msg, "blocked for more than ");
	if (b && b[22] >= '0' && b[22] <= '9')
		return true;
	b = strstr(msg, "rcu");
	return b && strstr(b, "stall");
}

unsigned int fz_kmsg_problems(int fd, unsigned int max_print)
{
	char rec[8192];
	unsigned int n = 0;

	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t len = read(fd, rec, sizeof(rec) - 1);
		char *msg, *nl;

		if (len < 0 && errno == EPIPE)
			continue;	/* records were overwritten: go on */
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break;
		rec[len] = '\0';
		/* "prio,seq,usec,flags;text\n" and continuation lines */
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (!kmsg_is_problem(msg))
			continue;
		if (n < max_print)
			fz_note("kernel: %s", msg);
		n++;
	}
	return n;
}

/* ---- vGPUs on the mdev bus ---------------------------------------------- */

int fz_count_mdevs(void)
{
	struct dirent *de;
	DIR *dir = opendir(GVT_MDEV_DEVICES_DIR);
	int n = 0;

	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

int fz_remove_bounded(const char *uuid, unsigned int ms)
{
	uint64_t deadline = fz_now_ms() + ms;
	int st = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		/* a child stuck in the kernel must hold no pipe of ours */
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		_exit(-gvt_mdev_remove(uuid) & 0xff);
	}
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (fz_now_ms() > deadline)
			return -ETIMEDOUT;
		fz_sleep_ms(20);
	}
	if (!WIFEXITED(st))
		return -EINTR;
	return -WEXITSTATUS(st);
}
