// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-load: load, attach, list, replace and unload gvt-bpf policies; the
 * command line of the policy library (userspace/lib/gvt_policy.h).
 *
 *   gvt-load POLICY.bpf.o [--vgpu UUID] [--parents MASK] [--name NAME]
 *            [--set KNOB=VALUE]... [--foreground]
 *   gvt-load --replace NAME POLICY.bpf.o [--parents MASK] [--set ...]
 *   gvt-load --unload NAME
 *   gvt-load --list
 *
 * A policy is pinned under /sys/fs/bpf/gvt/NAME/ and outlives this
 * process; --unload detaches it, --replace swaps its programs on the live
 * links. With --foreground the process stays with the policy like a
 * sched_ext scheduler: when the kernel ejects it, the exit record is
 * printed and the process fails; SIGINT or SIGTERM detach it.
 *
 * Exit status: 0 done, 1 failed, 2 bad command line, 3 the kernel ejected
 * the policy (--foreground).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gvt_cli.h"
#include "gvt_policy.h"

#define MAX_SETS	64
#define EXIT_EJECTED	3
#define WAIT_SLICE_MS	1000	/* how soon a signal or a detach is seen */

struct args {
	const char *obj, *uuid, *name, *unload, *replace;
	const char *sets[MAX_SETS];
	int nsets;
	uint64_t parents;
	bool have_parents, list, foreground, verbose;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* what libbpf and the verifier said, then the error; EXIT_FAIL */
static int report(const struct gvt_policy *pol, bool show_log)
{
	const char *log = gvt_policy_log(pol);

	if (show_log && *log)
		fprintf(stderr, "%s%s", log, log[strlen(log) - 1] == '\n' ? "" : "\n");
	gvt_cli_err("%s", gvt_policy_error(pol));
	return GVT_EXIT_FAIL;
}

/* opens @path with the knobs and parents of @a; 0 or EXIT_FAIL */
static int prepare(struct gvt_policy *pol, const char *path,
		   const struct args *a)
{
	struct gvt_policy_opts opts = { .name = a->name, .debug = a->verbose };
	int i;

	if (gvt_policy_open(pol, path, &opts))
		return report(pol, true);
	if (a->uuid && gvt_policy_bind_vgpu(pol, a->uuid))
		return report(pol, false);
	if (a->have_parents && gvt_policy_set_parents(pol, a->parents))
		return report(pol, false);
	for (i = 0; i < a->nsets; i++)
		if (gvt_policy_set(pol, a->sets[i]))
			return report(pol, false);
	return 0;
}

static int detach(const char *name)
{
	int ret = gvt_policy_unload(name);

	if (ret) {
		gvt_cli_err("unload %s: %s", name, ret == -ENOENT ?
			    "no such policy loaded" : ret == -EINVAL ?
			    "not a valid policy name" : ret == -EBUSY ?
			    "unpinned, but another process holds one of its links" :
			    gvt_cli_why(-ret));
		return GVT_EXIT_FAIL;
	}
	printf("unloaded %s\n", name);
	return GVT_EXIT_OK;
}

/* an observer has no kernel record: it stays until a signal or unload */
static int wait_observer(const char *name)
{
	char dir[256];

	snprintf(dir, sizeof(dir), GVT_POLICY_PIN_ROOT "/%s", name);
	while (!stop && !access(dir, F_OK))
		usleep(WAIT_SLICE_MS * 1000);
	return stop ? detach(name) : GVT_EXIT_OK;
}

/* stays with the attached policy until it is ejected or a signal comes */
static int foreground(struct gvt_policy *pol)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct gvt_policy_info ex;
	int ret = 0;

	/* no SA_RESTART: the wait must end at once */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		gvt_cli_err("sigaction: %s", strerror(errno));
		detach(pol->name);
		return GVT_EXIT_FAIL;
	}
	printf("%s: in the foreground; SIGINT or SIGTERM detach it\n", pol->name);
	fflush(stdout);
	while (!stop && (ret == 0 || ret == -EINTR))
		ret = gvt_policy_wait(pol, WAIT_SLICE_MS, &ex);
	if (ret == -ENODATA)
		return wait_observer(pol->name);
	if (ret == 1) {
		printf("%s: the kernel stopped policy %u (%s): %s\n", pol->name,
		       ex.id, ex.state, ex.exit_reason);
		gvt_policy_print_exit(stdout, &ex, "  ");
		fflush(stdout);
		detach(pol->name);
		return EXIT_EJECTED;
	}
	if (ret == -ENOENT) {
		printf("%s was unloaded by someone else\n", pol->name);
		return GVT_EXIT_OK;
	}
	if (ret && ret != -EINTR) {
		report(pol, false);
		detach(pol->name);
		return GVT_EXIT_FAIL;
	}
	return detach(pol->name);
}

