// SPDX-License-Identifier: GPL-2.0
/*
 * gvtctl: the state of the parents - status (totals, vGPUs, free share,
 * scheduler of each parent, then the policies), top (live per-vGPU
 * rates) and policies (the BPF policies, through the policy library).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gvt_policy.h"
#include "gvtctl.h"

/* ---- policies ------------------------------------------------------------------ */

/* every policy, pinned names and tracing links included; 0 or -errno */
static int show_policies(void)
{
	struct gvt_policy_info *p;
	int n = gvt_policy_list_all_alloc(&p);

	if (n < 0)
		return n;
	gvt_policy_print_table(stdout, p, n);
	if (!n)
		printf("(none: the built-in handlers and scheduler run)\n");
	free(p);
	return 0;
}

int do_policies(int argc, char **argv)
{
	struct opts o;
	int ret;

	if (cmd_opts(argc, argv, "", 0, 0, &o))
		return o.rc;
	if (!need_parents())
		return GVT_EXIT_FAIL;
	ret = show_policies();
	if (ret) {
		gvt_cli_err("policies: %s: %s", GVT_SYSFS_POLICIES, strerror(-ret));
		return GVT_EXIT_FAIL;
	}
	return GVT_EXIT_OK;
}

/* ---- status -------------------------------------------------------------------- */

/* "2 x V1_4, 1 x V1_8": the types of @v[0..@n) */
static void type_mix(const struct vgpu *v, int n, char *buf, size_t size)
{
	unsigned int count[GVT_NUM_TYPES] = { 0 }, div;
	size_t len = 0;
	int i, j;

	for (i = 0; i < n; i++) {
		if (!gvt_parse_type(v[i].type, &div))
			continue;
		for (j = 0; j < GVT_NUM_TYPES; j++)
			count[j] += gvt_type_divs[j] == div;
	}
	buf[0] = '\0';
	for (j = 0; j < GVT_NUM_TYPES && len < size; j++)
		if (count[j])
			len += (size_t)snprintf(buf + len, size - len,
						"%s%u x " GVT_TYPE_PREFIX "%u",
						len ? ", " : "", count[j],
						gvt_type_divs[j]);
}

/* the parent's totals, one file each */
static int show_totals(unsigned int p)
{
	long ap, hid, fences, ctxs, first;

	if (gvt_parent_attr_long(p, "aperture_mb", &ap) ||
	    gvt_parent_attr_long(p, "hidden_mb", &hid) ||
	    gvt_parent_attr_long(p, "fences", &fences) ||
	    gvt_parent_attr_long(p, "contexts", &ctxs) ||
	    gvt_parent_attr_long(p, "first_vgpu_id", &first)) {
		gvt_cli_err("status: " GVT_CLASS_DIR "/" GVT_PARENT_PREFIX
			    "%u: unreadable", p);
		return -EIO;
	}
	printf(GVT_PARENT_PREFIX "%u (" GVT_CLASS_DIR "/" GVT_PARENT_PREFIX "%u)\n",
	       p, p);
	printf("  totals      aperture %ld MiB, hidden %ld MiB, %ld fences, %ld contexts\n",
	       ap, hid, fences, ctxs);
	printf("  vGPU ids    %ld..%ld\n", first, first + GVT_MAX_VGPUS - 1);
	return 0;
}

/* room left: one slot is an instance of the smallest type */
static int show_room(unsigned int p)
{
	long avail[GVT_NUM_TYPES];
	int j;

	for (j = 0; j < GVT_NUM_TYPES; j++) {
		avail[j] = gvt_mdev_available_on(p, gvt_type_divs[j]);
		if (avail[j] < 0) {
			gvt_cli_err("status: " GVT_PARENT_PREFIX "%u type "
				    GVT_TYPE_PREFIX "%u: %s", p, gvt_type_divs[j],
				    strerror((int)-avail[j]));
			return -EIO;
		}
	}
	/* an instance of the smallest type is one slot: its count is the share */
	for (j = 0; j < GVT_NUM_TYPES - 1 && gvt_type_divs[j] != GVT_MAX_DIV; j++)
		;
	printf("  free share  %ld/%d (room for", avail[j], GVT_MAX_DIV);
	for (j = 0; j < GVT_NUM_TYPES; j++)
		printf("%s %ld x " GVT_TYPE_PREFIX "%u", j ? "," : "", avail[j],
		       gvt_type_divs[j]);
	printf(")\n");
	return 0;
}

