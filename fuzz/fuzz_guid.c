// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_guid.c - libFuzzer harness for the GUID parser: --guid, wipe's
 * GUID arguments, table build's GUID=FILE, directory names under
 * secrets/coco, the token's "guid".
 *
 * Differential: guid_parse_n() accepts exactly the 8-4-4-4-12 hex form
 * (a reference check written here), guid_format() gives its lower-case
 * text back, and guid_parse() on a C string agrees with guid_parse_n().
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/guid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static int reference_valid(const uint8_t *s, size_t len)
{
	if (len != GUID_STR_LEN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
			     (s[i] >= 'A' && s[i] <= 'F'))) {
			return 0;
		}
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[GUID_STR_LEN + 1], *cstr;
	struct guid g, h;
	int r;

	if (size > 256)
		return -1;
	memset(&g, 0xa5, sizeof(g));
	r = guid_parse_n((const char *)data, size, &g);
	CHECK(r == 0 || r == -EINVAL);
	CHECK((r == 0) == reference_valid(data, size));
	if (r == 0) {
		guid_format(&g, s);
		CHECK(strlen(s) == GUID_STR_LEN);
		for (size_t i = 0; i < GUID_STR_LEN; i++)
			CHECK(s[i] == tolower(data[i]));
		CHECK(guid_parse(s, &h) == 0 && guid_equal(&g, &h));
	}

	/* As a C string (argv, d_name): cut at the first NUL. */
	cstr = malloc(size + 1);
	CHECK(cstr);
	if (size)
		memcpy(cstr, data, size);
	cstr[size] = '\0';
	r = guid_parse(cstr, &h);
	CHECK(r == guid_parse_n(cstr, strlen(cstr), &g));
	CHECK(r != 0 || guid_equal(&g, &h));
	free(cstr);
	return 0;
}
