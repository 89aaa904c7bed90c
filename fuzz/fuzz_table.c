// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_table.c - libFuzzer harness for the secret-table parser (what
 * `cocosecret table dump` runs on a file of up to 64 KiB).
 *
 * Beyond "no crash": every accepted table satisfies the parser's own
 * contract (entries inside the header length, non-null distinct GUIDs, at
 * most 64 files), and rebuilding its live entries with table_build() gives
 * a table that parses back to the same entries; a table with no deleted
 * entries and nothing ignored rebuilds byte for byte.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* What the parser promises about an accepted table. */
static void check_info(const uint8_t *data, size_t size, const struct table_info *info)
{
	size_t i, j;

	CHECK(info->header_len >= TABLE_HEADER_SIZE && info->header_len <= size);
	CHECK(info->files <= TABLE_MAX_FILES);
	CHECK(info->ignored <= info->header_len - TABLE_HEADER_SIZE);
	for (i = 0; i < info->files; i++) {
		const struct table_entry *e = &info->entry[i];

		CHECK(!guid_is_null(&e->guid));
		CHECK(e->data >= data + TABLE_HEADER_SIZE + TABLE_ENTRY_HEADER_SIZE);
		CHECK(e->data + e->len <= data + info->header_len);
		for (j = 0; j < i; j++)
			CHECK(!guid_equal(&e->guid, &info->entry[j].guid));
	}
}

/* Rebuild the live entries; the result parses back to the same entries. */
static void check_round_trip(const uint8_t *data, const struct table_info *info)
{
	static struct table_info again;
	char err[160];
	unsigned char *out;
	size_t total, hlen, len, i;

	CHECK(table_size(info->entry, info->files, &total, &hlen) == 0);
	/* zero padding to the next multiple of 16, none when aligned (sevctl) */
	CHECK(total >= hlen && total - hlen < 16 && total % 16 == 0);
	out = malloc(total);
	CHECK(out);
	CHECK(table_build(info->entry, info->files, out, total - 1, &len) == -ENOSPC);
	CHECK(table_build(info->entry, info->files, out, total, &len) == 0 && len == total);
	CHECK(table_parse(out, len, &again, err, sizeof(err)) == 0);
	CHECK(again.files == info->files && again.deleted == 0 && again.ignored == 0);
	CHECK(again.header_len == hlen);
	for (i = 0; i < info->files; i++) {
		CHECK(guid_equal(&again.entry[i].guid, &info->entry[i].guid));
		CHECK(again.entry[i].len == info->entry[i].len);
		CHECK(!info->entry[i].len ||
		      !memcmp(again.entry[i].data, info->entry[i].data, info->entry[i].len));
	}
	if (!info->deleted && !info->ignored && info->header_len == hlen)
		CHECK(!memcmp(out, data, hlen));
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct table_info info;
	char err[160];
	int r;

	if (size > 64 * 1024)	/* the CLI reads at most 64 KiB */
		return -1;
	err[0] = '\0';
	r = table_parse(data, size, &info, err, sizeof(err));
	if (r < 0) {
		CHECK(r == -EINVAL && err[0] && strlen(err) < sizeof(err));
		return 0;
	}
	check_info(data, size, &info);
	check_round_trip(data, &info);
	return 0;
}
