// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * table.c - build and parse the launch-secret table (pure).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "table.h"

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static struct guid header_guid(void)
{
	struct guid g;

	(void)guid_parse(SECRET_TABLE_HEADER_GUID, &g);
	return g;
}

int table_size(const struct table_entry *e, size_t n, size_t *total, size_t *header_len)
{
	size_t len = TABLE_HEADER_SIZE, i;

	for (i = 0; i < n; i++) {
		if (e[i].len > UINT32_MAX - TABLE_ENTRY_HEADER_SIZE)
			return -E2BIG;
		len += TABLE_ENTRY_HEADER_SIZE + e[i].len;
		if (len > UINT32_MAX)
			return -E2BIG;
	}
	*header_len = len;
	/* Zero padding to the next multiple of 16; none when aligned. */
	*total = len + (16 - len % 16) % 16;
	return 0;
}

int table_build(const struct table_entry *e, size_t n, unsigned char *out,
		size_t out_cap, size_t *out_len)
{
	struct guid hg = header_guid();
	size_t total, hlen, off, i, j;
	int r;

	r = table_size(e, n, &total, &hlen);
	if (r < 0)
		return r;
	if (out_cap < total)
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		if (guid_is_null(&e[i].guid))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (guid_equal(&e[i].guid, &e[j].guid))
				return -EEXIST;
	}

	memcpy(out, hg.b, 16);
	put_le32(out + 16, (uint32_t)hlen);
	off = TABLE_HEADER_SIZE;
	for (i = 0; i < n; i++) {
		memcpy(out + off, e[i].guid.b, 16);
		put_le32(out + off + 16, (uint32_t)(TABLE_ENTRY_HEADER_SIZE + e[i].len));
		off += TABLE_ENTRY_HEADER_SIZE;
		if (e[i].len)
			memcpy(out + off, e[i].data, e[i].len);
		off += e[i].len;
	}
	memset(out + off, 0, total - off);
	*out_len = total;
	return 0;
}

int table_parse(const unsigned char *buf, size_t len, struct table_info *info,
		char *err, size_t errlen)
{
	struct guid hg = header_guid();
	size_t off, left, i;

	memset(info, 0, sizeof(*info));
	if (len < TABLE_HEADER_SIZE) {
		snprintf(err, errlen, "table is %zu bytes, shorter than its %d-byte header",
			 len, TABLE_HEADER_SIZE);
		return -EINVAL;
	}
	if (memcmp(buf, hg.b, 16) != 0) {
		snprintf(err, errlen, "bad header GUID (want %s)", SECRET_TABLE_HEADER_GUID);
		return -EINVAL;
	}
	info->header_len = get_le32(buf + 16);
	if (info->header_len < TABLE_HEADER_SIZE) {
		snprintf(err, errlen, "header length %zu is smaller than the header",
			 info->header_len);
		return -EINVAL;
	}
	if (info->header_len > len) {
		snprintf(err, errlen, "header length %zu is past the end of the %zu-byte table",
			 info->header_len, len);
		return -EINVAL;
	}

	/* Walk the entries as efi_secret_securityfs_setup() does. */
	off = TABLE_HEADER_SIZE;
	left = info->header_len - TABLE_HEADER_SIZE;
	while (left >= TABLE_ENTRY_HEADER_SIZE && info->files < TABLE_MAX_FILES) {
		size_t n = info->files + info->deleted;
		size_t elen = get_le32(buf + off + 16);
		struct table_entry *e = &info->entry[info->files];

		if (elen < TABLE_ENTRY_HEADER_SIZE) {
			snprintf(err, errlen, "entry %zu: length %zu is shorter than its header",
				 n, elen);
			return -EINVAL;
		}
		if (elen > left) {
			snprintf(err, errlen, "entry %zu: length %zu runs past the end of the table",
				 n, elen);
			return -EINVAL;
		}
		memcpy(e->guid.b, buf + off, 16);
		if (guid_is_null(&e->guid)) {
			info->deleted++;
		} else {
			for (i = 0; i < info->files; i++) {
				if (guid_equal(&info->entry[i].guid, &e->guid)) {
					char s[GUID_STR_LEN + 1];

					guid_format(&e->guid, s);
					snprintf(err, errlen, "entry %zu: duplicate GUID %s", n, s);
					return -EINVAL;
				}
			}
			e->data = buf + off + TABLE_ENTRY_HEADER_SIZE;
			e->len = elen - TABLE_ENTRY_HEADER_SIZE;
			info->files++;
		}
		off += elen;
		left -= elen;
	}
	info->ignored = left;
	return 0;
}
