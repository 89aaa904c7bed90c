// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-table.c - cocosecret table build|dump: the host side's secret table.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cocosecret.h"
#include "log.h"
#include "safemem.h"
#include "table.h"

/* Far beyond OVMF's 3 KiB area; keeps a mistaken input from eating memory. */
#define TABLE_FILE_MAX (64 * 1024)

/*
 * Write the table to path: a regular file (or a new name) is replaced
 * atomically by a new file of mode 0600 (a temporary in the same directory,
 * fsync'ed, renamed over it), so that neither an old file's looser mode nor a
 * partial table survives; a device or FIFO is written in place.
 */
static int write_file(const char *path, const unsigned char *data, size_t len)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat sb;
	int fd, n, r;

	if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
		return -ELOOP;
	if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
		if (fd < 0)
			return -errno;
		r = write_all(fd, data, len);
		if (close(fd) < 0 && !r)
			r = -errno;
		return r;
	}
	n = slash ? snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path,
			     slash + 1) :
		    snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);	/* mode 0600 */
	if (fd < 0)
		return -errno;
	r = fchmod(fd, 0600) < 0 ? -errno : 0;
	if (!r)
		r = write_all(fd, data, len);
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	/* A partial table holds secret bytes and is no table: leave none. */
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

static int table_build_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct table_entry *ent = NULL;
	struct secure_buf *bufs = NULL, out = { 0 };
	const char *output = NULL;
	size_t total, hlen, sum = 0;
	int c, i, n, r, ret = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, ":o:" COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		r = common_option(c, "table", argv);
		if (r < 0)
			return EXIT_ERROR;
		if (r == 0)
			output = optarg;	/* only 'o' is left */
	}
	n = argc - optind;
	if (!output || n < 1) {
		log_err("table build: need -o OUT and at least one GUID=FILE");
		errtryhelp("table");
		return EXIT_ERROR;
	}
	(void)secure_process_init();
	ent = calloc((size_t)n, sizeof(*ent));
	bufs = calloc((size_t)n, sizeof(*bufs));
	if (!ent || !bufs) {
		log_err("out of memory");
		ret = EXIT_NO_MEMORY;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *arg = argv[optind + i], *eq = strchr(arg, '=');

		if (!eq || guid_parse_n(arg, (size_t)(eq - arg), &ent[i].guid) < 0 || !eq[1]) {
			log_err("table build: '%.64s' is not GUID=FILE", arg);
			goto out;
		}
		if (guid_is_null(&ent[i].guid)) {
			/* efi_secret skips it as a deleted entry: no file, no secret */
			log_err("table build: null GUID (Linux skips such an entry as deleted: it would never show up)");
			goto out;
		}
		r = secure_read_file(eq + 1, TABLE_FILE_MAX, &bufs[i]);
		if (r < 0) {
			log_err("table build: cannot read %s: %s", eq + 1,
				r == -EFBIG ? "file too large" : strerror(-r));
			goto out;
		}
		ent[i].data = bufs[i].data;
		ent[i].len = bufs[i].len;
		sum += bufs[i].len;
		if (sum > TABLE_FILE_MAX) {
			log_err("table build: the entries exceed %d bytes", TABLE_FILE_MAX);
			goto out;
		}
	}
	r = table_size(ent, (size_t)n, &total, &hlen);
	if (r == 0)
		r = secure_alloc(&out, total);
	if (r == 0)
		r = table_build(ent, (size_t)n, out.data, out.cap, &out.len);
	if (r == -EEXIST) {
		log_err("table build: duplicate GUID (the kernel would reject the whole table)");
		goto out;
	}
	if (r < 0) {
		log_err("table build: %s", strerror(-r));
		goto out;
	}
	if (n > TABLE_MAX_FILES)
		log_warn("%d entries: Linux shows only the first %d", n, TABLE_MAX_FILES);
	if (out.len > TABLE_OVMF_AREA_SIZE)
		log_warn("table is %zu bytes: larger than OVMF's %d-byte secret area",
			 out.len, TABLE_OVMF_AREA_SIZE);
	r = write_file(output, out.data, out.len);
	if (r < 0) {
		log_err("cannot write %s: %s", output, strerror(-r));
		goto out;
	}
	log_verbose("wrote %s: %zu bytes, %d entries", output, out.len, n);
	ret = EXIT_OK;
out:
	for (i = 0; bufs && i < n; i++)
		secure_free(&bufs[i]);
	secure_free(&out);
	free(bufs);
	free(ent);
	return ret;
}

static int table_dump_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct table_info info;
	struct secure_buf b = { 0 };
	char err[160], gs[GUID_STR_LEN + 1];
	int c, r;

	while ((c = getopt_long(argc, argv, ":" COMMON_SHORTOPTS, longopts, NULL)) != -1)
		if (common_option(c, "table", argv) < 0)
			return EXIT_ERROR;
	if (argc - optind != 1) {
		log_err("table dump: need exactly one FILE");
		errtryhelp("table");
		return EXIT_ERROR;
	}
	(void)secure_process_init();
	r = secure_read_file(argv[optind], TABLE_FILE_MAX, &b);
	if (r < 0) {
		log_err("cannot read %s: %s", argv[optind],
			r == -EFBIG ? "file too large" : strerror(-r));
		return EXIT_ERROR;
	}
	r = table_parse(b.data, b.len, &info, err, sizeof(err));
	if (r < 0) {
		log_err("%s: corrupt secret table: %s", argv[optind], err);
		secure_free(&b);
		return EXIT_ERROR;
	}
	printf("table: %zu bytes, header length %zu, %zu entries\n", b.len,
	       info.header_len, info.files);
	for (size_t i = 0; i < info.files; i++) {
		guid_format(&info.entry[i].guid, gs);
		printf("%s %zu\n", gs, info.entry[i].len);
	}
	if (info.deleted)
		printf("deleted entries: %zu\n", info.deleted);
	if (info.ignored)
		printf("ignored: %zu bytes after the last entry\n", info.ignored);
	secure_free(&b);
	return EXIT_OK;
}

int cmd_table(int argc, char **argv)
{
	if (argc < 2) {
		log_err("table: need 'build' or 'dump'");
		errtryhelp("table");
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_verb("table");
		return EXIT_OK;
	}
	argc--;
	argv++;
	optind = 0;
	if (!strcmp(argv[0], "build"))
		return table_build_cmd(argc, argv);
	if (!strcmp(argv[0], "dump"))
		return table_dump_cmd(argc, argv);
	log_err("table: unknown action '%.32s' (want build or dump)", argv[0]);
	errtryhelp("table");
	return EXIT_ERROR;
}