static void show_scheduler(unsigned int p)
{
	char name[GVT_POLICY_NAME_LEN];
	long ej = -1;

	gvt_parent_attr_long(p, "sched_ejections", &ej);
	if (gvt_policy_sched_of(p, name, sizeof(name)))
		snprintf(name, sizeof(name), "?");
	printf("  scheduler   %s%s, %ld ejection%s so far\n",
	       name[0] ? "BPF policy " : "built-in weighted", name, ej,
	       ej == 1 ? "" : "s");
}

static int show_parent(unsigned int p)
{
	char mix[256];
	long wsum = 0;
	struct vgpu *v;
	int n, i;

	if (show_totals(p))
		return -EIO;
	n = collect_vgpus((int)p, &v);
	if (n < 0) {
		gvt_cli_err("status: %s: %s", GVT_MDEV_DEVICES_DIR, strerror(-n));
		return n;
	}
	for (i = 0; i < n; i++)
		wsum += v[i].weight > 0 ? v[i].weight : 0;
	type_mix(v, n, mix, sizeof(mix));
	free(v);
	printf("  vGPUs       %d of at most %d%s%s%s\n", n, GVT_MAX_VGPUS,
	       n ? " (" : "", mix, n ? ")" : "");
	if (show_room(p))
		return -EIO;
	printf("  weights     %ld in total\n", wsum);
	show_scheduler(p);
	return 0;
}

int do_status(int argc, char **argv)
{
	int n, p, first, last, rc = GVT_EXIT_OK;
	struct opts o;

	if (cmd_opts(argc, argv, "p:", 0, 0, &o))
		return o.rc;
	p = opt_parent(&o, &n);
	if (p == -2)
		return GVT_EXIT_FAIL;
	first = p < 0 ? 0 : p;
	last = p < 0 ? n - 1 : p;
	for (p = first; p <= last; p++) {
		if (show_parent((unsigned int)p))
			rc = GVT_EXIT_FAIL;
		printf("\n");
	}
	printf("BPF policies (%s):\n", GVT_SYSFS_POLICIES);
	if (show_policies()) {
		gvt_cli_err("status: %s: unreadable", GVT_SYSFS_POLICIES);
		rc = GVT_EXIT_FAIL;
	}
	return rc;
}

/* ---- top ------------------------------------------------------------------------- */

static volatile sig_atomic_t stop_top;

static void on_signal(int sig)
{
	(void)sig;
	stop_top = 1;
}

static double rate(uint64_t cur, uint64_t prev, double secs)
{
	/* a counter that went back was reset with its vGPU: count from 0 */
	uint64_t d = cur >= prev ? cur - prev : cur;

	return secs > 0 ? (double)d / secs : 0.0;
}

#define TOP_HEAD	"%3s %-6s %-6s %6s %-6s %10s %9s %8s %6s  %s\n"
#define TOP_ROW		"%3s %-6s %-6s %6s %-6s %10.1f %9.1f %8.1f %6.1f  %s\n"

struct top_sum {
	double mmio, irq, work, busy;
};

static const struct vgpu *find_prev(const struct vgpu *c,
				    const struct vgpu *prev, int nprev)
{
	int j;

	for (j = 0; j < nprev; j++)
		if (!strcmp(prev[j].uuid, c->uuid))
			return &prev[j];
	return NULL;
}

static void top_row(const struct vgpu *c, const struct vgpu *p,
		    struct top_sum *sum)
{
	char id[24], w[24], par[16];
	double secs, m, q, k, b;

