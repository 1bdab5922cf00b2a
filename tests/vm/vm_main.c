// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gvt-bpf VM suite: runs inside the first-level VM with vfio, mdev and
 * gvt_bpf.ko loaded, and exercises the module through sysfs and VFIO the
 * way a VMM would.
 *
 * Usage: vm-suite [SUITE...]   (no argument: every suite)
 *        GVT_VM_TESTS=TEXT vm-suite ...  only the tests whose name holds TEXT
 * Exit status: 0 when every test passed, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "vm_common.h"

static int (*const registrars[])(void) = {
	vm_register_mdev_suites,
	vm_register_vfio_suites,
	vm_register_cfg_suites,
	vm_register_bar_suites,
	vm_register_irq_suites,
	vm_register_lifecycle_suites,
	vm_register_work_suites,
	vm_register_bpf_suites,
	vm_register_bpf_sched_suites,
	vm_register_gvtctl_suites,
	vm_register_harden_suites,
	vm_register_policy_lib_suites,
	vm_register_gvtload_suites,
	vm_register_sched_policies_suites,
	vm_register_scale_suites,
	vm_register_multi_parent_suites,
};

static void list_suites(void)
{
	CU_pSuite s;

	for (s = CU_get_registry()->pSuite; s; s = s->pNext)
		fprintf(stderr, "  %s\n", s->pName);
}

/*
 * Counts of the run that just ended. A failed suite init or cleanup (a
 * vGPU left behind, a fixture that could not be built) is a failure too,
 * not just failed assertions.
 */
static void add_counts(unsigned int *failures, unsigned int *suites,
		       unsigned int *tests)
{
	*failures += CU_get_number_of_failures();
	*suites += CU_get_number_of_suites_failed();
	*tests += CU_get_number_of_tests_failed();
}

int main(int argc, char **argv)
{
	uint64_t t0 = vm_now_ms();
	unsigned int failures = 0, suites_failed = 0, tests_failed = 0;
	unsigned int i;
	int ret = 0;

	/* the log interleaves with the kernel's: keep our lines whole */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (geteuid())
		fprintf(stderr, "vm-suite: not root, sysfs writes will fail\n");
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "vm-suite: CUnit: %s\n", CU_get_error_msg());
		return 1;
	}
	for (i = 0; i < sizeof(registrars) / sizeof(registrars[0]); i++) {
		if (registrars[i]() != CUE_SUCCESS) {
			fprintf(stderr, "vm-suite: registering suites: %s\n",
				CU_get_error_msg());
			CU_cleanup_registry();
			return 1;
		}
	}

	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (argc > 1) {
		for (i = 1; i < (unsigned int)argc; i++) {
			CU_pSuite s = CU_get_suite(argv[i]);

			if (!s) {
				fprintf(stderr, "vm-suite: no suite '%s'; suites:\n",
					argv[i]);
				list_suites();
				ret = 1;
				continue;
			}
			if (CU_basic_run_suite(s) != CUE_SUCCESS)
				ret = 1;
			add_counts(&failures, &suites_failed, &tests_failed);
		}
	} else {
		if (CU_basic_run_tests() != CUE_SUCCESS)
			ret = 1;
		add_counts(&failures, &suites_failed, &tests_failed);
	}

	if (failures || suites_failed || tests_failed)
		ret = 1;
	printf("\nvm-suite: %s (%u failure records, %u suites failed, %u tests failed) in %.1f s\n",
	       ret ? "FAILED" : "passed", failures, suites_failed,
	       tests_failed, (double)(vm_now_ms() - t0) / 1000.0);
	CU_cleanup_registry();
	return ret;
}