static int cmd_load(const struct args *a)
{
	struct gvt_policy pol;
	int rc = prepare(&pol, a->obj, a);

	if (!rc && gvt_policy_attach(&pol))
		rc = report(&pol, true);
	if (!rc && a->verbose)
		fputs(gvt_policy_log(&pol), stderr);
	if (!rc) {
		printf("loaded %s from %s: %u link(s) attached%s, pinned at "
		       GVT_POLICY_PIN_ROOT "/%s\n", pol.name, a->obj, pol.nlinks,
		       pol.vgpu_serial ? " to one vGPU" : "", pol.name);
		if (a->foreground)
			rc = foreground(&pol);
	}
	gvt_policy_close(&pol);
	return rc;
}

static int cmd_replace(const struct args *a)
{
	struct gvt_policy pol;
	int rc = prepare(&pol, a->obj, a);

	if (!rc && gvt_policy_replace(&pol, a->replace))
		rc = report(&pol, true);
	if (!rc)
		printf("replaced %s with %s: %u hook set(s) swapped live\n",
		       a->replace, a->obj, pol.nlinks);
	gvt_policy_close(&pol);
	return rc;
}

static int cmd_list(void)
{
	struct gvt_policy_info *p;
	int n = gvt_policy_list_all_alloc(&p);

	if (n < 0) {
		gvt_cli_err("%s: %s (is the gvt_bpf module loaded?)",
			    GVT_SYSFS_POLICIES, strerror(-n));
		return GVT_EXIT_FAIL;
	}
	gvt_policy_print_table(stdout, p, n);
	if (!n)
		printf("(none: the built-in handlers and scheduler run)\n");
	free(p);
	return GVT_EXIT_OK;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: gvt-load POLICY.bpf.o [--vgpu UUID] [--parents MASK] [--name NAME]\n"
		"                [--set KNOB=VALUE]... [--foreground]\n"
		"       gvt-load --replace NAME POLICY.bpf.o [--parents MASK] [--set KNOB=VALUE]...\n"
		"       gvt-load --unload NAME\n"
		"       gvt-load --list\n"
		"KNOB is a const volatile variable of the policy or MAP[KEY].\n"
		"MASK: bit i for parent gvt<i>, 0 for all (decimal or 0x hex).\n"
		"--foreground (-f): stay; print the exit record if the kernel ejects the\n"
		"policy (exit 3), detach it on SIGINT or SIGTERM (exit 0).\n"
		"Options: -v (libbpf's debug messages), -h.\n");
}

/* the options into @a; 0, or the exit status of a usage error */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "vgpu", required_argument, NULL, 'g' },
		{ "name", required_argument, NULL, 'n' },
		{ "set", required_argument, NULL, 's' },
		{ "parents", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "unload", required_argument, NULL, 'u' },
		{ "replace", required_argument, NULL, 'r' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *why;
	int c;

	while ((c = getopt_long(argc, argv, "fvh", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			a->uuid = optarg;
			break;
		case 'n':
			a->name = optarg;
			break;
		case 'l':
			a->list = true;
			break;
		case 'u':
			a->unload = optarg;
			break;
		case 'r':
			a->replace = optarg;
			break;
		case 'f':
			a->foreground = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(GVT_EXIT_OK);
		case 's':
			why = gvt_policy_spec_check(optarg);
			if (why || a->nsets >= MAX_SETS) {
				gvt_cli_err("--set %s: %s", optarg,
					    why ? why : "too many");
				return GVT_EXIT_USAGE;
			}
			a->sets[a->nsets++] = optarg;
			break;
		case 'p':
			if (!gvt_parse_num(optarg, UINT64_MAX, &a->parents)) {
				gvt_cli_err("--parents %s: not a mask (decimal or 0x hex)",
					    optarg);
				return GVT_EXIT_USAGE;
			}
			a->have_parents = true;
			break;
		default:
			usage(stderr);
			return GVT_EXIT_USAGE;
		}
	}
	return 0;
}

/* which combinations make sense; 0 or a usage error */
static int check_args(const struct args *a, int nargs)
{
	bool edits = a->uuid || a->name || a->nsets || a->have_parents ||
		     a->foreground;

	if (a->list + !!a->unload + !!a->replace > 1) {
		gvt_cli_err("--list, --unload and --replace exclude each other");
		return GVT_EXIT_USAGE;
	}
	if ((a->list || a->unload) && (nargs || edits)) {
		usage(stderr);
		return GVT_EXIT_USAGE;
	}
	if (!a->list && !a->unload && nargs != 1) {
		usage(stderr);
		return GVT_EXIT_USAGE;
	}
	if (a->replace && (a->uuid || a->name || a->foreground)) {
		gvt_cli_err("--replace keeps the policy's name and vGPU binding, and does not stay");
		return GVT_EXIT_USAGE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	int rc = parse_args(argc, argv, &a);

	rc = rc ?: check_args(&a, argc - optind);
	if (rc)
		return rc;
	a.obj = argv[optind];
	if (a.list)
		return cmd_list();
	if (a.unload)
		return detach(a.unload);
	if (a.replace)
		return cmd_replace(&a);
	return cmd_load(&a);
}
