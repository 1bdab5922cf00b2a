/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared pieces of the VM suite: assertions that print the values they
 * compared, vGPU bookkeeping so every suite can remove what it created,
 * and the one-open-vGPU fixture most suites start from.
 */
#ifndef VM_COMMON_H
#define VM_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <CUnit/CUnit.h>

#include "gvt/gvt_abi.h"
#include "gvt/gvt_regs.h"
#include "gvt_sysfs.h"
#include "gvt_vfio.h"

/* every wait in the suite is bounded by this, so a bug fails, never hangs */
#define VM_WAIT_MS		5000

/* the type divisors, in the order GVT_TYPE_DIVS lists them */
extern const unsigned int vm_divs[GVT_NUM_TYPES];

/*
 * Assertions. CUnit copies the condition string of a failure, so they put
 * the compared values into it: a failure in a VM log is then readable
 * without a rerun.
 */
bool vm_assert_eq(unsigned long long a, unsigned long long b,
		  const char *sa, const char *sb, const char *file,
		  unsigned int line, bool fatal);
bool vm_assert_ret(long ret, long want, const char *expr, const char *why,
		   const char *file, unsigned int line, bool fatal);
bool vm_assert_str(const char *a, const char *b, const char *sa,
		   const char *file, unsigned int line);
/* asserts that command output @out contains (@want) or lacks @s; shows it when not */
bool vm_assert_out(const char *out, const char *s, bool want,
		   const char *file, unsigned int line);

