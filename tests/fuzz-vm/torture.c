// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lifecycle-torture: for a fixed time, everything that creates, uses and
 * destroys vGPUs, policies and the module at once, run in the VM.
 *
 *   worker    one vGPU open for the whole run, running exact workloads
 *             (fz_gpu_exact_round(): every byte, store, seqno and MSI
 *             checked) and resetting itself now and then: its work must
 *             never be lost or wrong, whatever happens around it
 *   churners  create vGPUs of random types and tear them down every way:
 *             removed unopened; opened, used and closed; closed with work
 *             in flight; reset mid-work; removed while open (the request
 *             op, with and without a REQ eventfd); removed while only a
 *             mapping holds them; reopened
 *   policies  gvt-load attaches, replaces and detaches the observers
 *             mmio_trace and vgpu_stats (fentry on the stats event the
 *             engines send at the end of every slice), sched_weighted and
 *             sched_rr, and bad_sched_starve, which the watchdog must eject
 *   rmmod     tries to unload gvt_bpf, which must be refused while the
 *             worker's vGPU is open (if it ever succeeds: a finding, and
 *             the module is loaded again)
 *   sysfs     writes weight and timeslice_us of random vGPUs, good values
 *             and bad, reads every attribute, writes bad create and
 *             remove requests
 *
 * Every result is checked against what the interfaces document. At the
 * end everything is removed and the parent must be whole again. Fails on
 * an unexpected result, lost or wrong work, a thread that does not end,
 * a leaked slot, and kernel problems in the log.
 *
 * Usage: lifecycle-torture [--seconds N] [--seed N] [--churners N]
 * Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>

#include "gvt/gvt_abi.h"
#include "fz_gpu.h"
#include "gvt_policy.h"

#define MAX_CHURNERS	4
#define ROUND_MS	15000u		/* bound of one exact workload */
#define REQ_MS		5000u		/* the request op reaches the user */
#define REMOVE_MS	15000u		/* a remove ends once the user let go */
#define JOIN_MS		30000u		/* all threads end after the run */
#define PROGRESS_MS	15000u
#define PAGE		4096u

/* ---- counters ---------------------------------------------------------- */

#define COUNTERS(X)							\
	X(WORKER_ROUNDS, "worker exact workloads")			\
	X(WORKER_RESETS, "worker resets")				\
	X(CREATES, "vGPUs created")					\
	X(CREATE_FULL, "creates refused, parent full")			\
	X(CREATE_SKIPPED, "creates left out, none available")		\
	X(OPENS, "opens")						\
	X(CLOSES, "closes")						\
	X(CHURN_ROUNDS, "churner exact workloads")			\
	X(CLOSE_BUSY, "closes with work in flight")			\
	X(RESETS, "resets mid-work")					\
	X(REMOVES, "removes")						\
	X(REMOVE_OPEN_REQ, "removes of open vGPUs, REQ eventfd")	\
	X(REMOVE_OPEN_NOREQ, "removes of open vGPUs, no eventfd")	\
	X(REMOVE_MAPPED, "removes of vGPUs held by a mapping")		\
	X(POLICY_ATTACH, "policy attaches")				\
	X(POLICY_REPLACE, "policy live replaces")			\
	X(POLICY_DETACH, "policy detaches")				\
	X(POLICY_REFUSED, "second sched policies refused")		\
	X(POLICY_EJECTED, "policies ejected by the watchdog")		\
	X(RMMOD, "rmmod attempts")					\
	X(SYSFS_WRITES, "sysfs writes")					\
	X(SYSFS_BAD_WRITES, "sysfs writes of bad values")		\
	X(SYSFS_READS, "sysfs reads")

#define CNT_ENUM(name, what) C_##name,
enum counter { COUNTERS(CNT_ENUM) C_NUM };
#undef CNT_ENUM

#define CNT_NAME(name, what) what,
static const char *const counter_names[C_NUM] = { COUNTERS(CNT_NAME) };
#undef CNT_NAME

static uint64_t counters[C_NUM];

static void count(enum counter c)
{
	__atomic_fetch_add(&counters[c], 1, __ATOMIC_RELAXED);
}

/* ---- threads and what they are doing ----------------------------------- */

struct thread {
	const char *name;
	pthread_t tid;
	bool started;
	char cur[256];			/* the operation in progress */
	struct fz_rng r;
};

static volatile bool stop;
static uint64_t seed;

static void __attribute__((format(printf, 2, 3)))
doing(struct thread *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->cur, sizeof(t->cur), fmt, ap);
	va_end(ap);
}

/* ---- findings ------------------------------------------------------------ */

#define MAX_CLASSES	48

struct finding {
	char cls[160];
	char example[512];
	uint64_t count;
};

static pthread_mutex_t findings_lock = PTHREAD_MUTEX_INITIALIZER;
static struct finding findings[MAX_CLASSES];
static unsigned int nfindings;
static uint64_t findings_dropped;

/* an unexpected result: @cls names the rule, @fmt the instance */
static void __attribute__((format(printf, 3, 4)))
finding(struct thread *t, const char *cls, const char *fmt, ...)
{
	struct finding *f = NULL;
	unsigned int i;
	va_list ap;
	int n;

	pthread_mutex_lock(&findings_lock);
	for (i = 0; i < nfindings; i++)
		if (!strcmp(findings[i].cls, cls))
			f = &findings[i];
	if (!f && nfindings == MAX_CLASSES) {
		findings_dropped++;
		pthread_mutex_unlock(&findings_lock);
		return;
	}
	if (!f) {
		f = &findings[nfindings++];
		snprintf(f->cls, sizeof(f->cls), "%s", cls);
		n = snprintf(f->example, sizeof(f->example), "%s: %s: ",
			     t->name, t->cur);
		if (n > 0 && (size_t)n < sizeof(f->example)) {
			va_start(ap, fmt);
			vsnprintf(f->example + n, sizeof(f->example) - (size_t)n,
				  fmt, ap);
			va_end(ap);
		}
	}
	f->count++;
	pthread_mutex_unlock(&findings_lock);
}

/* "success" or the errno's name */
static const char *err_name(int v)
{
	const char *n = v ? strerrorname_np(-v) : "success";

	return n ? n : "an unknown errno";
}

/* @got (0 or -errno) must be @want; false and a finding otherwise */
static bool expect(struct thread *t, const char *what, int got, int want)
{
	char cls[192];

	if (got == want)
		return true;
	snprintf(cls, sizeof(cls), "%s: got %s, want %s", what, err_name(got),
		 err_name(want));
	finding(t, cls, "%d", got);
	return false;
}

/* ---- paths and commands --------------------------------------------------- */

