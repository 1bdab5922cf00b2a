/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgvtvfio: what the command-line tools share - their error line and
 * one set of rules for the numbers, UUIDs and type names they accept, so
 * that gvt-load and gvtctl never read the same text two ways.
 */
#ifndef GVT_CLI_H
#define GVT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gvt_sysfs.h"

/* exit status of the tools: done, the system said no, bad command line */
#define GVT_EXIT_OK	0
#define GVT_EXIT_FAIL	1
#define GVT_EXIT_USAGE	2

/* "PROGRAM: message\n" on stderr, PROGRAM being the running program */
void gvt_cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* strerror(@e), with the usual cause of a permission error on sysfs/bpffs */
const char *gvt_cli_why(int e);

/*
 * A decimal number: digits only (no sign, space or base prefix), so that
 * "-1", "1e3" or " 5" are refused rather than read as something else.
 */
bool gvt_parse_dec(const char *s, uint64_t max, uint64_t *out);
/* decimal, or hexadecimal with 0x; never octal (a leading 0 is decimal) */
bool gvt_parse_num(const char *s, uint64_t max, uint64_t *out);
/*
 * 8-4-4-4-12 hexadecimal digits, copied lower-cased into @out: the mdev
 * core names the device with %pUl, so that is the spelling sysfs uses.
 */
bool gvt_parse_uuid(const char *s, char out[GVT_UUID_STR_LEN]);
/* "V1_4", "gvt-V1_4" or "4" (any case) to the divisor 4 of a known type */
bool gvt_parse_type(const char *s, unsigned int *div);
/* the known types as "V1_1, V1_2, ..." for messages */
void gvt_types_hint(char *buf, size_t size);

/* the type divisors, in GVT_TYPE_DIVS order */
extern const unsigned int gvt_type_divs[GVT_NUM_TYPES];

#endif /* GVT_CLI_H */
