// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-unlock.c - cocosecret unlock: read the launch secret, open the volume,
 * wipe the secret.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <libcryptsetup.h>

#include "cocosecret.h"
#include "efisecret.h"
#include "log.h"
#include "luks.h"
#include "passphrase.h"
#include "safemem.h"

struct unlock_opts {
	const char *device;
	const char *name;
	const char *secrets_dir;
	struct guid guid;
	bool has_guid;
	int key_slot;
	unsigned int timeout_ms;
	bool test_passphrase;
	bool keep;
	bool require_token;
	uint32_t flags;
};

enum { OPT_REQUIRE_TOKEN = 0x200 };

static int parse_args(int argc, char **argv, struct unlock_opts *o)
{
	static const struct option longopts[] = {
		{ "guid", required_argument, NULL, OPT_GUID },
		{ "secrets-dir", required_argument, NULL, OPT_SECRETS_DIR },
		{ "key-slot", required_argument, NULL, OPT_KEY_SLOT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "test-passphrase", no_argument, NULL, OPT_TEST_PASSPHRASE },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "readonly", no_argument, NULL, OPT_READONLY },
		{ "allow-discards", no_argument, NULL, OPT_ALLOW_DISCARDS },
		{ "require-token", no_argument, NULL, OPT_REQUIRE_TOKEN },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	unsigned int slot;
	int c;

	memset(o, 0, sizeof(*o));
	o->key_slot = CRYPT_ANY_SLOT;
	o->timeout_ms = DEFAULT_TIMEOUT_MS;

	while ((c = getopt_long(argc, argv, ":" COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int r = common_option(c, "unlock", argv);

		if (r < 0)
			return -EINVAL;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_GUID:
			if (parse_guid_arg(optarg, &o->guid) < 0)
				return -EINVAL;
			o->has_guid = true;
			break;
		case OPT_SECRETS_DIR:
			o->secrets_dir = optarg;
			break;
		case OPT_KEY_SLOT:
			if (parse_uint_arg(optarg, 31, &slot) < 0) {
				log_err("invalid key slot '%.16s' (0-31)", optarg);
				return -EINVAL;
			}
			o->key_slot = (int)slot;
			break;
		case OPT_TIMEOUT:
			if (parse_timeout_arg(optarg, &o->timeout_ms) < 0) {
				log_err("invalid timeout '%.16s' (seconds, 0-3600)", optarg);
				return -EINVAL;
			}
			break;
		case OPT_TEST_PASSPHRASE:
			o->test_passphrase = true;
			break;
		case OPT_KEEP:
			o->keep = true;
			break;
		case OPT_READONLY:
			o->flags |= CRYPT_ACTIVATE_READONLY;
			break;
		case OPT_ALLOW_DISCARDS:
			o->flags |= CRYPT_ACTIVATE_ALLOW_DISCARDS;
			break;
		case OPT_REQUIRE_TOKEN:
			o->require_token = true;
			break;
		}
	}
	if (optind >= argc) {
		log_err("unlock: no DEVICE given");
		errtryhelp("unlock");
		return -EINVAL;
	}
	o->device = argv[optind++];
	if (optind < argc)
		o->name = argv[optind++];
	if (optind < argc) {
		log_err("unlock: unexpected argument '%.64s'", argv[optind]);
		errtryhelp("unlock");
		return -EINVAL;
	}
	if (o->name && (!*o->name || strchr(o->name, '/'))) {
		log_err("unlock: invalid mapping name '%.64s'", o->name);
		return -EINVAL;
	}
	return 0;
}

/* Try the token's keyslot first (cheap), then the one asked for. */
static int activate(struct crypt_device *cd, const char *name, int token_slot,
		    int key_slot, const struct secure_buf *pass, size_t len, uint32_t flags)
{
	int r;

	if (key_slot == CRYPT_ANY_SLOT && token_slot >= 0) {
		r = crypt_activate_by_passphrase(cd, name, token_slot,
						 (const char *)pass->data, len, flags);
		log_dbg("keyslot %d (from token): %d", token_slot, r);
		if (r != -EPERM && r != -ENOENT)
			return r;
	}
	return crypt_activate_by_passphrase(cd, name, key_slot,
					    (const char *)pass->data, len, flags);
}

static int activate_exit(const struct unlock_opts *o, const char *name,
			 const char *gs, int r)
{
	if (r >= 0) {
		if (o->test_passphrase)
			log_info("secret %s opens %s (keyslot %d)", gs, o->device, r);
		else
			log_info("unlocked %s as %s (keyslot %d)", o->device, name, r);
		return EXIT_OK;
	}
	switch (r) {
	case -EPERM:
		log_err("secret %s does not open %s", gs, o->device);
		return EXIT_WRONG_SECRET;
	case -ENOENT:
		log_err("keyslot %d of %s is not in use", o->key_slot, o->device);
		return EXIT_WRONG_SECRET;
	case -ENOMEM:
		log_err("out of memory opening %s (the keyslot's PBKDF needs more than this system has)",
			o->device);
		return EXIT_NO_MEMORY;
	case -EBUSY:
	case -EEXIST:
		log_err("cannot activate %s as %s: device busy", o->device, name);
		return EXIT_BUSY;
	case -ENOTSUP:
		log_err("cannot activate %s: device-mapper (dm-crypt) is not available", o->device);
		return EXIT_ERROR;
	default:
		log_err("cannot activate %s: %s", o->device, strerror(-r));
		return EXIT_ERROR;
	}
}

int cmd_unlock(int argc, char **argv)
{
	struct unlock_opts o;
	struct crypt_device *cd = NULL;
	struct secure_buf secret = { 0 };
	struct coco_token token = { .keyslot = -1 };
	struct secrets sec = { .fd = -1 };
	struct guid guid;
	char name_buf[64], gs[GUID_STR_LEN + 1];
	const char *name = NULL;
	size_t plen;
	int r, ret;

	if (parse_args(argc, argv, &o) < 0)
		return EXIT_ERROR;
	luks_setup_logging(log_get_level() >= LOG_LVL_DEBUG);
	if (secure_process_init() < 0) {
		log_err("cannot harden the process: %s", strerror(errno));
		return EXIT_ERROR;
	}

	r = luks_load(o.device, &cd);
	if (r < 0)
		return luks_load_exit(o.device, r);

	if (luks_find_token(cd, &token) == 1) {
		log_verbose("%s: %s token %d (keyslot %d)", o.device, COCO_TOKEN_TYPE,
			    token.id, token.keyslot);
	} else if (o.require_token) {
		/* Not one of ours: nothing read, nothing wiped. */
		log_verbose("%s has no %s token; skipped", o.device, COCO_TOKEN_TYPE);
		ret = EXIT_NO_SECRET;
		goto out;
	}

	if (!o.test_passphrase) {
		if (o.name) {
			name = o.name;
		} else if (luks_default_name(cd, name_buf, sizeof(name_buf)) == 0) {
			name = name_buf;
		} else {
			log_err("%s has no UUID: give a NAME", o.device);
			ret = EXIT_ERROR;
			goto out;
		}
		r = luks_name_state(cd, o.device, name);
		if (r == 1) {
			log_info("%s is already active as %s; nothing to do", o.device, name);
			ret = EXIT_OK;
			goto out;
		}
		if (r == -EBUSY) {
			log_err("name %s is in use by another device", name);
			ret = EXIT_BUSY;
			goto out;
		}
		/* Other errors (no device-mapper yet): activation will say. */
	}

	if (o.has_guid)
		guid = o.guid;
	else if (token.has_guid)
		guid = token.guid;
	else
		(void)guid_parse(DISK_PASSPHRASE_GUID, &guid);
	guid_format(&guid, gs);

	secrets_init(&sec, o.secrets_dir);
	r = secrets_read(&sec, &guid, o.timeout_ms, &secret);
	if (r < 0) {
		if (r == -ENOMEM) {
			log_err("out of memory reading secret %s", gs);
			ret = EXIT_NO_MEMORY;
		} else {
			log_err("no secret %s for %s: %s in %s", gs, o.device,
				secrets_strerror(r), sec.dir);
			ret = EXIT_NO_SECRET;
		}
		if (r == -ENOENT || r == -ENOTDIR || r == -EISDIR || r == -EINVAL)
			goto out;	/* nothing there of ours to wipe */
		goto wipe;
	}

	plen = passphrase_len(secret.data, secret.len);
	if (plen == 0) {
		log_err("no secret %s for %s: the passphrase in it is empty", gs, o.device);
		ret = EXIT_NO_SECRET;
		goto wipe;
	}
	log_verbose("secret %s: %zu bytes, passphrase of %zu", gs, secret.len, plen);

	r = activate(cd, name, token.keyslot, o.key_slot, &secret, plen, o.flags);
	secure_free(&secret);
	ret = activate_exit(&o, name, gs, r);
wipe:
	secure_free(&secret);
	if (o.test_passphrase || o.keep)
		goto out;
	r = secrets_wipe(&sec, &guid);
	if (r < 0) {
		/* The volume is open either way; the initramfs wipes again later. */
		log_err("cannot wipe secret %s: %s", gs, strerror(-r));
	} else if (r == 0) {
		log_info("wiped secret %s", gs);
	} else {
		/* Say "wiped" only for a wipe that happened. */
		log_verbose("secret %s: already gone, nothing to wipe", gs);
	}
out:
	secrets_release(&sec);
	crypt_free(cd);
	return ret;
}
