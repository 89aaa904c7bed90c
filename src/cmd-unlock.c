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

#define MAX_TRUSTED 64	/* as many as a secret table can hold */

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
	bool require_auth;
	struct guid trusted[MAX_TRUSTED];
	int ntrusted;		/* 0: every GUID is trusted (no --trust) */
	uint32_t flags;
};

enum {
	OPT_REQUIRE_TOKEN = 0x200, OPT_REQUIRE_AUTH, OPT_TRUST,
	/* cryptsetup's names for the dm-crypt performance flags */
	OPT_PERF_SAME_CPU_CRYPT, OPT_PERF_SUBMIT_FROM_CRYPT_CPUS,
	OPT_PERF_NO_READ_WORKQUEUE, OPT_PERF_NO_WRITE_WORKQUEUE,
};

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
		{ "require-auth", no_argument, NULL, OPT_REQUIRE_AUTH },
		{ "trust", required_argument, NULL, OPT_TRUST },
		{ "perf-same_cpu_crypt", no_argument, NULL, OPT_PERF_SAME_CPU_CRYPT },
		{ "perf-submit_from_crypt_cpus", no_argument, NULL, OPT_PERF_SUBMIT_FROM_CRYPT_CPUS },
		{ "perf-no_read_workqueue", no_argument, NULL, OPT_PERF_NO_READ_WORKQUEUE },
		{ "perf-no_write_workqueue", no_argument, NULL, OPT_PERF_NO_WRITE_WORKQUEUE },
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
		case OPT_PERF_SAME_CPU_CRYPT:
			o->flags |= CRYPT_ACTIVATE_SAME_CPU_CRYPT;
			break;
		case OPT_PERF_SUBMIT_FROM_CRYPT_CPUS:
			o->flags |= CRYPT_ACTIVATE_SUBMIT_FROM_CRYPT_CPUS;
			break;
		case OPT_PERF_NO_READ_WORKQUEUE:
			o->flags |= CRYPT_ACTIVATE_NO_READ_WORKQUEUE;
			break;
		case OPT_PERF_NO_WRITE_WORKQUEUE:
			o->flags |= CRYPT_ACTIVATE_NO_WRITE_WORKQUEUE;
			break;
		case OPT_REQUIRE_TOKEN:
			o->require_token = true;
			break;
		case OPT_REQUIRE_AUTH:
			o->require_auth = true;
			break;
		case OPT_TRUST:
			if (o->ntrusted == MAX_TRUSTED) {
				log_err("unlock: more than %d --trust GUIDs", MAX_TRUSTED);
				return -EINVAL;
			}
			if (parse_guid_arg(optarg, &o->trusted[o->ntrusted]) < 0)
				return -EINVAL;
			o->ntrusted++;
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

/*
 * Try SLOTS in turn (a token's keyslots: never the others, such as the
 * admin's slow ones), or every keyslot when SLOTS is 0.  A pending TERM,
 * INT, HUP or QUIT stops before the next keyslot.
 */
static int activate(struct crypt_device *cd, const char *name, uint32_t slots,
		    const struct secure_buf *pass, size_t len, uint32_t flags)
{
	int i, r = -EPERM;

	if (!slots)
		return crypt_activate_by_passphrase(cd, name, CRYPT_ANY_SLOT,
						    (const char *)pass->data, len, flags);
	for (i = 0; i < 32; i++) {
		if (!(slots & 1U << i))
			continue;
		if (signals_pending())
			return -EINTR;
		r = crypt_activate_by_passphrase(cd, name, i, (const char *)pass->data, len,
						 flags);
		log_dbg("keyslot %d: %d", i, r);
		if (r != -EPERM && r != -ENOENT)
			return r;
	}
	return r;
}

