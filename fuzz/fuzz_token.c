// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_token.c - libFuzzer harness for the LUKS2 token JSON reader
 * luks_token_parse() (json-c): unlock, wipe --token-of, status and enroll
 * run it on every token of a LUKS2 header, which anyone may have written.
 *
 * Contract: 1 (cocosecret token: keyslot -1..31, GUID round-trips),
 * 0 (another type) or -EINVAL; the answer does not depend on bytes after
 * the given length.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/log.h"
#include "../src/luks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coco_token t, u;
	char *copy;
	int r;

	if (size > 64 * 1024)
		return -1;
	log_set_level(LOG_LVL_ERR);
	r = luks_token_parse((const char *)data, size, &t);
	CHECK(r == 1 || r == 0 || r == -EINVAL);
	if (r == 1) {
		char s[GUID_STR_LEN + 1];
		struct guid g;

		CHECK(t.keyslot >= -1 && t.keyslot < 32);
		if (t.has_guid) {
			guid_format(&t.guid, s);
			CHECK(guid_parse(s, &g) == 0 && guid_equal(&g, &t.guid));
		}
	}
	/* The same bytes followed by garbage, but the same length: same answer. */
	copy = malloc(size + 2);
	CHECK(copy);
	if (size)
		memcpy(copy, data, size);
	copy[size] = '}';
	copy[size + 1] = '\0';
	CHECK(luks_token_parse(copy, size, &u) == r);
	if (r == 1)
		CHECK(u.keyslot == t.keyslot && u.has_guid == t.has_guid &&
		      guid_equal(&u.guid, &t.guid));
	free(copy);
	return 0;
}
