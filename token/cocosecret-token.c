// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cocosecret-token.c - libcryptsetup-token-cocosecret.so, the LUKS2 token
 * plugin: systemd-cryptsetup and the cryptsetup CLI unlock a volume with a
 * "cocosecret" token from the launch secret, with the unlock verb's rules
 * (docs/TOKEN.md): the same token parser, header checks, header MAC,
 * efi_secret reading and NUL/newline rule as the static binary, compiled
 * from the same source files.
 *
 * Trust and policy come from the (measured) initramfs, never from the
 * header: CONFIG_DIR/trusted-guids, /require-auth and /token-wipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libcryptsetup.h>

#include "../src/efisecret.h"
#include "../src/guid.h"
#include "../src/header.h"
#include "../src/log.h"
#include "../src/luks.h"
#include "../src/passphrase.h"
#include "../src/safemem.h"

#define EXPORT __attribute__((visibility("default")))

#ifndef COCOSECRET_VERSION
#define COCOSECRET_VERSION "unknown"
#endif

#define CONFIG_DIR	"/etc/cocosecret"
#define MAX_GUIDS	64	/* as many as a secret table holds */
#define CONFIG_MAX	8192	/* a larger configuration file is refused */
/* How long to wait for the entry while efi_secret is still coming up. */
#define OPEN_TIMEOUT_MS	5000

EXPORT int cryptsetup_token_open(struct crypt_device *cd, int token, char **buffer,
				 size_t *buffer_len, void *usrptr);
EXPORT void cryptsetup_token_buffer_free(void *buffer, size_t buffer_len);
EXPORT int cryptsetup_token_validate(struct crypt_device *cd, const char *json);
EXPORT void cryptsetup_token_dump(struct crypt_device *cd, const char *json);
EXPORT const char *cryptsetup_token_version(void);

/*
 * The test build (make token-test, never installed) reads its secrets
 * directory and configuration directory from the environment; the shipped
 * plugin has no such code (tests/token.sh checks its strings).
 */
#ifdef COCOSECRET_TOKEN_TEST
#include <stdlib.h>
static const char *config_dir(void)
{
	const char *d = getenv("COCOSECRET_TOKEN_TEST_CONFIG");

	return d ? d : CONFIG_DIR;
}

static const char *secrets_dir(void)
{
	return getenv("COCOSECRET_TOKEN_TEST_SECRETS");
}

/* A fake secrets directory stands for a secret area. */
static bool secret_area_present(void)
{
	return secrets_dir() || access(EFI_SECRET_DEVICE, F_OK) == 0;
}
#else
static const char *config_dir(void)
{
	return CONFIG_DIR;
}

static const char *secrets_dir(void)
{
	return NULL;	/* securityfs: mount it and load efi_secret as needed */
}

/*
 * Is there a secret area at all?  On a VM without one (TDX, no SEV, no
 * secret injected), nothing is mounted or loaded: not applicable.
 */
static bool secret_area_present(void)
{
	return access(EFI_SECRET_DEVICE, F_OK) == 0;
}
#endif

/* --- logging: every message through libcryptsetup's log ------------------- */

static __thread struct crypt_device *log_cd;

static void crypt_sink(enum log_level level, const char *line)
{
	int l;

	switch (level) {
	case LOG_LVL_ERR:
		l = CRYPT_LOG_ERROR;
		break;
	case LOG_LVL_WARN:
		l = CRYPT_LOG_NORMAL;
		break;
	case LOG_LVL_DEBUG:
		l = CRYPT_LOG_DEBUG;
		break;
	default:
		l = CRYPT_LOG_VERBOSE;
		break;
	}
	crypt_log(log_cd, l, line);
}

/* libcryptsetup's log levels decide what is shown: pass everything. */
static void log_begin(struct crypt_device *cd)
{
	log_cd = cd;
	log_set_sink(crypt_sink);
	log_set_level(LOG_LVL_DEBUG);
}

static void log_end(void)
{
	log_cd = NULL;
}

/* --- configuration: the initramfs's, never the header's ------------------- */

struct config {
	struct guid trusted[MAX_GUIDS];
	int ntrusted;
	struct guid wipe[MAX_GUIDS];
	int nwipe;
	bool require_auth;
};

