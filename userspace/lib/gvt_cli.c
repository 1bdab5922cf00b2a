// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libgvtvfio: the command-line tools' error line and input rules.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gvt_cli.h"

#define DIV_ENTRY(n) n,
const unsigned int gvt_type_divs[GVT_NUM_TYPES] = { GVT_TYPE_DIVS(DIV_ENTRY) };
#undef DIV_ENTRY

/* the longest decimal and hexadecimal spellings of a 64-bit number */
#define DEC_DIGITS_MAX	20
#define HEX_DIGITS_MAX	16

void gvt_cli_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *gvt_cli_why(int e)
{
	static __thread char buf[128];

	if (e == EACCES || e == EPERM) {
		snprintf(buf, sizeof(buf), "%s (run as root)", strerror(e));
		return buf;
	}
	return strerror(e);
}

bool gvt_parse_dec(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || strlen(s) > DEC_DIGITS_MAX)
		return false;
	for (; *s; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (!isdigit((unsigned char)*s) || d > max ||
		    v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static unsigned int hex_digit(char c)
{
	return isdigit((unsigned char)c) ? (unsigned int)(c - '0') :
	       (unsigned int)(tolower((unsigned char)c) - 'a' + 10);
}

bool gvt_parse_num(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return gvt_parse_dec(s, max, out);
	s += 2;
	if (!*s || strlen(s) > HEX_DIGITS_MAX)
		return false;
	for (; *s; s++) {
		if (!isxdigit((unsigned char)*s))
			return false;
		v = v << 4 | hex_digit(*s);
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

bool gvt_parse_uuid(const char *s, char out[GVT_UUID_STR_LEN])
{
	size_t i;

	if (strlen(s) != GVT_UUID_STR_LEN - 1)
		return false;
	for (i = 0; i < GVT_UUID_STR_LEN - 1; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[i] = '\0';
	return true;
}

bool gvt_parse_type(const char *s, unsigned int *div)
{
	static const char cls[] = GVT_CLASS_NAME "-";
	const size_t plen = strlen(GVT_TYPE_PREFIX);
	const char *p = s;
	unsigned int i;
	uint64_t v;

	if (!strncasecmp(p, cls, sizeof(cls) - 1)) {
		p += sizeof(cls) - 1;
		/* the mdev type name always has the full V1_ form */
		if (strncasecmp(p, GVT_TYPE_PREFIX, plen))
			return false;
	}
	if (!strncasecmp(p, GVT_TYPE_PREFIX, plen))
		p += plen;
	if (p[0] == '0' || !gvt_parse_dec(p, GVT_MAX_DIV, &v))
		return false;
	for (i = 0; i < GVT_NUM_TYPES; i++) {
		if (gvt_type_divs[i] == v) {
			*div = (unsigned int)v;
			return true;
		}
	}
	return false;
}

void gvt_types_hint(char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < GVT_NUM_TYPES && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len,
					"%s" GVT_TYPE_PREFIX "%u", i ? ", " : "",
					gvt_type_divs[i]);
}