static char build_dir[PATH_MAX];	/* .../build */
static char ko_path[PATH_MAX];		/* .../kmod/gvt_bpf.ko */

static int find_paths(void)
{
	char *slash;
	ssize_t n;
	int i;

	n = readlink("/proc/self/exe", build_dir, sizeof(build_dir) - 1);
	if (n <= 0)
		return -errno;
	build_dir[n] = '\0';
	/* .../build/tests/lifecycle-torture: two levels up is build/ */
	for (i = 0; i < 2; i++) {
		slash = strrchr(build_dir, '/');
		if (!slash)
			return -ENOENT;
		*slash = '\0';
	}
	snprintf(ko_path, sizeof(ko_path), "%.*s/kmod/gvt_bpf.ko",
		 (int)(strrchr(build_dir, '/') - build_dir), build_dir);
	return 0;
}

/*
 * Shell commands run in a helper process forked at the start, before any
 * VFIO file is open. A fork of this threaded process would copy every
 * descriptor into the child until it execs, VFIO groups included, and a
 * group another thread closed and reopens in that window is busy.
 */
#define CMD_MAX		1024
#define OUT_MAX		2048

static int runner_req = -1, runner_rep = -1;
static pthread_mutex_t runner_lock = PTHREAD_MUTEX_INITIALIZER;

static bool io_full(int fd, void *buf, size_t len, bool write_it)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = write_it ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* popen() of @cmd with stderr folded in; the exit status, 128 if none */
static int run_here(char *out, size_t len, const char *cmd)
{
	char full[CMD_MAX + 8];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "re");
	if (!p) {
		snprintf(out, len, "popen: %s", strerror(errno));
		return -1;
	}
	while (n < len - 1) {
		size_t r = fread(out + n, 1, len - 1 - n, p);

		if (!r)
			break;
		n += r;
	}
	out[n] = '\0';
	/* the rest, so that the command is never blocked on a full pipe */
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void runner_main(int req, int rep)
{
	char cmd[CMD_MAX], out[OUT_MAX];
	uint32_t len;
	int32_t st;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (io_full(req, &len, sizeof(len), false) && len < sizeof(cmd) &&
	       io_full(req, cmd, len, false)) {
		cmd[len] = '\0';
		st = run_here(out, sizeof(out), cmd);
		len = (uint32_t)strlen(out);
		if (!io_full(rep, &st, sizeof(st), true) ||
		    !io_full(rep, &len, sizeof(len), true) ||
		    !io_full(rep, out, len, true))
			break;
	}
	_exit(0);
}

static int runner_start(void)
{
	int req[2], rep[2];
	pid_t pid;

	if (pipe2(req, O_CLOEXEC))
		return -errno;
	if (pipe2(rep, O_CLOEXEC)) {
		close(req[0]);
		close(req[1]);
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		close(req[1]);
		close(rep[0]);
		runner_main(req[0], rep[1]);
	}
	close(req[0]);
	close(rep[1]);
	runner_req = req[1];
	runner_rep = rep[0];
	return 0;
}

/*
 * Runs a shell command in the helper, stderr folded into stdout, keeping
 * the output's first @len - 1 bytes; its exit status, 128 when it did not
 * exit, -1 when it could not be run.
 */
static int __attribute__((format(printf, 3, 4)))
run(char *out, size_t len, const char *fmt, ...)
{
	char cmd[CMD_MAX], buf[OUT_MAX];
	uint32_t n;
	int32_t st = -1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	n = (uint32_t)strlen(cmd);
	pthread_mutex_lock(&runner_lock);
	if (!io_full(runner_req, &n, sizeof(n), true) ||
	    !io_full(runner_req, cmd, n, true) ||
	    !io_full(runner_rep, &st, sizeof(st), false) ||
	    !io_full(runner_rep, &n, sizeof(n), false) || n >= sizeof(buf) ||
	    !io_full(runner_rep, buf, n, false)) {
		pthread_mutex_unlock(&runner_lock);
		snprintf(out, len, "the command helper is gone");
		return -1;
	}
	pthread_mutex_unlock(&runner_lock);
	buf[n] = '\0';
	snprintf(out, len, "%s", buf);
	return st;
}

