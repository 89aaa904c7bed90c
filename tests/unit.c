// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unit.c - unit tests of the pure parts: GUIDs, the passphrase rule, the
 * secret table (against every vector in the directory given: NAME.bin
 * built from NAME.txt, bad-*.bin rejected, legacy-pad16.bin read as
 * aligned.bin's entries).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/guid.h"
#include "../src/passphrase.h"
#include "../src/table.h"

static int passed, failed;

#define CHECK(cond, ...) do { \
	if (cond) { \
		passed++; \
	} else { \
		failed++; \
		printf("FAIL %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

static void test_guid(void)
{
	static const unsigned char disk_le[16] = {
		0xe5, 0x69, 0x68, 0x73, 0xf0, 0x84, 0x73, 0x49,
		0x92, 0xec, 0x06, 0x87, 0x9c, 0xe3, 0xda, 0x0b,
	};
	static const char *const bad[] = {
		"", "736869e5-84f0-4973-92ec-06879ce3da0", "736869e5-84f0-4973-92ec-06879ce3da0bb",
		"736869e5x84f0-4973-92ec-06879ce3da0b", "736869e5-84f0-4973-92ec_06879ce3da0b",
		"g36869e5-84f0-4973-92ec-06879ce3da0b", "{36869e5-84f0-4973-92ec-06879ce3da0b}",
		"736869e584f0497392ec06879ce3da0b", " 736869e5-84f0-4973-92ec-06879ce3da0b",
		"736869e5-84f0-4973-92ec-06879ce3da0 ", "736869e5--84f0-4973-92ec-06879ce3da0",
	};
	struct guid g, h;
	char s[GUID_STR_LEN + 1];

	CHECK(guid_parse(DISK_PASSPHRASE_GUID, &g) == 0, "parse disk GUID");
	CHECK(!memcmp(g.b, disk_le, 16), "disk GUID in EFI byte order");
	guid_format(&g, s);
	CHECK(!strcmp(s, DISK_PASSPHRASE_GUID), "format round trip: %s", s);
	CHECK(guid_parse("736869E5-84F0-4973-92EC-06879CE3DA0B", &h) == 0 && guid_equal(&g, &h),
	      "upper case accepted");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(guid_parse(bad[i], &h) == -EINVAL, "reject '%s'", bad[i]);
	CHECK(guid_parse_n(DISK_PASSPHRASE_GUID "=file", GUID_STR_LEN, &h) == 0 &&
	      guid_equal(&g, &h), "parse_n stops at its length");
	memset(&h, 0, sizeof(h));
	CHECK(guid_is_null(&h) && !guid_is_null(&g), "null GUID");
}

/* The GUID lists of /etc/cocosecret (trusted-guids, token-wipe). */
static void test_guid_list(void)
{
	static const char good[] = "# trusted\n\n  736869E5-84F0-4973-92EC-06879CE3DA0B \t\r\n"
		"736869e5-84f0-4973-92ec-06879ce3da0b\n"
		"e6f5a162-d67f-4750-a67c-5d065f2a9910";
	static const char *const bad[] = {
		"736869e5-84f0-4973-92ec-06879ce3da0b extra\n", "not-a-guid\n",
		"736869e5-84f0-4973-92ec-06879ce3da0b\n736869e5-84f0\n",
		"736869e5-84f0-4973-92ec-06879ce3da0b\0\n",
	};
	struct guid list[2], g;
	size_t i;

	CHECK(guid_list_parse(good, sizeof(good) - 1, list, 2) == 2, "list: two GUIDs, one twice");
	(void)guid_parse(DISK_PASSPHRASE_GUID, &g);
	CHECK(guid_equal(&list[0], &g), "list: first GUID, either case");
	CHECK(guid_list_parse(good, sizeof(good) - 1, list, 1) == -E2BIG, "list: more than max");
	CHECK(guid_list_parse("", 0, list, 2) == 0, "list: empty");
	CHECK(guid_list_parse("\n#\n\n", 4, list, 2) == 0, "list: only comments and blank lines");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(guid_list_parse(bad[i], strlen(bad[i]) + (i == 3 ? 2 : 0), list, 2) == -EINVAL,
		      "list: reject bad case %zu", i);
	CHECK(guid_list_parse("\t# indented comment\n", 20, list, 2) == 0, "list: indented comment");
	CHECK(guid_list_parse(good, 13 + 20, list, 2) == -EINVAL, "list: stops at its length");
}

static void test_passphrase(void)
{
	static const struct {
		const char *data;
		size_t len, want;
	} cases[] = {
		{ "secret", 6, 6 },
		{ "secret\n", 7, 6 },
		{ "secret\n\n", 8, 7 },		/* one newline only */
		{ "secret\0", 7, 6 },		/* GRUB: NUL-terminated */
		{ "secret\n\0", 8, 6 },		/* NUL first, then the newline */
		{ "sec\0ret", 7, 3 },		/* up to the first NUL */
		{ "secret\r\n", 8, 7 },		/* only \n is special */
		{ "\n", 1, 0 },
		{ "\0secret", 7, 0 },
		{ "", 0, 0 },
		{ "\xff\xfe\x01\x80", 4, 4 },	/* binary */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t got = passphrase_len((const unsigned char *)cases[i].data, cases[i].len);

		CHECK(got == cases[i].want, "passphrase case %zu: got %zu want %zu", i, got,
		      cases[i].want);
	}
	CHECK(passphrase_len(NULL, 5) == 0, "NULL data");
}

static unsigned char *slurp(const char *path, size_t *len)
{
	static unsigned char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return buf;
}

/* NAME.txt lists "GUID FILE" lines; NAME.bin is the table built from them. */
#define VEC_MAX 8
struct vec {
	struct table_entry ent[VEC_MAX];
	unsigned char *data[VEC_MAX];
	size_t n;
};

static void vec_free(struct vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->data[i]);
	v->n = 0;
}

static int vec_read(const char *dir, const char *name, struct vec *v)
{
	char path[512], line[512];
	size_t len;
	FILE *f;

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
	f = fopen(path, "r");
	CHECK(f != NULL, "open %s", path);
	if (!f)
		return -1;
	while (v->n < VEC_MAX && fgets(line, sizeof(line), f)) {
		char file[256];
		unsigned char *d;

		if (sscanf(line, "%*36s %255s", file) != 1 ||
		    guid_parse_n(line, 36, &v->ent[v->n].guid))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		d = slurp(path, &len);
		CHECK(d != NULL, "read %s", path);
		if (!d)
			break;
		v->data[v->n] = malloc(len ? len : 1);
		if (!v->data[v->n])
			break;
		memcpy(v->data[v->n], d, len);
		v->ent[v->n].data = v->data[v->n];
		v->ent[v->n].len = len;
		v->n++;
	}
	fclose(f);
	return 0;
}

/* The table's live entries are exactly v's, in order. */
static int vec_matches(const struct table_info *info, const struct vec *v)
{
	if (info->files != v->n)
		return 0;
	for (size_t i = 0; i < v->n; i++)
		if (!guid_equal(&info->entry[i].guid, &v->ent[i].guid) ||
		    info->entry[i].len != v->ent[i].len ||
		    memcmp(info->entry[i].data, v->ent[i].data, v->ent[i].len))
			return 0;
	return 1;
}

static size_t header_len_of(const unsigned char *t, size_t len)
{
	return len < TABLE_HEADER_SIZE ? 0 :
	       (size_t)t[16] | (size_t)t[17] << 8 | (size_t)t[18] << 16 | (size_t)t[19] << 24;
}

static void test_vector(const char *dir, const char *name)
{
	unsigned char out[4096], *bin;
	size_t out_len = 0, blen = 0;
	struct table_info info;
	char path[512], err[160];
	struct vec v;

	if (vec_read(dir, name, &v) < 0)
		return;
	CHECK(table_build(v.ent, v.n, out, sizeof(out), &out_len) == 0, "%s: build", name);
	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	bin = slurp(path, &blen);
	CHECK(bin && blen == out_len && !memcmp(bin, out, blen),
	      "%s: build is byte-identical to %s.bin (%zu vs %zu bytes)", name, name, out_len, blen);
	CHECK(out_len % 16 == 0 && out_len - header_len_of(out, out_len) < 16,
	      "%s: padded to the next multiple of 16, no more", name);
	CHECK(table_parse(out, out_len, &info, err, sizeof(err)) == 0 && vec_matches(&info, &v),
	      "%s: own table parses back to %s.txt's entries", name, name);
	if (bin)
		CHECK(table_parse(bin, blen, &info, err, sizeof(err)) == 0 && vec_matches(&info, &v),
		      "%s.bin parses to %s.txt's entries", name, name);
	vec_free(&v);
}

/* An older producer's table (a full 16 bytes of padding) reads as NAME.txt's. */
static void test_legacy_vector(const char *dir, const char *file, const char *name)
{
	struct table_info info;
	char path[512], err[160] = "";
	unsigned char *bin;
	size_t blen = 0;
	struct vec v;

	if (vec_read(dir, name, &v) < 0)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	bin = slurp(path, &blen);
	CHECK(bin != NULL, "read %s", path);
	if (bin)
		CHECK(table_parse(bin, blen, &info, err, sizeof(err)) == 0 &&
		      vec_matches(&info, &v) && blen - info.header_len == 16 && !info.ignored,
		      "%s parses to %s.txt's entries (%s)", file, name, err);
	vec_free(&v);
}

static void test_bad_vector(const char *dir, const char *name)
{
	struct table_info info;
	char path[512], err[160] = "";
	unsigned char *bin;
	size_t blen = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	bin = slurp(path, &blen);
	CHECK(bin != NULL, "read %s", path);
	if (bin)
		CHECK(table_parse(bin, blen, &info, err, sizeof(err)) == -EINVAL && err[0],
		      "%s rejected", name);
}

static void test_table(void)
{
	struct table_entry e[3] = { 0 };
	unsigned char out[256];
	struct table_info info;
	size_t len, total, hlen;
	char err[160];

	/* padding: zeros up to the next multiple of 16, none when aligned (sevctl) */
	CHECK(table_size(e, 0, &total, &hlen) == 0 && hlen == 20 && total == 32, "empty table");
	e[0].len = 4;
	(void)guid_parse(DISK_PASSPHRASE_GUID, &e[0].guid);
	e[0].data = (const unsigned char *)"abcd";
	CHECK(table_size(e, 1, &total, &hlen) == 0 && hlen == 44 && total == 48, "padding");
	e[0].len = 5;
	CHECK(table_size(e, 1, &total, &hlen) == 0 && hlen == 45 && total == 48, "padding 3");
	e[0].len = 24;
	e[0].data = (const unsigned char *)"abcdefghijklmnopqrstuvwx";
	CHECK(table_size(e, 1, &total, &hlen) == 0 && hlen == 64 && total == 64,
	      "aligned: no padding");
	CHECK(table_build(e, 1, out, 63, &len) == -ENOSPC, "short buffer");
	CHECK(table_build(e, 1, out, sizeof(out), &len) == 0 && len == 64, "aligned build");
	/* an older producer's full 16 bytes after an aligned table */
	memset(out + 64, 0, 16);
	CHECK(table_parse(out, 80, &info, err, sizeof(err)) == 0 && info.files == 1 &&
	      info.header_len == 64 && !info.ignored, "full-16 padding accepted");
	e[1] = e[0];
	CHECK(table_build(e, 2, out, sizeof(out), &len) == -EEXIST, "duplicate GUID");
	memset(&e[1].guid, 0, sizeof(e[1].guid));
	CHECK(table_build(e, 2, out, sizeof(out), &len) == -EINVAL, "null GUID");

	/* a deleted (null-GUID) entry is skipped, as the kernel does */
	CHECK(table_build(e, 1, out, sizeof(out), &len) == 0, "build one");
	memset(out + 20, 0, 16);
	CHECK(table_parse(out, len, &info, err, sizeof(err)) == 0 && info.files == 0 &&
	      info.deleted == 1, "deleted entry skipped");
	/* GRUB's efisecret memsets its whole entry, length included: a corrupt table */
	CHECK(table_build(e, 1, out, sizeof(out), &len) == 0, "build one for GRUB");
	memset(out + TABLE_HEADER_SIZE, 0, TABLE_ENTRY_HEADER_SIZE + e[0].len);
	CHECK(table_parse(out, len, &info, err, sizeof(err)) == -EINVAL,
	      "an entry GRUB wiped makes Linux reject the table");
	CHECK(table_parse(out, 19, &info, err, sizeof(err)) == -EINVAL, "shorter than header");
	CHECK(table_build(e, 1, out, sizeof(out), &len) == 0, "build one again");
	out[16] = 19;
	CHECK(table_parse(out, len, &info, err, sizeof(err)) == -EINVAL, "header length < 20");
}

/*
 * Every vector in dir: NAME.txt + NAME.bin built and parsed, bad-*.bin
 * rejected, legacy-pad16.bin read as aligned.txt's entries; any other .bin
 * is a vector this test does not know: a failure, so none goes unchecked.
 */
static void test_vectors(const char *dir)
{
	struct dirent **names;
	int n, i, txt = 0;

	n = scandir(dir, &names, NULL, alphasort);
	CHECK(n > 0, "list %s", dir);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		const char *f = names[i]->d_name;
		size_t l = strlen(f);
		char base[256];

		if (l < 5 || l >= sizeof(base))
			continue;
		memcpy(base, f, l - 4);
		base[l - 4] = '\0';
		if (!strcmp(f + l - 4, ".txt")) {
			test_vector(dir, base);
			txt++;
		} else if (!strcmp(f + l - 4, ".bin")) {
			char txtpath[512];

			snprintf(txtpath, sizeof(txtpath), "%s/%s.txt", dir, base);
			if (!strncmp(f, "bad-", 4))
				test_bad_vector(dir, f);
			else if (!strcmp(f, "legacy-pad16.bin"))
				test_legacy_vector(dir, f, "aligned");
			else
				CHECK(access(txtpath, F_OK) == 0, "%s: a vector with no rule", f);
		}
	}
	CHECK(txt >= 4, "%s holds the vectors (%d NAME.txt)", dir, txt);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int main(int argc, char **argv)
{
	test_guid();
	test_guid_list();
	test_passphrase();
	test_table();
	if (argc > 1)
		test_vectors(argv[1]);
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
