// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_guidlist.c - libFuzzer harness for guid_list_parse(): the token
 * plugin's /etc/cocosecret/trusted-guids and token-wipe (the plugin's only
 * parser of its own; its token and header parsers are fuzz_token and
 * fuzz_header's).
 *
 * Contract: a count 0..max or -EINVAL/-E2BIG; every GUID stored is one the
 * text names on a line of its own (checked by formatting it and finding it
 * in the text, either case), none twice; the answer does not depend on
 * bytes after the given length.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../src/guid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define MAX 4

/* Does text name s (case-insensitively)? */
static int names(const uint8_t *text, size_t len, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i + n <= len; i++)
		if (!strncasecmp((const char *)text + i, s, n))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guid list[MAX], again[MAX];
	char s[GUID_STR_LEN + 1];
	uint8_t *copy;
	int r, i;

	if (size > 4096)
		return -1;
	r = guid_list_parse((const char *)data, size, list, MAX);
	CHECK((r >= 0 && r <= MAX) || r == -EINVAL || r == -E2BIG);
	for (i = 0; i < r; i++) {
		guid_format(&list[i], s);
		CHECK(names(data, size, s));
		CHECK(!guid_in(&list[i], list, i));
	}
	/* The same bytes followed by more GUID text: the same answer. */
	copy = malloc(size + sizeof(DISK_PASSPHRASE_GUID));
	CHECK(copy);
	if (size)
		memcpy(copy, data, size);
	memcpy(copy + size, DISK_PASSPHRASE_GUID, sizeof(DISK_PASSPHRASE_GUID));
	CHECK(guid_list_parse((const char *)copy, size, again, MAX) == r);
	if (r > 0)
		CHECK(!memcmp(list, again, (size_t)r * sizeof(list[0])));
	free(copy);
	return 0;
}