/* the output of a command on one line, for a finding */
static const char *one_line(char *s)
{
	char *c;

	for (c = s; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return s;
}

/* unloads every policy pinned under /sys/fs/bpf/gvt; how many failed */
static unsigned int unload_all_policies(void)
{
	char names[16][NAME_MAX + 1], out[1024];
	unsigned int n = 0, i, failed = 0;
	struct dirent *de;
	DIR *d = opendir("/sys/fs/bpf/gvt");

	if (!d)
		return 0;
	/* a policy is a directory; maps pinned by name sit beside them */
	while ((de = readdir(d)) && n < 16)
		if (de->d_name[0] != '.' && de->d_type == DT_DIR)
			snprintf(names[n++], sizeof(names[0]), "%s", de->d_name);
	closedir(d);
	for (i = 0; i < n; i++)
		if (run(out, sizeof(out), "%s/bin/gvt-load --unload %s",
			build_dir, names[i]))
			failed++;
	return failed;
}

/* ---- the worker ------------------------------------------------------------ */

static struct fz_gpu wgpu;		/* the worker's vGPU */
static uint64_t worker_bad;
static char worker_first_bad[400];

static void *worker_main(void *arg)
{
	struct thread *t = arg;
	uint64_t rounds = 0;
	int ret;

	while (!stop) {
		doing(t, "exact workload %llu", (unsigned long long)rounds + 1);
		ret = fz_gpu_exact_round(&wgpu, &t->r, ROUND_MS);
		rounds++;
		count(C_WORKER_ROUNDS);
		if (ret && !worker_bad++)
			snprintf(worker_first_bad, sizeof(worker_first_bad),
				 "workload %llu: %s", (unsigned long long)rounds,
				 wgpu.err);
		/* now and then, and after a failure, a reset and bring-up */
		if (ret || fz_chance(&t->r, 2)) {
			doing(t, "reset and bring-up after workload %llu",
			      (unsigned long long)rounds);
			if (fz_gpu_reset(&wgpu)) {
				snprintf(worker_first_bad, sizeof(worker_first_bad),
					 "reset: %s", wgpu.err);
				worker_bad++;
				break;
			}
			count(C_WORKER_RESETS);
		}
	}
	return NULL;
}

/* ---- churners ----------------------------------------------------------------- */

struct remover {
	char uuid[GVT_UUID_STR_LEN];
	pthread_t tid;
	volatile bool done;
	int ret;
	uint64_t ms;
};

static void *remover_main(void *arg)
{
	struct remover *rm = arg;
	uint64_t t0 = fz_now_ms();

	rm->ret = gvt_mdev_remove(rm->uuid);
	rm->ms = fz_now_ms() - t0;
	rm->done = true;
	return NULL;
}

static int start_remover(struct remover *rm, const char *uuid)
{
	memset(rm, 0, sizeof(*rm));
	snprintf(rm->uuid, sizeof(rm->uuid), "%s", uuid);
	return -pthread_create(&rm->tid, NULL, remover_main, rm);
}

/* waits up to @ms for a remover; 0 when it ended, -ETIMEDOUT when not */
static int join_bounded(pthread_t tid, unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return -pthread_timedjoin_np(tid, NULL, &ts);
}

enum scenario {
	SC_REMOVE_UNOPENED, SC_USE_CLOSE, SC_CLOSE_BUSY, SC_RESET_MID_WORK,
	SC_REMOVE_OPEN_REQ, SC_REMOVE_OPEN_NOREQ, SC_REMOVE_MAPPED, SC_REOPEN,
	SC_OWN_SYSFS, SC_NUM
};

static const char *const scenario_names[SC_NUM] = {
	"remove unopened", "open, work, close, remove",
	"close with work in flight", "reset mid-work",
	"remove while open (REQ eventfd)", "remove while open (no eventfd)",
	"remove while a mapping holds it", "close and reopen",
	"own sysfs attributes",
};

struct churner {
	struct thread t;
	struct fz_gpu g;
	struct remover rm;
	char uuid[GVT_UUID_STR_LEN];
	bool broken;		/* a remover that never ended owns rm */
};

/* one exact workload on a vGPU that is not being torn down */
static bool churn_round(struct churner *c)
{
	int ret = fz_gpu_exact_round(&c->g, &c->t.r, ROUND_MS);

	count(C_CHURN_ROUNDS);
	if (!ret)
		return true;
	finding(&c->t, ret == -ETIMEDOUT ? "lost work on a churner's vGPU" :
		"wrong work on a churner's vGPU", "%s", c->g.err);
	return false;
}

static bool churn_open(struct churner *c)
{
	int ret = fz_gpu_open(&c->g, c->uuid);

	count(C_OPENS);
	if (ret)
		finding(&c->t, "an open of a new vGPU failed", "%s", c->g.err);
	return !ret;
}

static void churn_close(struct churner *c)
{
	fz_gpu_close(&c->g);
	count(C_CLOSES);
}

/* a remove that must finish at once and leave nothing */
static void churn_remove(struct churner *c)
{
	int ret;

	doing(&c->t, "remove %s", c->uuid);
	ret = start_remover(&c->rm, c->uuid);
	if (ret) {
		finding(&c->t, "pthread_create failed", "%s", strerror(-ret));
		c->broken = true;
		return;
	}
	if (join_bounded(c->rm.tid, REMOVE_MS)) {
		finding(&c->t, "a remove of a closed vGPU did not end",
			"after %u ms", REMOVE_MS);
		pthread_detach(c->rm.tid);
		c->broken = true;
		return;
	}
	count(C_REMOVES);
	if (expect(&c->t, "a remove of a closed vGPU", c->rm.ret, 0) &&
	    gvt_mdev_exists(c->uuid))
		finding(&c->t, "a removed vGPU is still on the bus", "after %llu ms",
			(unsigned long long)c->rm.ms);
}

/* work on both engines that outlasts the caller's next steps */
static void churn_submit_long(struct churner *c)
{
	uint32_t e, k, s;

	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		for (k = 0; k < 4; k++) {
			fz_gpu_emit(&c->g, e, (uint32_t[]){ GVT_CMD_WORK,
					20000000 }, 2);
			fz_gpu_emit(&c->g, e, (uint32_t[]){ GVT_CMD_FILL_RECT,
					fz_gpu_ga(&c->g, FZ_GPU_SURF_A), 4096,
					GVT_RECT_SIZE(1024, 64), k }, 5);
		}
		if (fz_gpu_submit(&c->g, e, &s))
			finding(&c->t, "a doorbell failed", "%s", c->g.err);
	}
}

/*
 * Remove while open: the remover blocks until the user lets go. With a
 * REQ eventfd the request op asks the user at once; without one the
 * remove just waits. The user closes, and the remove must then end.
 */
static void churn_remove_open(struct churner *c, bool req)
{
	struct fz_rng *r = &c->t.r;
	int efd = -1, ret;

	if (req) {
		efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (efd < 0 || gvt_vfio_set_irq_eventfd(&c->g.d,
							VFIO_PCI_REQ_IRQ_INDEX, efd)) {
			finding(&c->t, "attaching a REQ eventfd failed", "%s",
				gvt_vfio_error(&c->g.d));
			if (efd >= 0)
				close(efd);
			churn_close(c);
			churn_remove(c);
			return;
		}
	}
	if (fz_chance(r, 50))
		churn_submit_long(c);
	doing(&c->t, "remove %s while open%s", c->uuid, req ? " (REQ)" : "");
	ret = start_remover(&c->rm, c->uuid);
	if (ret) {
		finding(&c->t, "pthread_create failed", "%s", strerror(-ret));
		if (efd >= 0)
			close(efd);
		churn_close(c);
		churn_remove(c);
		return;
	}
	if (req) {
		struct pollfd p = { .fd = efd, .events = POLLIN };

		if (poll(&p, 1, REQ_MS) != 1)
			finding(&c->t, "the request op did not signal the REQ eventfd",
				"within %u ms", REQ_MS);
		count(C_REMOVE_OPEN_REQ);
	} else {
		fz_sleep_ms((unsigned int)fz_range(r, 50, 300));
		count(C_REMOVE_OPEN_NOREQ);
	}
	/* (it left /sys/bus/mdev/devices already: mdev unlinks it first) */
	if (c->rm.done)
		finding(&c->t, "a remove of an open vGPU returned before the user let go",
			"returned %d after %llu ms", c->rm.ret,
			(unsigned long long)c->rm.ms);
	churn_close(c);
	if (efd >= 0)
		close(efd);
	doing(&c->t, "wait for the remove of %s after the close", c->uuid);
	if (join_bounded(c->rm.tid, REMOVE_MS)) {
		finding(&c->t, "a remove did not end after the user let go",
			"after %u ms", REMOVE_MS);
		pthread_detach(c->rm.tid);
		c->broken = true;
		return;
	}
	count(C_REMOVES);
	if (expect(&c->t, "a remove of an open vGPU, once closed", c->rm.ret, 0) &&
	    gvt_mdev_exists(c->uuid))
		finding(&c->t, "a removed vGPU is still on the bus", "-");
}

