// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guid.c - GUID parsing and formatting in EFI byte order (pure).
 *
 * Text "00112233-4455-6677-8899-aabbccddeeff" is stored as
 * 33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff, as efi_guid_t and
 * Python's uuid.UUID(...).bytes_le do.
 */
#include <errno.h>
#include <string.h>

#include "guid.h"

/* Byte i of the stored GUID comes from text byte order_map[i]. */
static const uint8_t order_map[16] = {
	3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int guid_parse_n(const char *s, size_t len, struct guid *g)
{
	uint8_t text[16];
	size_t i, n = 0;

	if (!s || len != GUID_STR_LEN)
		return -EINVAL;

	for (i = 0; i < GUID_STR_LEN; ) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			i++;
			continue;
		}
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		text[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	for (i = 0; i < 16; i++)
		g->b[i] = text[order_map[i]];
	return 0;
}

int guid_parse(const char *s, struct guid *g)
{
	if (!s)
		return -EINVAL;
	return guid_parse_n(s, strnlen(s, GUID_STR_LEN + 1), g);
}

void guid_format(const struct guid *g, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t text[16];
	size_t i, o = 0;

	for (i = 0; i < 16; i++)
		text[order_map[i]] = g->b[i];
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[o++] = '-';
		buf[o++] = hex[text[i] >> 4];
		buf[o++] = hex[text[i] & 0xf];
	}
	buf[o] = '\0';
}

bool guid_equal(const struct guid *a, const struct guid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

bool guid_is_null(const struct guid *g)
{
	static const struct guid null_guid;

	return guid_equal(g, &null_guid);
}

bool guid_in(const struct guid *g, const struct guid *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (guid_equal(g, &list[i]))
			return true;
	return false;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int guid_list_parse(const char *text, size_t len, struct guid *list, int max)
{
	size_t pos = 0;
	int n = 0;

	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		struct guid g;

		pos += ll + (nl != NULL);
		while (ll && blank(line[ll - 1]))
			ll--;
		while (ll && blank(*line)) {
			line++;
			ll--;
		}
		if (!ll || *line == '#')
			continue;
		if (guid_parse_n(line, ll, &g) < 0)
			return -EINVAL;
		if (guid_in(&g, list, n))
			continue;
		if (n == max)
			return -E2BIG;
		list[n++] = g;
	}
	return n;
}
