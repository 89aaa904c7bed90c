// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-wipe.c - cocosecret wipe: unlink secret entries (efi_secret wipes them).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <libcryptsetup.h>

#include "cocosecret.h"
#include "efisecret.h"
#include "luks.h"
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

/* The GUID DEVICE's cocosecret token names; 0 none (no token, not LUKS, absent). */
static int token_guid(const char *device, struct guid *g)
{
	struct crypt_device *cd = NULL;
	struct coco_token t;
	int r;

	if (luks_load(device, &cd) < 0) {
		log_verbose("%s: no LUKS header to read a token from", device);
		return 0;
	}
	r = luks_find_token(cd, &t);
	crypt_free(cd);
	if (r != 1)
		return 0;
	if (t.has_guid)
		*g = t.guid;
	else
		(void)guid_parse(DISK_PASSPHRASE_GUID, g);
	return 1;
}

int cmd_wipe(int argc, char **argv)
{
	enum { OPT_TOKEN_OF = 0x200, OPT_TRUST };
	static const struct option longopts[] = {
		{ "secrets-dir", required_argument, NULL, OPT_SECRETS_DIR },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "token-of", required_argument, NULL, OPT_TOKEN_OF },
		{ "trust", required_argument, NULL, OPT_TRUST },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	struct secrets sec;
	struct guid *guids = NULL, *trust = NULL;
	const char **devices = NULL;
	bool all = false;
	int c, i, n = 0, ndev = 0, ntrust = 0, ret = 0;

	/* at most argc GUIDs, devices and trusted GUIDs, plus the default */
	guids = calloc((size_t)argc + 1, sizeof(*guids));
	trust = calloc((size_t)argc + 1, sizeof(*trust));
	devices = calloc((size_t)argc + 1, sizeof(*devices));
	if (!guids || !trust || !devices) {
		log_err("out of memory");
		ret = EXIT_NO_MEMORY;
		goto out;
	}
	while ((c = getopt_long(argc, argv, ":" COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int r = common_option(c, "wipe", argv);

		if (r < 0) {
			ret = EXIT_ERROR;
			goto out;
		}
		if (r > 0)
			continue;
		switch (c) {
		case OPT_SECRETS_DIR:
			dir = optarg;
			break;
		case OPT_ALL:
			all = true;
			break;
		case OPT_TOKEN_OF:
			devices[ndev++] = optarg;
			break;
		case OPT_TRUST:
			if (parse_guid_arg(optarg, &trust[ntrust]) < 0) {
				ret = EXIT_ERROR;
				goto out;
			}
			ntrust++;
			break;
		}
	}
	if (all && (optind < argc || ndev)) {
		log_err("wipe: --all excludes GUIDs and --token-of");
		errtryhelp("wipe");
		ret = EXIT_ERROR;
		goto out;
	}
	/* Check every GUID before wiping any. */
	for (; optind < argc; optind++) {
		if (parse_guid_arg(argv[optind], &guids[n]) < 0) {
			ret = EXIT_ERROR;
			goto out;
		}
		n++;
	}
	if (!n && !ndev && !all)
		(void)guid_parse(DISK_PASSPHRASE_GUID, &guids[n++]);

	(void)secure_process_init();
	luks_setup_logging(log_get_level() >= LOG_LVL_DEBUG);
	/* A token names the host's choice: with --trust, only a trusted GUID counts. */
	for (i = 0; i < ndev; i++) {
		char gs[GUID_STR_LEN + 1];

		if (token_guid(devices[i], &guids[n]) != 1)
			continue;
		if (!ntrust || guid_in(&guids[n], trust, ntrust)) {
			n++;
			continue;
		}
		guid_format(&guids[n], gs);
		log_warn("%s: its token names secret %s, which is not trusted: not wiped",
			 devices[i], gs);
	}

	/* Loading efi_secret is what makes an unread secret wipeable. */
	secrets_init(&sec, dir, true);
	if (all) {
		ret = wipe_all(&sec) < 0 ? EXIT_ERROR : EXIT_OK;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!guid_in(&guids[i], guids, i) && wipe_one(&sec, &guids[i]) < 0)
			ret = EXIT_ERROR;
out:
	free(devices);
	free(trust);
	free(guids);
	return ret;
}