/* only a mapping of BAR2 holds the device: the remove waits for munmap */
static void churn_remove_mapped(struct churner *c)
{
	void *map = NULL;
	int ret;

	ret = gvt_vfio_mmap_region(&c->g.d, VFIO_PCI_BAR2_REGION_INDEX, 0, PAGE,
				   PROT_READ | PROT_WRITE, &map);
	if (!expect(&c->t, "an mmap of BAR2", ret, 0)) {
		churn_close(c);
		churn_remove(c);
		return;
	}
	memset(map, 0x5a, 64);
	churn_close(c);
	doing(&c->t, "remove %s held by a mapping", c->uuid);
	ret = start_remover(&c->rm, c->uuid);
	if (ret) {
		finding(&c->t, "pthread_create failed", "%s", strerror(-ret));
		munmap(map, PAGE);
		churn_remove(c);
		return;
	}
	fz_sleep_ms((unsigned int)fz_range(&c->t.r, 50, 300));
	if (c->rm.done)
		finding(&c->t, "a remove did not wait for a mapping of the device",
			"returned %d after %llu ms", c->rm.ret,
			(unsigned long long)c->rm.ms);
	/* the mapping still works while the remove waits */
	if (((volatile uint8_t *)map)[63] != 0x5a)
		finding(&c->t, "a mapping of a vGPU being removed lost its data", "-");
	munmap(map, PAGE);
	count(C_REMOVE_MAPPED);
	if (join_bounded(c->rm.tid, REMOVE_MS)) {
		finding(&c->t, "a remove did not end after the last munmap",
			"after %u ms", REMOVE_MS);
		pthread_detach(c->rm.tid);
		c->broken = true;
		return;
	}
	count(C_REMOVES);
	expect(&c->t, "a remove of a vGPU once unmapped", c->rm.ret, 0);
}

/* writes @val to attribute @attr of the vGPU: 0 or -errno */
static int write_attr(const char *uuid, const char *attr, const char *val)
{
	char path[PATH_MAX];
	int ret = gvt_mdev_path(uuid, attr, path, sizeof(path));

	return ret ? ret : gvt_sysfs_write(path, val);
}

static void churn_own_sysfs(struct churner *c)
{
	struct fz_rng *r = &c->t.r;
	char val[32];

	snprintf(val, sizeof(val), "%u", (unsigned int)fz_range(r, GVT_WEIGHT_MIN,
							       GVT_WEIGHT_MAX));
	expect(&c->t, "a weight in range",
	       write_attr(c->uuid, GVT_SYSFS_GROUP "/weight", val), 0);
	expect(&c->t, "a weight of 0",
	       write_attr(c->uuid, GVT_SYSFS_GROUP "/weight", "0"), -ERANGE);
	expect(&c->t, "a weight above the maximum",
	       write_attr(c->uuid, GVT_SYSFS_GROUP "/weight", "129"), -ERANGE);
	expect(&c->t, "a weight that is no number",
	       write_attr(c->uuid, GVT_SYSFS_GROUP "/weight", "heavy"), -EINVAL);
	snprintf(val, sizeof(val), "%u", (unsigned int)fz_range(r, 50, 100000));
	expect(&c->t, "a time slice in range",
	       write_attr(c->uuid, GVT_SYSFS_GROUP "/timeslice_us", val), 0);
	expect(&c->t, "a time slice below the minimum",
	       write_attr(c->uuid, GVT_SYSFS_GROUP "/timeslice_us", "49"), -ERANGE);
	expect(&c->t, "a time slice above the maximum",
	       write_attr(c->uuid, GVT_SYSFS_GROUP "/timeslice_us", "100001"),
	       -ERANGE);
	__atomic_fetch_add(&counters[C_SYSFS_WRITES], 2, __ATOMIC_RELAXED);
	__atomic_fetch_add(&counters[C_SYSFS_BAD_WRITES], 5, __ATOMIC_RELAXED);
	churn_round(c);
}

static void churn_once(struct churner *c)
{
	struct fz_rng *r = &c->t.r;
	unsigned int div = (unsigned int)FZ_PICK(r, 8, 8, 8, 4, 4, 2, 1);
	/* closes and removes under work are the likeliest to race an engine */
	enum scenario sc = fz_chance(r, 25) ? SC_CLOSE_BUSY :
			   (enum scenario)fz_below(r, SC_NUM);
	unsigned int i;
	int ret;

	/*
	 * A full parent refuses a create after a probe that fails loudly in
	 * the kernel log: mostly look first, sometimes try anyway.
	 */
	if (gvt_mdev_available(div) == 0 && !fz_chance(r, 10)) {
		count(C_CREATE_SKIPPED);
		fz_sleep_ms((unsigned int)fz_range(r, 10, 50));
		return;
	}
	doing(&c->t, "create a V1_%u vGPU", div);
	ret = gvt_uuid_generate(c->uuid, sizeof(c->uuid));
	ret = ret ?: gvt_mdev_create(div, c->uuid);
	if (ret == -ENOSPC) {
		count(C_CREATE_FULL);
		fz_sleep_ms((unsigned int)fz_range(r, 10, 100));
		return;
	}
	if (!expect(&c->t, "a create", ret, 0)) {
		fz_sleep_ms(100);
		return;
	}
	count(C_CREATES);
	doing(&c->t, "%s: V1_%u %s", scenario_names[sc], div, c->uuid);
	if (sc == SC_REMOVE_UNOPENED) {
		churn_remove(c);
		return;
	}
	if (!churn_open(c)) {
		churn_remove(c);
		return;
	}
	switch (sc) {
	case SC_USE_CLOSE:
		for (i = (unsigned int)fz_range(r, 1, 3); i; i--)
			if (!churn_round(c))
				break;
		break;
	case SC_CLOSE_BUSY:
		churn_submit_long(c);
		fz_sleep_ms((unsigned int)fz_below(r, 30));
		count(C_CLOSE_BUSY);
		break;
	case SC_RESET_MID_WORK:
		churn_submit_long(c);
		fz_sleep_ms((unsigned int)fz_below(r, 30));
		count(C_RESETS);
		if (expect(&c->t, "a reset mid-work", fz_gpu_reset(&c->g), 0))
			churn_round(c);
		break;
	case SC_REMOVE_OPEN_REQ:
	case SC_REMOVE_OPEN_NOREQ:
		churn_remove_open(c, sc == SC_REMOVE_OPEN_REQ);
		return;
	case SC_REMOVE_MAPPED:
		churn_remove_mapped(c);
		return;
	case SC_REOPEN:
		churn_round(c);
		churn_close(c);
		if (!churn_open(c)) {
			churn_remove(c);
			return;
		}
		churn_round(c);
		break;
	case SC_OWN_SYSFS:
		churn_own_sysfs(c);
		break;
	default:
		break;
	}
	churn_close(c);
	churn_remove(c);
}

