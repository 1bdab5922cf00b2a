// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf unit tests: the device model (kmod/model/) built natively and
 * driven through the same entry points as the module's VFIO glue.
 *
 * Exits non-zero when any assertion, test or suite set-up failed, so that
 * make and CI see a failure even if nobody reads the report.
 */
#include <stdio.h>
#include <CUnit/Basic.h>
#include "unit.h"

/* test tables, one per area, in test_*.c */
extern CU_TestInfo ut_table_tests[];
extern CU_TestInfo ut_model_tests[];
extern CU_TestInfo ut_cfg_tests[];
extern CU_TestInfo ut_mmio_tests[];
extern CU_TestInfo ut_hook_tests[];
extern CU_TestInfo ut_irq_tests[];
extern CU_TestInfo ut_gtt_window_tests[];
extern CU_TestInfo ut_aperture_tests[];
extern CU_TestInfo ut_cmd_tests[];
extern CU_TestInfo ut_gtt_exec_tests[];
extern CU_TestInfo ut_sched_tests[];

#define SUITE(name, tests) \
	{ name, ut_suite_init, ut_suite_cleanup, NULL, NULL, tests }

static CU_SuiteInfo suites[] = {
	SUITE("register table", ut_table_tests),
	SUITE("model", ut_model_tests),
	SUITE("config space", ut_cfg_tests),
	SUITE("register file", ut_mmio_tests),
	SUITE("MMIO hook", ut_hook_tests),
	SUITE("interrupts", ut_irq_tests),
	SUITE("GTT window", ut_gtt_window_tests),
	SUITE("aperture", ut_aperture_tests),
	SUITE("command scanner and engines", ut_cmd_tests),
	SUITE("GTT translation", ut_gtt_exec_tests),
	SUITE("scheduler", ut_sched_tests),
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		return 2;
	}
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	/* failure records also cover suites whose init failed */
	failures = CU_get_number_of_failure_records() +
		   CU_get_number_of_suites_failed() +
		   CU_get_number_of_tests_failed();
	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		failures++;
	}
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