/* CONFIG_DIR/NAME into buf (NUL-terminated): its length, -ENOENT, -errno. */
static int read_config(const char *name, char *buf, size_t size)
{
	char path[512];
	size_t len = 0;
	struct stat sb;
	ssize_t got;
	int fd, n, r = 0;

	n = snprintf(path, sizeof(path), "%s/%s", config_dir(), name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	got = read_full(fd, buf, size);
	if (got < 0) {
		r = (int)got;
		goto out;
	}
	len = (size_t)got;
	if (len == size)
		r = -EFBIG;
out:
	close(fd);
	if (r < 0)
		return r;
	buf[len] = '\0';
	return (int)len;
}

/* A GUID list file; a missing file is an empty list. */
static int read_guid_list(const char *name, struct guid *list, int max)
{
	char buf[CONFIG_MAX + 1];
	int r;

	r = read_config(name, buf, sizeof(buf) - 1);
	if (r == -ENOENT)
		return 0;
	if (r >= 0)
		r = guid_list_parse(buf, (size_t)r, list, max);
	if (r < 0)
		log_err("%s/%s: %s: ignored", config_dir(), name,
			r == -EINVAL ? "a line that is not a GUID" : strerror(-r));
	return r;
}

static void load_config(struct config *c)
{
	char buf[16];
	int r;

	memset(c, 0, sizeof(*c));
	/* The disk-passphrase GUID is always trusted, as in the dracut module. */
	(void)guid_parse(DISK_PASSPHRASE_GUID, &c->trusted[0]);
	r = read_guid_list("trusted-guids", c->trusted + 1, MAX_GUIDS - 1);
	c->ntrusted = 1 + (r > 0 ? r : 0);
	r = read_guid_list("token-wipe", c->wipe, MAX_GUIDS);
	c->nwipe = r > 0 ? r : 0;

	/* "1" requires the MAC, "0" or no file does not; anything else requires it. */
	r = read_config("require-auth", buf, sizeof(buf) - 1);
	if (r == -ENOENT)
		return;
	if (r >= 0) {
		buf[strcspn(buf, " \t\r\n")] = '\0';
		if (!strcmp(buf, "0"))
			return;
		if (!strcmp(buf, "1")) {
			c->require_auth = true;
			return;
		}
	}
	log_err("%s/require-auth: %s: a header MAC is required", config_dir(),
		r < 0 ? strerror(-r) : "neither 0 nor 1");
	c->require_auth = true;
}

/* --- the token ---------------------------------------------------------------- */

/*
 * The passphrase for libcryptsetup: a locked buffer of its own, of exactly
 * plen bytes (cryptsetup_token_buffer_free() frees it from its length).
 */
static int hand_over(const struct secure_buf *secret, size_t plen, char **buffer,
		     size_t *buffer_len)
{
	struct secure_buf pass;
	int r;

	r = secure_alloc(&pass, plen);
	if (r < 0)
		return -ENOMEM;
	memcpy(pass.data, secret->data, plen);
	*buffer = (char *)pass.data;
	*buffer_len = plen;
	return 0;
}

/*
 * Return codes (libcryptsetup, crypt_activate_by_token_pin): 0 with the
 * passphrase; -ENOENT for everything that must fall back to the next token
 * or the passphrase prompt (no secret area, no entry, an empty one, an
 * untrusted GUID, a refused header, a failed MAC); -ENOMEM.  Never -ENOANO
 * (systemd would ask for a PIN) nor -EAGAIN (hardware to wait for).  A
 * secret that does not open the token's keyslots is libcryptsetup's -EPERM.
 */
EXPORT int cryptsetup_token_open(struct crypt_device *cd, int token, char **buffer,
				 size_t *buffer_len, void *usrptr)
{
	struct secure_buf secret = { 0 };
	struct secrets sec = { .fd = -1 };
	struct coco_token t;
	struct config cfg;
	struct guid g;
	const char *json, *dev = crypt_get_device_name(cd);
	char gs[GUID_STR_LEN + 1], why[160];
	bool wipe, blocked = false;
	sigset_t oldmask;
	size_t plen;
	int r, rr;

	(void)usrptr;
	*buffer = NULL;
	*buffer_len = 0;
	log_begin(cd);
	dev = dev ? dev : "?";

	if (crypt_token_json_get(cd, token, &json) < 0 ||
	    luks_token_parse(json, strlen(json), &t) != 1) {
		log_verbose("%s: token %d is not a valid %s token", dev, token, COCO_TOKEN_TYPE);
		r = -ENOENT;
		goto out;
	}
	g = luks_token_guid(&t);
	guid_format(&g, gs);
	load_config(&cfg);
	/* The host wrote the token: it must not pick which secret is read. */
	if (!guid_in(&g, cfg.trusted, cfg.ntrusted)) {
		log_warn("%s: %s token %d names secret %s, which this system does not trust "
			 "(%s/trusted-guids): token ignored", dev, COCO_TOKEN_TYPE, token, gs,
			 config_dir());
		r = -ENOENT;
		goto out;
	}
	if (!secret_area_present()) {
		log_verbose("%s: no launch secret area (%s): token %d not applicable", dev,
			    EFI_SECRET_DEVICE, token);
		r = -ENOENT;
		goto out;
	}
	wipe = guid_in(&g, cfg.wipe, cfg.nwipe);

	/* From before the read to the last wipe, a TERM waits until the end. */
	signals_block(&oldmask);
	blocked = true;
	secrets_init(&sec, secrets_dir(), true);

	/* The header before the secret: a refused header gets no secret. */
	r = luks_check_header(cd, t.slots, why, sizeof(why));
	if (r == -EPERM) {
		log_err("%s: header refused: %s", dev, why);
		r = -ENOENT;
		goto wipe;
	}
	if (r < 0) {
		log_err("%s: cannot read the header's metadata: %s", dev, strerror(-r));
		r = -ENOENT;
		goto wipe;
	}
	if (cfg.require_auth && !t.has_mac) {
		log_err("%s: header refused: a header MAC is required (%s/require-auth), and "
			"%s token %d carries none", dev, config_dir(), COCO_TOKEN_TYPE, token);
		r = -ENOENT;
		goto wipe;
	}

	rr = secrets_read(&sec, &g, OPEN_TIMEOUT_MS, &secret);
	if (rr < 0) {
		if (rr == -ENOMEM)
			log_err("out of memory reading secret %s", gs);
		else
			log_verbose("no secret %s for %s: %s in %s", gs, dev,
				    secrets_strerror(rr), sec.dir);
		r = rr == -ENOMEM ? -ENOMEM : -ENOENT;
		if (rr == -ENOENT || rr == -ENOTDIR || rr == -EISDIR || rr == -EINVAL)
			goto out;	/* nothing there of ours to wipe */
		goto wipe;
	}
	plen = passphrase_len(secret.data, secret.len);
	if (plen == 0) {
		log_verbose("no secret %s for %s: the passphrase in it is empty", gs, dev);
		r = -ENOENT;
		goto wipe;
	}
	if (t.has_mac && !luks_token_mac_ok(cd, &t, secret.data, plen)) {
		log_err("%s: header refused: its MAC does not match (the header was altered, or "
			"the secret is not the one enrolled)", dev);
		r = -ENOENT;
		goto wipe;
	}
	r = hand_over(&secret, plen, buffer, buffer_len);
	if (r < 0) {
		log_err("out of memory for secret %s", gs);
		goto wipe;
	}
	log_verbose("%s: secret %s for %s token %d (keyslot %d%s)", dev, gs, COCO_TOKEN_TYPE,
		    token, t.keyslot, t.has_mac ? ", header authenticated" : "");
wipe:
	secure_free(&secret);
	/*
	 * keep (the default): the entry stays for the other volumes that share
	 * it, and cocosecret-token-wipe.service wipes it before switch_root.
	 * GUIDs listed in token-wipe serve one volume: wiped now, and the
	 * kernel's read buffer scrubbed, as unlock does.
	 */
	if (wipe) {
		rr = secrets_wipe(&sec, &g);
		if (rr < 0)
			log_err("cannot wipe secret %s: %s", gs, strerror(-rr));
		else if (rr == 0)
			log_verbose("wiped secret %s", gs);
	}
out:
	secrets_release(&sec);
	if (blocked)
		signals_restore(&oldmask);	/* a pending signal acts now */
	log_end();
	return r;
}

/* The passphrase buffer of cryptsetup_token_open(): wiped, unlocked, unmapped. */
EXPORT void cryptsetup_token_buffer_free(void *buffer, size_t buffer_len)
{
	long page = sysconf(_SC_PAGESIZE);
	struct secure_buf b;

	if (!buffer || !buffer_len)
		return;
	if (page <= 0)
		page = 4096;
	b.data = buffer;
	b.len = b.cap = buffer_len;
	b.map = (buffer_len + (size_t)page - 1) & ~((size_t)page - 1);
	secure_free(&b);
}

/* The binary's token parser, rule for rule: 0 valid, -EINVAL otherwise. */
EXPORT int cryptsetup_token_validate(struct crypt_device *cd, const char *json)
{
	struct coco_token t;
	int r;

	log_begin(cd);
	r = json ? luks_token_parse(json, strlen(json), &t) : -EINVAL;
	if (r != 1)
		log_dbg("%s token rejected: %s", COCO_TOKEN_TYPE,
			r == 0 ? "of another type" : "malformed");
	log_end();
	return r == 1 ? 0 : -EINVAL;
}

/* What cryptsetup luksDump shows under the token: GUID, keyslots, MAC. */
EXPORT void cryptsetup_token_dump(struct crypt_device *cd, const char *json)
{
	char line[160], gs[GUID_STR_LEN + 1];
	struct coco_token t;
	struct guid g;
	int i, n;

	if (!json || luks_token_parse(json, strlen(json), &t) != 1) {
		crypt_log(cd, CRYPT_LOG_NORMAL, "\tcocosecret: malformed token (not used)\n");
		return;
	}
	g = luks_token_guid(&t);
	guid_format(&g, gs);
	snprintf(line, sizeof(line), "\tcocosecret GUID: %s%s\n", gs,
		 t.has_guid ? "" : " (disk passphrase, by default)");
	crypt_log(cd, CRYPT_LOG_NORMAL, line);
	n = snprintf(line, sizeof(line), "\tcocosecret keyslots:");
	for (i = 0; i < 32 && n > 0 && (size_t)n < sizeof(line); i++)
		if (t.slots & 1U << i)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %d", i);
	if (n > 0 && (size_t)n < sizeof(line) - 1)
		snprintf(line + n, sizeof(line) - (size_t)n, "%s\n", t.slots ? "" : " none");
	crypt_log(cd, CRYPT_LOG_NORMAL, line);
	crypt_log(cd, CRYPT_LOG_NORMAL, t.has_mac ? "\tcocosecret header MAC: present (v1)\n" :
		  "\tcocosecret header MAC: absent\n");
}

EXPORT const char *cryptsetup_token_version(void)
{
	return COCOSECRET_VERSION;
}