static void *churner_main(void *arg)
{
	struct churner *c = arg;

	fz_gpu_init(&c->g);
	while (!stop && !c->broken)
		churn_once(c);
	return NULL;
}

/* ---- policies --------------------------------------------------------------------- */

/* the attached scheduling policy, as "NAME state=STATE", contains @what */
static bool sched_state_has(const char *what)
{
	static struct gvt_policy_info pols[32];
	char buf[128];
	int i, n = gvt_policy_list(pols, 32);

	for (i = 0; i < n && i < 32; i++) {
		if (strcmp(pols[i].hook, "sched"))
			continue;
		snprintf(buf, sizeof(buf), "sched %s state=%s", pols[i].name,
			 pols[i].state);
		return strstr(buf, what) != NULL;
	}
	return false;
}

static const char *const sched_policies[] = { "sched_weighted", "sched_rr" };

/*
 * Two vGPUs of the policy thread, created right after the worker's (ids
 * 2 and 3, below every churner's): with work on both, bad_sched_starve
 * always picks the first, so the second waits until the watchdog ejects
 * the policy. The worker's vGPU, id 1, goes before both.
 */
static struct fz_gpu pol_gpu[2];

/* queues @ms of work on engine 0 of both; false on a failed doorbell */
static bool starve_load(struct thread *t, uint32_t ms, uint32_t *seqno)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		uint32_t k;

		for (k = 0; k < ms / 50; k++)
			fz_gpu_emit(&pol_gpu[i], 0, (uint32_t[]){ GVT_CMD_WORK,
					50000000 }, 2);
		if (fz_gpu_submit(&pol_gpu[i], 0, &seqno[i])) {
			finding(t, "a doorbell of the policy thread's vGPU failed",
				"%s", pol_gpu[i].err);
			return false;
		}
	}
	return true;
}

/* the work queued by starve_load() completes on both */
static void starve_done(struct thread *t, const uint32_t *seqno)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (fz_gpu_wait(&pol_gpu[i], 0, seqno[i], ROUND_MS))
			finding(t, "lost work on the policy thread's vGPU", "%s",
				pol_gpu[i].err);
}

/* waits up to @ms for the sched policy to be ejected */
static bool wait_ejected(uint32_t ms)
{
	uint64_t deadline = fz_now_ms() + ms;

	for (;;) {
		if (sched_state_has("state=ejected"))
			return true;
		if (fz_now_ms() > deadline)
			return false;
		fz_sleep_ms(50);
	}
}

static void *policy_main(void *arg)
{
	struct thread *t = arg;
	struct fz_rng *r = &t->r;
	static const char *const observers[2] = { "mmio_trace", "vgpu_stats" };
	char sched[32] = "", out[2048];
	const char *other;
	bool obs_on[2] = { false, false }, starve = false;
	int st;

	while (!stop) {
		fz_sleep_ms((unsigned int)fz_range(r, 100, 600));
		if (stop)
			break;
		if (fz_chance(r, 40)) {
			/* an observer on and off, mmio_trace also replaced live */
			unsigned int o = (unsigned int)fz_below(r, 2);
			const char *name = observers[o];
			enum counter c;

			if (!obs_on[o]) {
				doing(t, "attach %s", name);
				st = run(out, sizeof(out), "%s/bin/gvt-load %s/bpf/%s.bpf.o",
					 build_dir, build_dir, name);
				c = C_POLICY_ATTACH;
			} else if (o == 0 && fz_chance(r, 40)) {
				doing(t, "replace %s live", name);
				st = run(out, sizeof(out), "%s/bin/gvt-load --replace %s %s/bpf/%s.bpf.o --set only_vgpu=%u",
					 build_dir, name, build_dir, name,
					 (unsigned int)fz_range(r, 0, GVT_MAX_VGPUS));
				c = C_POLICY_REPLACE;
			} else {
				doing(t, "detach %s", name);
				st = run(out, sizeof(out), "%s/bin/gvt-load --unload %s",
					 build_dir, name);
				c = C_POLICY_DETACH;
			}
			if (st) {
				finding(t, "gvt-load of an observer failed", "exit %d: %s",
					st, one_line(out));
				continue;
			}
			count(c);
			if (c != C_POLICY_REPLACE)
				obs_on[o] = !obs_on[o];
			continue;
		}
		if (!sched[0]) {
			/* attach a sched policy, sometimes the starving one */
			starve = fz_chance(r, 35);
			snprintf(sched, sizeof(sched), "%s", starve ?
				 "bad_sched_starve" :
				 sched_policies[fz_below(r, 2)]);
			doing(t, "attach %s", sched);
			st = run(out, sizeof(out), "%s/bin/gvt-load %s/bpf/%s.bpf.o",
				 build_dir, build_dir, sched);
			if (st) {
				finding(t, "gvt-load of a sched policy failed", "exit %d: %s",
					st, one_line(out));
				sched[0] = '\0';
				continue;
			}
			count(C_POLICY_ATTACH);
			if (starve) {
				uint32_t seqno[2];

				/* its second vGPU waits: the watchdog must eject it */
				doing(t, "bad_sched_starve starving the policy thread's second vGPU");
				if (starve_load(t, 600, seqno)) {
					if (wait_ejected(5000))
						count(C_POLICY_EJECTED);
					else
						finding(t, "bad_sched_starve was not ejected while a vGPU starved",
							"after 5 s");
					doing(t, "wait for the policy thread's work");
					starve_done(t, seqno);
				}
			}
			continue;
		}
		if (starve) {
			/* ejected by now: detach it below */
		} else if (fz_chance(r, 25)) {
			other = !strcmp(sched, "sched_rr") ? "sched_weighted" : "sched_rr";
			doing(t, "attach %s while %s is attached", other, sched);
			st = run(out, sizeof(out), "%s/bin/gvt-load %s/bpf/%s.bpf.o",
				 build_dir, build_dir, other);
			if (st != 1) {
				finding(t, "a second sched policy was not refused",
					"exit %d: %s", st, one_line(out));
				if (!st)
					run(out, sizeof(out), "%s/bin/gvt-load --unload %s",
					    build_dir, other);
			} else {
				count(C_POLICY_REFUSED);
			}
			continue;
		} else if (fz_chance(r, 40)) {
			/* the pin keeps its name; the programs are the other's */
			other = fz_chance(r, 50) ? "sched_rr" : "sched_weighted";
			doing(t, "replace %s live by %s", sched, other);
			st = run(out, sizeof(out), "%s/bin/gvt-load --replace %s %s/bpf/%s.bpf.o",
				 build_dir, sched, build_dir, other);
			if (st)
				finding(t, "a live replace of a sched policy failed",
					"exit %d: %s", st, one_line(out));
			else
				count(C_POLICY_REPLACE);
			continue;
		}
		doing(t, "detach %s", sched);
		st = run(out, sizeof(out), "%s/bin/gvt-load --unload %s", build_dir,
			 sched);
		if (st)
			finding(t, "a detach of a sched policy failed", "exit %d: %s",
				st, one_line(out));
		else
			count(C_POLICY_DETACH);
		sched[0] = '\0';
	}
	return NULL;
}