	fmt_long(id, sizeof(id), c->id);
	fmt_long(w, sizeof(w), c->weight);
	snprintf(par, sizeof(par), c->parent < 0 ? "?" : GVT_PARENT_PREFIX "%d",
		 c->parent);
	if (!p || !p->have_stats || !c->have_stats) {
		/* new since the last sample: no rate yet */
		printf(TOP_HEAD, id, par, c->type, w, c->status, "-", "-", "-",
		       "-", c->uuid);
		return;
	}
	secs = (double)(c->t_ns - p->t_ns) / 1e9;
	m = rate(c->st.mmio_reads + c->st.mmio_writes,
		 p->st.mmio_reads + p->st.mmio_writes, secs);
	q = rate(c->st.interrupts, p->st.interrupts, secs);
	k = rate(c->st.workloads_completed, p->st.workloads_completed, secs);
	/* ns of GPU time per ns of wall time, in percent of one engine */
	b = rate(c->st.gpu_busy_ns, p->st.gpu_busy_ns, secs) / 1e7;
	sum->mmio += m;
	sum->irq += q;
	sum->work += k;
	sum->busy += b;
	printf(TOP_ROW, id, par, c->type, w, c->status, m, q, k, b, c->uuid);
}

static void top_table(const struct vgpu *cur, int ncur,
		      const struct vgpu *prev, int nprev, unsigned int ms,
		      int parent)
{
	struct top_sum sum = { 0 };
	char when[32], where[32];
	time_t t = time(NULL);
	struct tm tm;
	int i;

	if (!localtime_r(&t, &tm) || !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		snprintf(when, sizeof(when), "-");
	if (parent < 0)
		snprintf(where, sizeof(where), "every parent");
	else
		snprintf(where, sizeof(where), GVT_PARENT_PREFIX "%d", parent);
	printf("gvtctl top - %s - %s: %d vGPU%s, every %u ms\n", when, where,
	       ncur, ncur == 1 ? "" : "s", ms);
	printf(TOP_HEAD, "ID", "PARENT", "TYPE", "WEIGHT", "STATUS", "MMIO/s",
	       "IRQ/s", "WORK/s", "BUSY%", "UUID");
	for (i = 0; i < ncur; i++)
		top_row(&cur[i], find_prev(&cur[i], prev, nprev), &sum);
	if (ncur > 1)
		printf("%3s %-6s %-6s %6s %-6s %10.1f %9.1f %8.1f %6.1f\n", "all",
		       "", "", "", "", sum.mmio, sum.irq, sum.work, sum.busy);
}

/* sleeps until the absolute @next; false when a signal asked to stop */
static bool sleep_until(struct timespec *next, unsigned int ms)
{
	/* absolute deadlines: the drawing time does not add up */
	next->tv_sec += ms / 1000;
	next->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (next->tv_nsec >= 1000000000L) {
		next->tv_sec++;
		next->tv_nsec -= 1000000000L;
	}
	while (!stop_top &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
		;
	return !stop_top;
}

static int top_loop(const struct opts *o, int parent, struct vgpu *prev,
		    int nprev)
{
	bool redraw = isatty(STDOUT_FILENO) && !o->count;
	struct vgpu *cur = NULL;
	struct timespec next;
	unsigned long long round;
	int ncur, rc = GVT_EXIT_OK;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (round = 0; !o->count || round < o->count; round++) {
		if (!sleep_until(&next, o->ms))
			break;
		if (!gvt_parent_count()) {
			gvt_cli_err("top: the parents are gone (module unloaded?)");
			rc = GVT_EXIT_FAIL;
			break;
		}
		ncur = collect_vgpus(parent, &cur);
		if (ncur < 0) {
			gvt_cli_err("top: %s: %s", GVT_MDEV_DEVICES_DIR,
				    strerror(-ncur));
			rc = GVT_EXIT_FAIL;
			break;
		}
		if (redraw)
			printf("\033[H\033[2J");
		else if (round)
			printf("\n");
		top_table(cur, ncur, prev, nprev, o->ms, parent);
		fflush(stdout);
		free(prev);
		prev = cur;
		nprev = ncur;
		cur = NULL;
	}
	free(prev);
	return rc;
}

int do_top(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct vgpu *prev;
	struct opts o;
	int n, p, nprev;

	if (cmd_opts(argc, argv, "p:i:n:", 0, 0, &o))
		return o.rc;
	p = opt_parent(&o, &n);
	if (p == -2)
		return GVT_EXIT_FAIL;
	/* no SA_RESTART: the sleep must end at once on ^C */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		gvt_cli_err("top: sigaction: %s", strerror(errno));
		return GVT_EXIT_FAIL;
	}
	nprev = collect_vgpus_for("top", p, &prev);
	if (nprev < 0)
		return GVT_EXIT_FAIL;
	return top_loop(&o, p, prev, nprev);
}
