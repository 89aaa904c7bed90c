// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-status.c - cocosecret status: what is there (never a secret's contents).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libcryptsetup.h>

#include "cocosecret.h"
#include "efisecret.h"
#include "log.h"
#include "luks.h"
#include "safemem.h"

/*
 * List the entries.  Reading one leaves a copy in the kernel's freed
 * memory (see cocosecret(8), SECRET HYGIENE): only the entries asked for
 * with --guid are read, to tell their length; the others are listed unread.
 */
static void show_secrets(struct secrets *sec, const struct guid *want, int nwant)
{
	struct guid disk;
	struct dirent *de;
	DIR *d;
	int n = 0;

	(void)guid_parse(DISK_PASSPHRASE_GUID, &disk);
	d = opendir(sec->dir);
	if (!d) {
		printf("secrets: %s: %s\n", sec->dir,
		       errno == ENOENT ? "absent" : strerror(errno));
		return;
	}
	printf("secrets: %s\n", sec->dir);
	while ((de = readdir(d))) {
		struct secure_buf b = { 0 };
		const char *what = "present (not read)";
		char gs[GUID_STR_LEN + 1], len[48];
		bool asked = false;
		struct guid g;
		int r, i;

		if (guid_parse(de->d_name, &g) < 0)
			continue;
		n++;
		guid_format(&g, gs);
		for (i = 0; i < nwant; i++)
			asked = asked || guid_equal(&g, &want[i]);
		if (asked) {
			r = secrets_read(sec, &g, 0, &b);
			secrets_release(sec);
			if (r < 0) {
				what = secrets_strerror(r);
			} else {
				snprintf(len, sizeof(len), "%zu bytes", b.len);
				what = len;
			}
			secure_free(&b);
		}
		printf("  %s  %s%s\n", gs, what,
		       guid_equal(&g, &disk) ? "  (disk passphrase)" : "");
	}
	closedir(d);
	printf("entries: %d\n", n);
}

static int show_device(struct secrets *sec, const char *device)
{
	struct crypt_device *cd = NULL;
	struct coco_token t;
	char gs[GUID_STR_LEN + 1];
	int r, n = 0;

	r = luks_load(device, &cd);
	if (r < 0) {
		log_err("%s: %s", device, r == -ENOENT ? "not found" :
			r == -EINVAL ? "not a LUKS device" : strerror(-r));
		return EXIT_NO_DEVICE;
	}
	printf("%s: %s, UUID %s\n", device, crypt_get_type(cd), crypt_get_uuid(cd));
	for (r = luks_find_token_from(cd, 0, &t); r == 1;
	     r = luks_find_token_from(cd, t.id + 1, &t)) {
		if (!t.has_guid)
			(void)guid_parse(DISK_PASSPHRASE_GUID, &t.guid);
		guid_format(&t.guid, gs);
		printf("  %s token %d: keyslot %d, secret %s (%s), %s\n", COCO_TOKEN_TYPE, t.id,
		       t.keyslot, gs, secrets_exists(sec, &t.guid) == 1 ? "present" : "absent",
		       t.has_mac ? "header MAC" : "no header MAC");
		n++;
	}
	if (!n)
		printf("  no %s token\n", COCO_TOKEN_TYPE);
	crypt_free(cd);
	return EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "secrets-dir", required_argument, NULL, OPT_SECRETS_DIR },
		{ "guid", required_argument, NULL, OPT_GUID },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct secrets sec = { .fd = -1 };
	struct guid want[64];
	char state[32];
	const char *st;
	int c, nwant = 0, ret = EXIT_OK;

	while ((c = getopt_long(argc, argv, ":" COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int r = common_option(c, "status", argv);

		if (r < 0)
			return EXIT_ERROR;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_SECRETS_DIR:
			sec.dir = optarg;
			break;
		case OPT_GUID:
			if (nwant == (int)(sizeof(want) / sizeof(want[0]))) {
				log_err("status: too many --guid options");
				return EXIT_ERROR;
			}
			if (parse_guid_arg(optarg, &want[nwant]) < 0)
				return EXIT_ERROR;
			nwant++;
			break;
		}
	}
	(void)secure_process_init();
	luks_setup_logging(log_get_level() >= LOG_LVL_DEBUG);

	/* Look, don't touch: no mount, no module load. */
	if (!sec.dir) {
		sec.dir = COCO_SECRETS_DIR;
		sec.system = true;
		sec.module_state = -ENOENT;
		printf("securityfs: %s\n", securityfs_mounted() ?
		       "mounted on " SECURITYFS_MOUNT : "not mounted");
		st = efi_secret_module_state(state, sizeof(state));
		printf("efi_secret: %s\n", st ? st : "not loaded");
		printf("secret area: %s\n",
		       access(EFI_SECRET_DEVICE, F_OK) == 0 ?
		       "present" : "absent (no EFI secret area: not a SEV guest, or no firmware support)");
	}
	show_secrets(&sec, want, nwant);
	secrets_release(&sec);
	for (; optind < argc; optind++)
		if (show_device(&sec, argv[optind]) != EXIT_OK)
			ret = EXIT_NO_DEVICE;
	return ret;
}