/* ---- rmmod ---------------------------------------------------------------------------- */

static uint64_t rmmod_succeeded;

static void *rmmod_main(void *arg)
{
	struct thread *t = arg;
	char out[1024];
	long ret;

	while (!stop) {
		fz_sleep_ms((unsigned int)fz_range(&t->r, 500, 2000));
		if (stop)
			break;
		doing(t, "delete_module(gvt_bpf, O_NONBLOCK)");
		ret = syscall(SYS_delete_module, "gvt_bpf", O_NONBLOCK);
		count(C_RMMOD);
		if (ret < 0 && errno == EWOULDBLOCK)
			continue;
		if (ret < 0) {
			finding(t, "rmmod of a module in use failed oddly", "%s",
				strerror(errno));
			continue;
		}
		/* the worker's vGPU is open: this must never happen */
		rmmod_succeeded++;
		finding(t, "rmmod succeeded while a vGPU was open", "-");
		doing(t, "insmod %s", ko_path);
		if (run(out, sizeof(out), "insmod %s", ko_path))
			finding(t, "insmod after the unexpected rmmod failed", "%s",
				one_line(out));
	}
	return NULL;
}

/* ---- sysfs ------------------------------------------------------------------------------- */

/* a random vGPU on the bus into @uuid; false if there is none */
static bool random_mdev(struct fz_rng *r, char uuid[GVT_UUID_STR_LEN])
{
	char names[2 * GVT_MAX_VGPUS][GVT_UUID_STR_LEN];
	unsigned int n = 0;
	struct dirent *de;
	DIR *d = opendir(GVT_MDEV_DEVICES_DIR);

	if (!d)
		return false;
	while ((de = readdir(d)) && n < 2 * GVT_MAX_VGPUS)
		if (strlen(de->d_name) == GVT_UUID_STR_LEN - 1)
			memcpy(names[n++], de->d_name, GVT_UUID_STR_LEN);
	closedir(d);
	if (!n)
		return false;
	memcpy(uuid, names[fz_below(r, n)], GVT_UUID_STR_LEN);
	return true;
}

/*
 * Created to the end and not being removed: its remove attribute (the
 * first thing a removal takes away), its type link and the gvt group (the
 * last things a creation adds) are all there.
 */
static bool settled(const char *uuid)
{
	static const char *const parts[] = { "remove", "mdev_type", GVT_SYSFS_GROUP };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (gvt_mdev_path(uuid, parts[i], path, sizeof(path)) ||
		    !gvt_sysfs_exists(path))
			return false;
	return true;
}

/*
 * An access to a vGPU that other threads create and remove: the expected
 * answer, or, unless the vGPU was settled before and after it, the
 * answers of an attribute not there yet or gone (ENOENT), or deactivated
 * while open (ENODEV).
 */
static void sysfs_expect(struct thread *t, const char *what, const char *uuid,
			 bool before, int got, int want)
{
	if ((got == -ENOENT || got == -ENODEV) && got != want &&
	    (!before || !settled(uuid)))
		return;
	expect(t, what, got, want);
}

