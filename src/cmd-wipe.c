// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-wipe.c - cocosecret wipe: unlink secret entries (efi_secret wipes them).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cocosecret.h"
#include "efisecret.h"
#include "log.h"
#include "safemem.h"

static int wipe_one(struct secrets *sec, const struct guid *g)
{
	char gs[GUID_STR_LEN + 1];
	int r;

	guid_format(g, gs);
	r = secrets_wipe(sec, g);
	if (r < 0) {
		log_err("cannot wipe secret %s: %s", gs, strerror(-r));
		return r;
	}
	if (r == 0)
		log_info("wiped secret %s", gs);
	else
		log_verbose("secret %s: not present", gs);
	return 0;
}

static int wipe_all(struct secrets *sec)
{
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = opendir(sec->dir);
	if (!d) {
		if (errno == ENOENT) {
			log_verbose("%s: not present, nothing to wipe", sec->dir);
			return 0;
		}
		log_err("cannot read %s: %s", sec->dir, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		struct guid g;

		if (guid_parse(de->d_name, &g) < 0)
			continue;
		if (wipe_one(sec, &g) < 0)
			ret = -EIO;
	}
	closedir(d);
	return ret;
}

int cmd_wipe(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "secrets-dir", required_argument, NULL, OPT_SECRETS_DIR },
		{ "all", no_argument, NULL, OPT_ALL },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	struct secrets sec;
	struct guid *guids = NULL;
	bool all = false;
	int c, i, n, ret = 0;

	while ((c = getopt_long(argc, argv, ":" COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int r = common_option(c, "wipe", argv);

		if (r < 0)
			return EXIT_ERROR;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_SECRETS_DIR:
			dir = optarg;
			break;
		case OPT_ALL:
			all = true;
			break;
		}
	}
	n = argc - optind;
	if (all && n) {
		log_err("wipe: --all and GUIDs exclude each other");
		errtryhelp("wipe");
		return EXIT_ERROR;
	}
	/* Check every GUID before wiping any. */
	guids = calloc((size_t)(n ? n : 1), sizeof(*guids));
	if (!guids) {
		log_err("out of memory");
		return EXIT_NO_MEMORY;
	}
	for (i = 0; i < n; i++) {
		if (parse_guid_arg(argv[optind + i], &guids[i]) < 0) {
			free(guids);
			return EXIT_ERROR;
		}
	}
	if (!n)
		(void)guid_parse(DISK_PASSPHRASE_GUID, &guids[0]);

	(void)secure_process_init();
	/* Loading efi_secret is what makes an unread secret wipeable. */
	secrets_init(&sec, dir);
	if (all) {
		ret = wipe_all(&sec);
	} else {
		for (i = 0; i < (n ? n : 1); i++)
			if (wipe_one(&sec, &guids[i]) < 0)
				ret = -EIO;
	}
	free(guids);
	return ret < 0 ? EXIT_ERROR : EXIT_OK;
}