static int activate_exit(const struct unlock_opts *o, const char *name,
			 const char *gs, int r, bool authenticated)
{
	const char *auth = authenticated ? ", header authenticated" : "";

	if (r >= 0) {
		if (o->test_passphrase)
			log_info("secret %s opens %s (keyslot %d%s)", gs, o->device, r, auth);
		else
			log_info("unlocked %s as %s (keyslot %d%s)", o->device, name, r, auth);
		return EXIT_OK;
	}
	switch (r) {
	case -EPERM:
		log_err("secret %s does not open %s", gs, o->device);
		return EXIT_WRONG_SECRET;
	case -ENOENT:
		log_err("keyslot %d of %s is not in use", o->key_slot, o->device);
		return EXIT_WRONG_SECRET;
	case -EINTR:
		log_err("interrupted by a signal before %s was opened", o->device);
		return EXIT_ERROR;
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

static bool trusted(const struct unlock_opts *o, const struct guid *g)
{
	return !o->ntrusted || guid_in(g, o->trusted, o->ntrusted);
}

/*
 * The tokens that apply: the valid cocosecret tokens for one secret (the
 * first token's, or --guid's), with --key-slot N those that name N, with
 * --require-auth those that carry a MAC.  A token naming a GUID the
 * initramfs does not trust (--trust) is ignored: the host wrote it, and it
 * must not pick which secret is read.  Returns how many (at most 32).
 */
static int pick_tokens(struct crypt_device *cd, const struct unlock_opts *o,
		       struct coco_token toks[32])
{
	struct coco_token t;
	struct guid want, g;
	char gs[GUID_STR_LEN + 1];
	bool have_want = o->has_guid;
	int r, n = 0;

	want = o->guid;
	for (r = luks_find_token_from(cd, 0, &t); r == 1 && n < 32;
	     r = luks_find_token_from(cd, t.id + 1, &t)) {
		g = luks_token_guid(&t);
		guid_format(&g, gs);
		if (!trusted(o, &g)) {
			log_warn("%s: %s token %d names secret %s, which this system does not "
				 "trust: token ignored", o->device, COCO_TOKEN_TYPE, t.id, gs);
			continue;
		}
		if (have_want && !guid_equal(&g, &want)) {
			log_verbose("%s: %s token %d is for secret %s: not this one, ignored",
				    o->device, COCO_TOKEN_TYPE, t.id, gs);
			continue;
		}
		if (o->key_slot != CRYPT_ANY_SLOT && !(t.slots & 1U << o->key_slot))
			continue;
		if (o->require_auth && !t.has_mac) {
			log_verbose("%s: %s token %d carries no header MAC: ignored", o->device,
				    COCO_TOKEN_TYPE, t.id);
			continue;
		}
		want = g;
		have_want = true;
		log_verbose("%s: %s token %d (keyslot %d%s)", o->device, COCO_TOKEN_TYPE, t.id,
			    t.keyslot, t.has_mac ? ", header MAC" : "");
		toks[n++] = t;
	}
	return n;
}

/*
 * The mapping name: NAME, else luks-<UUID>.  Returns -1 to go on, or the
 * exit code to stop with (0: already active on this device).
 */
static int pick_name(struct crypt_device *cd, const struct unlock_opts *o, char *buf,
		     size_t len, const char **name)
{
	int r;

	if (o->name) {
		*name = o->name;
	} else if (luks_default_name(cd, buf, len) == 0) {
		*name = buf;
	} else {
		log_err("%s has no UUID: give a NAME", o->device);
		return EXIT_ERROR;
	}
	r = luks_name_state(cd, o->device, *name);
	if (r == 1) {
		log_info("%s is already active as %s; nothing to do", o->device, *name);
		return EXIT_OK;
	}
	if (r == -EBUSY) {
		log_err("name %s is in use by another device", *name);
		return EXIT_BUSY;
	}
	/* Other errors (no device-mapper yet): activation will say. */
	return -1;
}

/*
 * Each token in turn: its MAC (when it has one) before its keyslots; only
 * those keyslots (or FORCED, --key-slot's).  No token: FORCED, or every
 * keyslot.  Returns the exit code.
 */
struct attempt {
	const char *name;	/* mapping name (NULL: --test-passphrase) */
	const char *gs;		/* the secret's GUID, for messages */
	const struct secure_buf *secret;
	size_t plen;		/* its passphrase's length */
};

static int try_tokens(struct crypt_device *cd, const struct unlock_opts *o,
		      const struct coco_token *toks, int ntok, const struct attempt *at)
{
	uint32_t forced = o->key_slot != CRYPT_ANY_SLOT ? 1U << o->key_slot : 0;
	const struct secure_buf *secret = at->secret;
	const char *name = at->name;
	bool mac_failed = false, authenticated = false;
	size_t plen = at->plen;
	int i, r = -EPERM;

	if (!ntok)
		r = activate(cd, name, forced, secret, plen, o->flags);
	for (i = 0; i < ntok; i++) {
		if (toks[i].has_mac && !luks_token_mac_ok(cd, &toks[i], secret->data, plen)) {
			log_verbose("%s: %s token %d: header MAC does not match", o->device,
				    COCO_TOKEN_TYPE, toks[i].id);
			mac_failed = true;
			continue;
		}
		if (toks[i].has_mac)
			log_verbose("%s: header MAC of token %d verified", o->device, toks[i].id);
		r = activate(cd, name, forced ? forced : toks[i].slots, secret, plen, o->flags);
		authenticated = toks[i].has_mac;
		if (r != -EPERM && r != -ENOENT)
			break;
	}
	if ((r == -EPERM || r == -ENOENT) && mac_failed) {
		log_err("%s: header refused: its MAC does not match (the header was altered, "
			"or the secret is not the one enrolled)", o->device);
		return EXIT_HEADER_REFUSED;
	}
	return activate_exit(o, name, at->gs, r, authenticated && r >= 0);
}

int cmd_unlock(int argc, char **argv)
{
	struct unlock_opts o;
	struct crypt_device *cd = NULL;
	struct secure_buf secret = { 0 };
	struct coco_token toks[32];
	struct secrets sec = { .fd = -1 };
	struct guid guid;
	char name_buf[64], gs[GUID_STR_LEN + 1], why[160];
	const char *name = NULL;
	bool read_it = false;
	uint32_t slots = 0;
	sigset_t oldmask;
	size_t plen;
	int r, i, ntok, ret, sig;

	if (parse_args(argc, argv, &o) < 0)
		return EXIT_ERROR;
	luks_setup_logging(log_get_level() >= LOG_LVL_DEBUG);
	if (secure_process_init() < 0) {
		log_err("cannot harden the process: %s", strerror(errno));
		return EXIT_ERROR;
	}
	/* From before the read to the last wipe, a TERM waits until the end. */
	signals_block(&oldmask);

	r = luks_load(o.device, &cd);
	if (r < 0) {
		ret = luks_load_exit(o.device, r);
		goto out;
	}

	ntok = pick_tokens(cd, &o, toks);
	if (!ntok && o.require_token) {
		/* Not one of ours: nothing read, nothing wiped. */
		log_verbose("%s has no usable %s token; skipped", o.device, COCO_TOKEN_TYPE);
		ret = EXIT_NO_SECRET;
		goto out;
	}

	if (!o.test_passphrase) {
		ret = pick_name(cd, &o, name_buf, sizeof(name_buf), &name);
		if (ret >= 0)
			goto out;	/* already active, or an error */
	}

	if (o.has_guid)
		guid = o.guid;
	else if (ntok)
		guid = luks_token_guid(&toks[0]);
	else
		(void)guid_parse(DISK_PASSPHRASE_GUID, &guid);
	guid_format(&guid, gs);
	secrets_init(&sec, o.secrets_dir, !o.test_passphrase);

	/*
	 * The keyslots that will be tried: --key-slot's, else the token's
	 * (only those), else all.  The header is checked before the secret
	 * is read: a refused header gets no secret, and the entry is wiped.
	 */
	for (i = 0; i < ntok; i++)
		slots |= toks[i].slots;
	if (o.key_slot != CRYPT_ANY_SLOT)
		slots = 1U << o.key_slot;
	else if (!slots)
		slots = luks_active_slots(cd);
	r = luks_check_header(cd, slots, why, sizeof(why));
	if (r == -EPERM) {
		log_err("%s: header refused: %s", o.device, why);
		ret = EXIT_HEADER_REFUSED;
		goto wipe;
	}
	if (r < 0) {
		log_err("%s: cannot read the header's metadata: %s", o.device, strerror(-r));
		ret = EXIT_ERROR;
		goto wipe;
	}
	if (o.require_auth && !ntok) {
		log_err("%s: header refused: --require-auth, and it has no usable %s token with "
			"a header MAC (removed, or never enrolled so)", o.device, COCO_TOKEN_TYPE);
		ret = EXIT_HEADER_REFUSED;
		goto wipe;
	}

	r = secrets_read(&sec, &guid, o.timeout_ms, &secret);
	read_it = r == 0 || r == -EFBIG;
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

	ret = try_tokens(cd, &o, toks, ntok, &(struct attempt){ .name = name, .gs = gs,
							      .secret = &secret, .plen = plen });
wipe:
	secure_free(&secret);
	if (o.test_passphrase || o.keep) {
		secrets_release(&sec);
		goto out;
	}
	r = secrets_wipe(&sec, &guid);
	if (r < 0) {
		/* The volume is open either way; the initramfs wipes again later. */
		log_err("cannot wipe secret %s: %s", gs, strerror(-r));
	} else if (r == 0) {
		log_info("wiped secret %s", gs);
	} else if (read_it) {
		log_verbose("secret %s: already gone (wiped by another), its read copy scrubbed",
			    gs);
	} else {
		/* Say "wiped" only for a wipe that happened. */
		log_verbose("secret %s: already gone, nothing to wipe", gs);
	}
out:
	secrets_release(&sec);
	crypt_free(cd);
	sig = signals_pending();
	if (sig)
		log_info("signal %d arrived during the unlock: every copy of the secret is wiped; "
			 "exiting", sig);
	signals_restore(&oldmask);	/* a pending signal acts now */
	return ret;
}