static void *sysfs_main(void *arg)
{
	static const char *const reads[] = {
		GVT_SYSFS_STATS_GROUP "/mmio_reads", GVT_SYSFS_GROUP "/status",
		GVT_SYSFS_GROUP "/weight", GVT_SYSFS_GROUP "/timeslice_us",
		GVT_SYSFS_GROUP "/vgpu_id", GVT_SYSFS_GROUP "/type",
		"mdev_type/name", "mdev_type/available_instances",
		"mdev_type/description",
	};
	struct thread *t = arg;
	struct fz_rng *r = &t->r;
	char uuid[GVT_UUID_STR_LEN], path[PATH_MAX], val[64], buf[4096];
	static struct gvt_policy_info pols[32];	/* this thread's only */
	bool before;
	ssize_t n;
	int ret;

	while (!stop) {
		fz_sleep_ms((unsigned int)fz_range(r, 5, 50));
		switch (fz_below(r, 10)) {
		case 0: case 1: case 2:
			if (!random_mdev(r, uuid))
				break;
			if (fz_chance(r, 50)) {
				unsigned int w = (unsigned int)fz_range(r, GVT_WEIGHT_MIN,
									GVT_WEIGHT_MAX);

				snprintf(val, sizeof(val), "%u", w);
				doing(t, "weight %s of %s", val, uuid);
				before = settled(uuid);
				sysfs_expect(t, "a weight in range", uuid, before,
					     write_attr(uuid, GVT_SYSFS_GROUP "/weight", val), 0);
				count(C_SYSFS_WRITES);
			} else {
				/* ("" would be a write of 0 bytes: no store at all) */
				static const char *const bad[] = {
					"0", "129", "4294967296", "-1", "1e3", " ", "0x",
				};
				const char *b = bad[fz_below(r, 7)];

				doing(t, "weight \"%s\" of %s", b, uuid);
				before = settled(uuid);
				ret = write_attr(uuid, GVT_SYSFS_GROUP "/weight", b);
				sysfs_expect(t, "a bad weight", uuid, before, ret,
					     !strcmp(b, "0") || !strcmp(b, "129") ||
					     !strcmp(b, "4294967296") ? -ERANGE : -EINVAL);
				count(C_SYSFS_BAD_WRITES);
			}
			break;
		case 3: case 4:
			if (!random_mdev(r, uuid))
				break;
			if (fz_chance(r, 50)) {
				snprintf(val, sizeof(val), "%u", (unsigned int)FZ_PICK(r,
					 0, 50, 1000, 100000, fz_range(r, 50, 100000)));
				doing(t, "timeslice_us %s of %s", val, uuid);
				before = settled(uuid);
				sysfs_expect(t, "a time slice in range", uuid, before,
					     write_attr(uuid, GVT_SYSFS_GROUP "/timeslice_us", val), 0);
				count(C_SYSFS_WRITES);
			} else {
				static const char *const bad[] = { "10", "100001", "x" };
				const char *b = bad[fz_below(r, 3)];

				doing(t, "timeslice_us \"%s\" of %s", b, uuid);
				before = settled(uuid);
				sysfs_expect(t, "a bad time slice", uuid, before,
					     write_attr(uuid, GVT_SYSFS_GROUP "/timeslice_us", b),
					     !strcmp(b, "x") ? -EINVAL : -ERANGE);
				count(C_SYSFS_BAD_WRITES);
			}
			break;
		case 5: case 6: case 7:
			if (!random_mdev(r, uuid))
				break;
			snprintf(path, sizeof(path), "%s/%s/%s", GVT_MDEV_DEVICES_DIR,
				 uuid, reads[fz_below(r, sizeof(reads) / sizeof(reads[0]))]);
			doing(t, "read %s", path);
			before = settled(uuid);
			n = gvt_sysfs_read(path, buf, sizeof(buf));
			if (n < 0)
				sysfs_expect(t, "a read of a vGPU attribute", uuid,
					     before, (int)n, 0);
			count(C_SYSFS_READS);
			break;
		case 8:
			/* bad creates: not a UUID, and one that exists */
			doing(t, "bad create");
			if (fz_chance(r, 50)) {
				expect(t, "a create with a bad UUID",
				       gvt_mdev_create(8, "not-a-uuid-at-all"), -EINVAL);
			} else {
				expect(t, "a create with the UUID of an existing vGPU",
				       gvt_mdev_create(8, wgpu.uuid), -EEXIST);
			}
			count(C_SYSFS_BAD_WRITES);
			break;
		default:
			/* remove with 0 does nothing; a bad value is refused */
			doing(t, "remove \"0\" and \"x\" of the worker's vGPU");
			expect(t, "remove with 0", write_attr(wgpu.uuid, "remove", "0"), 0);
			expect(t, "remove with a bad value",
			       write_attr(wgpu.uuid, "remove", "x"), -EINVAL);
			if (!gvt_mdev_exists(wgpu.uuid))
				finding(t, "the worker's vGPU left the bus", "-");
			doing(t, "read the parent's attributes");
			n = gvt_sysfs_read("/sys/class/" GVT_CLASS_NAME "/"
					   GVT_PARENT_NAME "/sched_policy", buf, sizeof(buf));
			expect(t, "a read of the scheduling policy", n < 0 ? (int)n : 0, 0);
			n = gvt_policy_list(pols, 32);
			expect(t, "a listing of the policies", n < 0 ? (int)n : 0, 0);
			n = gvt_mdev_available((unsigned int)FZ_PICK(r, 1, 2, 4, 8));
			expect(t, "a read of available_instances", n < 0 ? (int)n : 0, 0);
			count(C_SYSFS_BAD_WRITES);
			count(C_SYSFS_READS);
			break;
		}
	}
	return NULL;
}