#define VM_EQ(a, b)							\
	vm_assert_eq((unsigned long long)(a), (unsigned long long)(b),	\
		     #a, #b, __FILE__, __LINE__, false)
#define VM_EQ_FATAL(a, b)						\
	vm_assert_eq((unsigned long long)(a), (unsigned long long)(b),	\
		     #a, #b, __FILE__, __LINE__, true)
/* @expr returns 0 or -errno; @d (may be NULL) explains a library failure */
#define VM_OK(d, expr)							\
	vm_assert_ret((long)(expr), 0, #expr, vm_why(d), __FILE__, __LINE__, false)
#define VM_OK_FATAL(d, expr)						\
	vm_assert_ret((long)(expr), 0, #expr, vm_why(d), __FILE__, __LINE__, true)
/* @expr must fail with exactly -@err */
#define VM_ERR(expr, err)						\
	vm_assert_ret((long)(expr), -(long)(err), #expr, NULL, __FILE__, __LINE__, false)
#define VM_STR(a, b)	vm_assert_str((a), (b), #a, __FILE__, __LINE__)

static inline const char *vm_why(const struct gvt_vfio *d)
{
	return d ? gvt_vfio_error(d) : NULL;
}

/* prints an indented note under the current test's line */
void vm_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* one vGPU, created and opened; give it static storage (see below) */
struct vm_dev {
	char uuid[GVT_UUID_STR_LEN];
	unsigned int div;
	struct gvt_vfio d;
	bool created;
};

/*
 * vGPU bookkeeping. Everything created through these is recorded, with
 * the level that owns it: a test (removed by the test teardown even when
 * a fatal assertion cut the test short) or a suite (removed by the suite
 * cleanup). A vGPU is closed before it is removed, since removing an open
 * one waits for the user to let go. A vm_dev is referenced by the record
 * until torn down, hence static storage.
 * All return 0 or -errno like the library.
 */
int vm_create(unsigned int div, char uuid[GVT_UUID_STR_LEN]);
int vm_remove(const char *uuid);
/* creates a V1_@div vGPU and opens it; @suite: owned by the suite */
int vm_dev_setup(struct vm_dev *v, unsigned int div, bool suite);
/* closes and removes @v; 0 or the remove's -errno */
int vm_dev_teardown(struct vm_dev *v);
/* removes every recorded vGPU of tests (and of suites if @suite) */
int vm_remove_all(bool suite);
/* number of mdevs on the bus (any parent), or -errno */
int vm_count_mdevs(void);
/* suite cleanup: removes leftovers, fails (-1) if any vGPU remains */
int vm_suite_cleanup(void);
/* test teardown: removes what the test left behind */
void vm_test_teardown(void);

/*
 * The parent's totals (module parameters when the module exposes them,
 * the ABI defaults otherwise), to check a type's share against.
 */
struct vm_parent_totals {
	uint64_t aperture;
	uint64_t hidden;
	uint32_t fences;
	uint32_t contexts;
};
void vm_parent_totals(struct vm_parent_totals *t);

/*
 * Checks the PV-info page of an open vGPU of type V1_@div: magic, type,
 * the share of every resource, alignment and bounds of its graphics
 * memory ranges; the aperture size also against BAR2's region size.
 */
void vm_check_pvinfo(struct gvt_vfio *d, unsigned int div);

/* counter @name of the vGPU (sysfs gvt_stats/<name>), or -1 */
long long vm_stat(const char *uuid, const char *name);

/*
 * The attached policies (/sys/kernel/gvt/policies/): the first of @hook
 * ("mmio", "sched", NULL: any) named @name (NULL: any), 0 or -ENOENT; how
 * many of @hook there are; and the scheduling one as one line
 * "sched NAME state=S decisions=N reason=R msg=M" ("" if none) in @buf.
 */
struct gvt_policy_info;
int vm_policy_find(const char *hook, const char *name,
		   struct gvt_policy_info *p);
int vm_policy_count(const char *hook);
const char *vm_sched_line(char *buf, size_t size);

/*
 * One 32-bit BAR0 register of an open vGPU, asserting the access worked.
 * A failed read returns 0xdeadbeef, which no check mistakes for a value.
 */
uint32_t vm_mmio_rd(struct vm_dev *v, uint32_t off);
void vm_mmio_wr(struct vm_dev *v, uint32_t off, uint32_t val);

/* waits up to @ms for @fd to become readable: 1 yes, 0 timeout, -errno */
int vm_wait_readable(int fd, int ms);
/* reads an eventfd's counter; 0 or -errno */
int vm_eventfd_read(int fd, uint64_t *val);

/* CLOCK_MONOTONIC in ms */
uint64_t vm_now_ms(void);

/*
 * Shell commands, for the suites that drive the project's programs the
 * way an operator does. vm_run() runs one with stderr folded into stdout
 * and keeps up to @len - 1 bytes of the output in @out; vm_collect() does
 * the reading for a command the caller popen()ed itself (to work while it
 * runs), and closes it. Both return the exit status, 128 when the command
 * did not exit normally; vm_run() -1 when it could not start one.
 */
int vm_run(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vm_collect(FILE *p, char *out, size_t len);
/* the build directory this program runs from (.../build), or NULL */
const char *vm_build_dir(void);

/*
 * Policies loaded in process, through the policy library (gvt_policy.h),
 * for suites that need one attached rather than a test of gvt-load.
 * vm_policy_load() attaches build/bpf/@obj.bpf.o pinned as @name (NULL:
 * the library's default), bound to vGPU @uuid (NULL: unbound), with
 * @sets: a printf format of space-separated KNOB=VALUE and MAP[KEY]=VALUE
 * (NULL: none). vm_policy_replace() swaps policy @name's programs for
 * @obj's. All return 0 or -errno; after a failure vm_policy_why() says
 * what the library said (its error, then the end of its log).
 */
int vm_policy_load(const char *obj, const char *name, const char *uuid,
		   const char *sets, ...) __attribute__((format(printf, 4, 5)));
int vm_policy_replace(const char *name, const char *obj, const char *sets,
		      ...) __attribute__((format(printf, 3, 4)));
int vm_policy_unload(const char *name);
const char *vm_policy_why(void);
/* build/bpf/@obj.bpf.o into @buf */
const char *vm_bpf_obj(const char *obj, char *buf, size_t size);
/* unloads every policy pinned under /sys/fs/bpf/gvt; 0 or the first -errno */
int vm_unload_all(void);

/* @expr returns 0 or -errno from a vm_policy_*() call */
#define VM_POL_OK(expr)							\
	vm_assert_ret((long)(expr), 0, #expr, vm_policy_why(), __FILE__, __LINE__, false)
#define VM_POL_OK_FATAL(expr)						\
	vm_assert_ret((long)(expr), 0, #expr, vm_policy_why(), __FILE__, __LINE__, true)

/* suite registration, one per file */
int vm_register_mdev_suites(void);
int vm_register_vfio_suites(void);
int vm_register_cfg_suites(void);
int vm_register_bar_suites(void);
int vm_register_irq_suites(void);
int vm_register_lifecycle_suites(void);
int vm_register_work_suites(void);
int vm_register_bpf_suites(void);
int vm_register_bpf_sched_suites(void);
int vm_register_gvtctl_suites(void);
int vm_register_harden_suites(void);
int vm_register_policy_lib_suites(void);
int vm_register_gvtload_suites(void);
int vm_register_sched_policies_suites(void);
int vm_register_scale_suites(void);
int vm_register_multi_parent_suites(void);

/* adds @tests (NULL-terminated) to a new suite; CUE_* */
struct vm_test {
	const char *name;
	CU_TestFunc fn;
};
int vm_add_suite(const char *name, CU_InitializeFunc init,
		 CU_CleanupFunc cleanup, const struct vm_test *tests);

#endif /* VM_COMMON_H */