/* ---- main --------------------------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: lifecycle-torture [--seconds N] [--seed N] [--churners N]\n"
		"  --seconds N   how long (default 90)\n"
		"  --seed N      replay the run of seed N (printed at the start)\n"
		"  --churners N  threads creating and destroying vGPUs (1..%d, default 3)\n",
		MAX_CHURNERS);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "churners", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct churner churners[MAX_CHURNERS];
	static struct thread worker = { .name = "worker" },
			     policy = { .name = "policies" },
			     rmmod = { .name = "rmmod" },
			     sysfs = { .name = "sysfs" };
	struct thread *threads[4 + MAX_CHURNERS];
	void *(*mains[4 + MAX_CHURNERS])(void *);
	uint64_t seconds = 90, nchurn = 3, t0, now, next_progress, elapsed;
	struct fz_report rep = { 0 };
	long avail8_0, avail1_0, avail8, avail1;
	unsigned int nthreads = 0, i, stuck = 0, left;
	bool have_seed = false, whole0;
	int opt, kmsg, mdevs0, mdevs, ret;

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
		case 'c':
			if (fz_parse_u64(optarg, 1, MAX_CHURNERS, &nchurn))
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!have_seed)
		seed = fz_random_seed();

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("lifecycle-torture: seed %llu (replay: --seed %llu), %llu s, %llu churners\n",
	       (unsigned long long)seed, (unsigned long long)seed,
	       (unsigned long long)seconds, (unsigned long long)nchurn);
	if (!fz_check(&rep, gvt_sysfs_exists(GVT_MDEV_TYPES_DIR) && !find_paths() &&
		      !runner_start(),
		      "the gvt parent is there, the build tree found, the command helper started"))
		return fz_report_end(&rep);
	kmsg = fz_kmsg_open();
	if (kmsg < 0)
		fz_note("cannot read /dev/kmsg (%s): the kernel log is checked by the VM run only",
			strerror(-kmsg));
	if (unload_all_policies())
		fz_note("policies left by an earlier run could not all be unloaded");
	mdevs0 = fz_count_mdevs();
	avail8_0 = gvt_mdev_available(8);
	avail1_0 = gvt_mdev_available(1);
	whole0 = mdevs0 == 0 && avail8_0 == 8 && avail1_0 == 1;
	fz_check(&rep, whole0, "the parent is whole at the start: %d mdevs, %ld V1_8 and %ld V1_1 available",
		 mdevs0, avail8_0, avail1_0);

	/* the worker's vGPU, first: it holds slot 0, vGPU id 1 */
	ret = gvt_uuid_generate(wgpu.uuid, sizeof(wgpu.uuid));
	ret = ret ?: gvt_mdev_create(8, wgpu.uuid);
	if (!fz_check(&rep, !ret, "create the worker's V1_8 vGPU %s%s%s", wgpu.uuid,
		      ret ? ": " : "", ret ? strerror(-ret) : ""))
		return fz_report_end(&rep);
	{
		char uuid[GVT_UUID_STR_LEN];

		memcpy(uuid, wgpu.uuid, sizeof(uuid));
		ret = fz_gpu_open(&wgpu, uuid);
	}
	if (!fz_check(&rep, !ret, "open the worker's vGPU%s%s", ret ? ": " : "",
		      ret ? wgpu.err : "")) {
		fz_remove_bounded(wgpu.uuid, REMOVE_MS);
		return fz_report_end(&rep);
	}

	for (i = 0; i < 2; i++) {
		char uuid[GVT_UUID_STR_LEN];

		fz_gpu_init(&pol_gpu[i]);
		ret = gvt_uuid_generate(uuid, sizeof(uuid));
		ret = ret ?: gvt_mdev_create(8, uuid);
		ret = ret ?: fz_gpu_open(&pol_gpu[i], uuid);
		if (!fz_check(&rep, !ret, "create and open the policy thread's vGPU %u%s%s",
			      i + 1, ret ? ": " : "", ret ? pol_gpu[i].err : ""))
			return fz_report_end(&rep);
	}

	threads[nthreads] = &worker;
	mains[nthreads++] = worker_main;
	for (i = 0; i < nchurn; i++) {
		static char names[MAX_CHURNERS][16];

		snprintf(names[i], sizeof(names[i]), "churner %u", i + 1);
		churners[i].t.name = names[i];
		threads[nthreads] = &churners[i].t;
		mains[nthreads++] = churner_main;
	}
	threads[nthreads] = &policy;
	mains[nthreads++] = policy_main;
	threads[nthreads] = &rmmod;
	mains[nthreads++] = rmmod_main;
	threads[nthreads] = &sysfs;
	mains[nthreads++] = sysfs_main;

	t0 = fz_now_ms();
	next_progress = t0 + PROGRESS_MS;
	for (i = 0; i < nthreads; i++) {
		fz_rng_init(&threads[i]->r, seed, i);
		ret = pthread_create(&threads[i]->tid, NULL, mains[i], threads[i]);
		if (ret) {
			fz_check(&rep, false, "start thread %s: %s", threads[i]->name,
				 strerror(ret));
			break;
		}
		threads[i]->started = true;
	}
	while ((now = fz_now_ms()) < t0 + seconds * 1000) {
		if (now >= next_progress) {
			printf("lifecycle-torture: %llu s: %llu worker workloads, %llu creates, %llu removes, %llu policy changes\n",
			       (unsigned long long)(now - t0) / 1000,
			       (unsigned long long)counters[C_WORKER_ROUNDS],
			       (unsigned long long)counters[C_CREATES],
			       (unsigned long long)counters[C_REMOVES],
			       (unsigned long long)(counters[C_POLICY_ATTACH] +
						    counters[C_POLICY_REPLACE] +
						    counters[C_POLICY_DETACH]));
			next_progress += PROGRESS_MS;
		}
		fz_sleep_ms(100);
	}
	stop = true;
	elapsed = fz_now_ms() - t0;
	printf("lifecycle-torture: %llu s done, waiting for the threads to end\n",
	       (unsigned long long)seconds);
	now = fz_now_ms();
	for (i = 0; i < nthreads; i++) {
		uint64_t left_ms = now + JOIN_MS > fz_now_ms() ?
				   now + JOIN_MS - fz_now_ms() : 0;

		if (!threads[i]->started)
			continue;
		if (join_bounded(threads[i]->tid, left_ms > 100 ? (unsigned int)left_ms : 100)) {
			stuck++;
			fz_check(&rep, false, "thread %s did not end: stuck in: %s",
				 threads[i]->name, threads[i]->cur);
		}
	}

	/* ---- results ---- */
	printf("\nlifecycle-torture: %.1f s (seed %llu)\n", (double)elapsed / 1000,
	       (unsigned long long)seed);
	for (i = 0; i < C_NUM; i++)
		printf("    %-44s %10llu\n", counter_names[i],
		       (unsigned long long)counters[i]);
	putchar('\n');
	if (!stuck)
		fz_check(&rep, true, "every thread ended (%u threads)", nthreads);
	fz_check(&rep, counters[C_WORKER_ROUNDS] > 0 && !worker_bad,
		 "the worker's vGPU: %llu exact workloads, %llu wrong or lost",
		 (unsigned long long)counters[C_WORKER_ROUNDS],
		 (unsigned long long)worker_bad);
	if (worker_bad)
		fz_note("first: %s", worker_first_bad);
	fz_check(&rep, counters[C_CREATES] > 0 && counters[C_REMOVES] > 0,
		 "vGPUs came and went: %llu created, %llu removed",
		 (unsigned long long)counters[C_CREATES],
		 (unsigned long long)counters[C_REMOVES]);
	fz_check(&rep, !rmmod_succeeded && counters[C_RMMOD] > 0,
		 "rmmod refused all %llu times while a vGPU was open",
		 (unsigned long long)counters[C_RMMOD]);
	pthread_mutex_lock(&findings_lock);
	for (i = 0; i < nfindings; i++) {
		fz_check(&rep, false, "%s (%llu times)", findings[i].cls,
			 (unsigned long long)findings[i].count);
		fz_note("first, %s", findings[i].example);
	}
	if (findings_dropped)
		fz_check(&rep, false, "%llu more unexpected results of other kinds",
			 (unsigned long long)findings_dropped);
	if (!nfindings)
		fz_check(&rep, true, "every operation returned what its interface documents");
	pthread_mutex_unlock(&findings_lock);

	/* everything goes; a vGPU a stuck thread holds cannot */
	fz_gpu_close(&wgpu);
	left = unload_all_policies();
	fz_check(&rep, !left, "every policy detached at the end (%u left)", left);
	ret = fz_remove_bounded(wgpu.uuid, REMOVE_MS);
	if (ret)
		fz_note("remove of the worker's vGPU: %s", strerror(-ret));
	for (i = 0; i < 2; i++) {
		fz_gpu_close(&pol_gpu[i]);
		ret = fz_remove_bounded(pol_gpu[i].uuid, REMOVE_MS);
		if (ret)
			fz_note("remove of %s: %s", pol_gpu[i].uuid, strerror(-ret));
	}
	for (i = 0; i < nchurn; i++) {
		struct churner *c = &churners[i];

		if (c->uuid[0] && gvt_mdev_exists(c->uuid) && !c->broken) {
			ret = fz_remove_bounded(c->uuid, REMOVE_MS);
			if (ret)
				fz_note("remove of %s: %s", c->uuid, strerror(-ret));
		}
	}
	mdevs = fz_count_mdevs();
	avail8 = gvt_mdev_available(8);
	avail1 = gvt_mdev_available(1);
	fz_check(&rep, mdevs == 0 && avail8 == 8 && avail1 == 1,
		 "no slot leaked: %d mdevs, %ld V1_8 and %ld V1_1 available after everything was removed",
		 mdevs, avail8, avail1);
	if (kmsg >= 0) {
		unsigned int p = fz_kmsg_problems(kmsg, 30);

		fz_check(&rep, !p, "the kernel log shows no WARN, BUG, oops, lockup or hung task (%u problem lines)",
			 p);
	}
	if (stuck)
		fz_note("%u thread(s) stuck in the kernel: the process cannot end", stuck);
	printf("lifecycle-torture: seed %llu\n", (unsigned long long)seed);
	return fz_report_end(&rep);
}
