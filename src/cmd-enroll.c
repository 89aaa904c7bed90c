// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-enroll.c - cocosecret enroll|unenroll: the image-build side.
 *
 * enroll adds a keyslot for a launch secret (generated, or from a file) and
 * a LUKS2 token {"type":"cocosecret","keyslots":["N"],"guid":"..."}; the
 * secret goes to --secret-out for the guest owner's injection tooling.
 * unenroll removes cocosecret's keyslots and tokens, and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <libcryptsetup.h>

#include "cocosecret.h"
#include "efisecret.h"
#include "log.h"
#include "luks.h"
#include "passphrase.h"
#include "safemem.h"

#define SECRET_RANDOM_BYTES	32
#define SECRET_TEXT_LEN		43	/* unpadded base64url of 32 bytes */
/* Below this, a --secret-file is not the random key a launch secret should be. */
#define SECRET_RANDOM_MIN	32
/* An existing passphrase: a key file or a line typed at the terminal. */
#define KEY_FILE_MAX		(64 * 1024)
#define PROMPT_MAX		512

struct enroll_opts {
	const char *device;
	const char *key_file;
	const char *secret_file;
	const char *secret_out;
	struct guid guid;
	int wipe_slot;		/* -1: none */
	unsigned int iter_time_ms;	/* 0: libcryptsetup's default */
	unsigned int pbkdf_memory_kb;	/* 0: libcryptsetup's default */
	unsigned int pbkdf_iterations;	/* 0: benchmarked */
	const char *pbkdf;		/* NULL: libcryptsetup's default */
};

/* --- secret material: files, the terminal, getrandom ----------------------- */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/*
 * Ask for a passphrase on /dev/tty with echo off; read(2) straight into a
 * locked buffer, up to the newline (not kept).  -ENXIO: no terminal;
 * -EINTR: interrupted (the terminal is restored first).
 */
static int prompt_passphrase(const char *device, struct secure_buf *b)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
	struct sigaction sa = { .sa_handler = on_signal }, old[sizeof(sigs) / sizeof(sigs[0])];
	struct termios saved, noecho;
	char prompt[128];
	bool restore = false, eol = false;
	size_t i;
	int fd, n, r = 0;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -ENXIO;
	r = secure_alloc(b, PROMPT_MAX + 1);
	if (r < 0) {
		close(fd);
		return r;
	}
	/* No SA_RESTART: a signal ends the read, and the terminal gets its echo back. */
	got_signal = 0;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, &old[i]);

	if (tcgetattr(fd, &saved) < 0) {
		r = -errno;
		goto out;
	}
	noecho = saved;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	noecho.c_lflag |= ICANON;
	if (tcsetattr(fd, TCSAFLUSH, &noecho) < 0) {
		r = -errno;
		goto out;
	}
	restore = true;
	n = snprintf(prompt, sizeof(prompt), "Enter an existing passphrase for %.80s: ", device);
	r = write_all(fd, prompt, (size_t)n < sizeof(prompt) ? (size_t)n : sizeof(prompt) - 1);
	if (r < 0)
		goto out;
	while (!eol && b->len < b->cap) {
		ssize_t got = read(fd, b->data + b->len, b->cap - b->len);
		unsigned char *nl;

		if (got < 0 && errno == EINTR && !got_signal)
			continue;
		if (got < 0) {
			r = got_signal ? -EINTR : -errno;
			goto out;
		}
		if (got == 0)
			break;	/* end of input (^D) */
		nl = memchr(b->data + b->len, '\n', (size_t)got);
		b->len += (size_t)got;
		if (nl) {
			b->len = (size_t)(nl - b->data);
			eol = true;
		}
	}
	if (!eol && b->len >= b->cap)
		r = -EFBIG;
out:
	if (restore) {
		/* TCSAFLUSH also drops what was typed beyond the limit. */
		(void)tcsetattr(fd, TCSAFLUSH, &saved);
		(void)write_all(fd, "\n", 1);
	}
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &old[i], NULL);
	close(fd);
	if (r < 0)
		secure_free(b);
	return r;
}

/* The existing passphrase: --key-file verbatim (as cryptsetup reads it), or a prompt. */
static int get_existing_passphrase(const struct enroll_opts *o, struct secure_buf *b)
{
	int r;

	if (o->key_file) {
		r = secure_read_file(o->key_file, KEY_FILE_MAX, b);
		if (r < 0) {
			log_err("cannot read key file %s: %s", o->key_file,
				r == -EFBIG ? "larger than 64 KiB" :
				r == -EINVAL ? "not a regular file" : strerror(-r));
			return r == -ENOMEM ? -ENOMEM : -EINVAL;
		}
	} else {
		r = prompt_passphrase(o->device, b);
		if (r < 0) {
			if (r == -ENXIO)
				log_err("no --key-file and no terminal to ask for the existing passphrase on");
			else if (r == -EINTR)
				log_err("interrupted");
			else if (r == -EFBIG)
				log_err("passphrase longer than %d characters", PROMPT_MAX);
			else
				log_err("cannot read the passphrase from the terminal: %s", strerror(-r));
			return r == -ENOMEM ? -ENOMEM : -EINVAL;
		}
	}
	if (b->len == 0) {
		log_err("the existing passphrase is empty");
		secure_free(b);
		return -EINVAL;
	}
	return 0;
}

/* Unpadded base64url (RFC 4648 section 5); out holds 4 * ceil(len / 3) bytes. */
static size_t base64url(const unsigned char *in, size_t len, char *out)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0, rest;
	uint32_t v = 0;

	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
		out[o++] = tbl[v >> 6 & 63];
		out[o++] = tbl[v & 63];
	}
	rest = len - i;
	if (rest) {
		v = (uint32_t)in[i] << 16 | (rest == 2 ? (uint32_t)in[i + 1] << 8 : 0);
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
		if (rest == 2)
			out[o++] = tbl[v >> 6 & 63];
	}
	explicit_bzero(&v, sizeof(v));
	return o;
}

/* 32 bytes from getrandom() as 43 characters of text: no NUL, no newline. */
static int generate_secret(struct secure_buf *b)
{
	struct secure_buf raw = { 0 };
	int r;

	r = secure_alloc(&raw, SECRET_RANDOM_BYTES);
	if (r < 0)
		return r;
	while (raw.len < SECRET_RANDOM_BYTES) {
		ssize_t n = getrandom(raw.data + raw.len, SECRET_RANDOM_BYTES - raw.len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		raw.len += (size_t)n;
	}
	r = secure_alloc(b, SECRET_TEXT_LEN + 1);
	if (r < 0)
		goto out;
	b->len = base64url(raw.data, raw.len, (char *)b->data);
out:
	secure_free(&raw);
	return r;
}

/* The secret to enroll; *len is its passphrase (the NUL/newline rule applied). */
static int get_secret(const struct enroll_opts *o, struct secure_buf *b, size_t *len)
{
	int r;

	if (!o->secret_file) {
		r = generate_secret(b);
		if (r < 0) {
			log_err("cannot generate a secret: %s", strerror(-r));
			return r;
		}
		*len = b->len;
		return 0;
	}
	r = secure_read_file(o->secret_file, SECRET_MAX_SIZE, b);
	if (r < 0) {
		log_err("cannot read secret file %s: %s", o->secret_file,
			r == -EFBIG ? "larger than 4096 bytes (no launch secret can be)" :
			r == -EINVAL ? "not a regular file" : strerror(-r));
		return r;
	}
	/* What unlock will read from the entry: the bytes before a NUL, less one '\n'. */
	*len = passphrase_len(b->data, b->len);
	if (*len == 0) {
		log_err("secret file %s holds no passphrase (empty before the first NUL or newline)",
			o->secret_file);
		secure_free(b);
		return -EINVAL;
	}
	if (*len != b->len)
		log_info("secret file %s: enrolling its first %zu of %zu bytes (the NUL/newline rule)",
			 o->secret_file, *len, b->len);
	return 0;
}

/* --- keyslots and tokens ------------------------------------------------- */

/*
 * The keyslot's PBKDF.  A generated secret is 256 random bits and needs no
 * stretching: PBKDF2 at libcryptsetup's minimum (as systemd-cryptenroll
 * does for TPM2 keys), so unlock is fast and needs no memory in a small VM.
 * A --secret-file may be anything a person chose: libcryptsetup's default,
 * adjusted by --pbkdf, --iter-time, --pbkdf-memory and
 * --pbkdf-force-iterations as cryptsetup's options are (the minimum on
 * request: --pbkdf pbkdf2 --pbkdf-force-iterations 1000).
 */
static int set_pbkdf(struct crypt_device *cd, const struct enroll_opts *o)
{
	static const struct crypt_pbkdf_type minimal = {
		.type = CRYPT_KDF_PBKDF2,
		.hash = "sha256",
		.iterations = 1000,
		.time_ms = 0,
		.flags = CRYPT_PBKDF_NO_BENCHMARK,
	};
	const struct crypt_pbkdf_type *def;
	struct crypt_pbkdf_type p;

	if (!o->secret_file) {
		if (o->iter_time_ms || o->pbkdf_memory_kb || o->pbkdf_iterations || o->pbkdf)
			log_warn("--pbkdf, --iter-time, --pbkdf-memory and --pbkdf-force-iterations "
				 "apply only to a --secret-file: ignored for a generated secret");
		return crypt_set_pbkdf_type(cd, &minimal);
	}
	def = crypt_get_pbkdf_default(crypt_get_type(cd));
	if (!def)
		return -EINVAL;
	p = *def;
	if (o->pbkdf) {
		p.type = o->pbkdf;
		if (!strcmp(p.type, CRYPT_KDF_PBKDF2)) {
			p.max_memory_kb = 0;
			p.parallel_threads = 0;
		} else if (!p.max_memory_kb) {
			/* LUKS1's default is PBKDF2: Argon2 needs its costs */
			p.max_memory_kb = 1024 * 1024;
			p.parallel_threads = 4;
		}
	}
	if (o->iter_time_ms)
		p.time_ms = o->iter_time_ms;
	if (o->pbkdf_iterations) {
		p.iterations = o->pbkdf_iterations;
		p.flags |= CRYPT_PBKDF_NO_BENCHMARK;
	}
	if (o->pbkdf_memory_kb) {
		if (strcmp(p.type, CRYPT_KDF_PBKDF2))
			p.max_memory_kb = o->pbkdf_memory_kb;
		else
			log_warn("--pbkdf-memory: %s has no memory cost: ignored", p.type);
	}
	return crypt_set_pbkdf_type(cd, &p);
}

/* "pbkdf2, 1000 iterations" or "argon2id, 4 iterations, 32768 KiB" */
static void describe_slot_pbkdf(struct crypt_device *cd, int slot, char *buf, size_t len)
{
	struct crypt_pbkdf_type p;

	if (crypt_keyslot_get_pbkdf(cd, slot, &p) < 0 || !p.type)
		snprintf(buf, len, "unknown PBKDF");
	else if (!strcmp(p.type, CRYPT_KDF_PBKDF2))
		snprintf(buf, len, "%s, %u iterations", p.type, p.iterations);
	else
		snprintf(buf, len, "%s, %u iterations, %u KiB", p.type, p.iterations,
			 p.max_memory_kb);
}

/*
 * --wipe-slot N: N must be in use and, on LUKS2, named by a cocosecret
 * token (other keyslots are not ours to remove).  LUKS1 has no tokens: the
 * user's N is all there is to go by.
 */
static int check_wipe_slot(struct crypt_device *cd, const char *device, int slot)
{
	uint32_t bit = 1U << slot, coco;
	int t;

	if (!(luks_active_slots(cd) & bit)) {
		log_err("keyslot %d of %s is not in use", slot, device);
		return -ENOENT;
	}
	if (!luks_is_luks2(cd))
		return 0;
	coco = luks_tokens_of_type(cd, COCO_TOKEN_TYPE, true);
	for (t = 0; t < 32; t++)
		if ((coco & 1U << t) && (luks_token_slots(cd, t) & bit))
			return 0;
	log_err("keyslot %d of %s is not cocosecret's (no %s token names it): not removed",
		slot, device, COCO_TOKEN_TYPE);
	return -EPERM;
}

/*
 * Remove the keyslots in SLOTS, then every cocosecret token left without a
 * keyslot.  Refuses (-EPERM) when no other keyslot would remain, and
 * (-EBUSY) when a token of another type uses one of them.
 */
static int remove_slots(struct crypt_device *cd, const char *device, uint32_t slots)
{
	uint32_t others, coco;
	int i, r;

	if (!(luks_active_slots(cd) & ~slots)) {
		log_err("refusing to remove the last keyslot of %s: add a passphrase first "
			"(cryptsetup luksAddKey)", device);
		return -EPERM;
	}
	others = luks_tokens_of_type(cd, COCO_TOKEN_TYPE, false);
	for (i = 0; i < 32; i++) {
		if ((others & 1U << i) && (luks_token_slots(cd, i) & slots)) {
			log_err("LUKS2 token %d of %s (not %s) uses a keyslot to remove: nothing removed",
				i, device, COCO_TOKEN_TYPE);
			return -EBUSY;
		}
	}
	for (i = 0; i < 32; i++) {
		if (!(slots & 1U << i))
			continue;
		r = crypt_keyslot_destroy(cd, i);
		if (r < 0) {
			log_err("cannot remove keyslot %d of %s: %s", i, device, strerror(-r));
			return r;
		}
		log_info("removed keyslot %d of %s", i, device);
	}
	/* libcryptsetup unassigned the keyslots from their tokens. */
	coco = luks_tokens_of_type(cd, COCO_TOKEN_TYPE, true);
	for (i = 0; i < 32; i++) {
		if (!(coco & 1U << i) || luks_token_slots(cd, i))
			continue;
		r = luks_token_remove(cd, i);
		if (r < 0) {
			log_err("cannot remove %s token %d of %s: %s", COCO_TOKEN_TYPE, i, device,
				strerror(-r));
			return r;
		}
		log_info("removed %s token %d of %s", COCO_TOKEN_TYPE, i, device);
	}
	return 0;
}

/*
 * unlock reads the GUID of the first cocosecret token only: refuse a second
 * token with another GUID, unless --wipe-slot replaces the one there.
 */
static int check_guid_conflict(struct crypt_device *cd, const struct enroll_opts *o)
{
	struct coco_token t;
	struct guid disk;
	const char *json;
	char have[GUID_STR_LEN + 1];
	uint32_t slots;
	int i;

	(void)guid_parse(DISK_PASSPHRASE_GUID, &disk);
	for (i = 0; i < 32; i++) {
		if (crypt_token_json_get(cd, i, &json) < 0 ||
		    luks_token_parse(json, strlen(json), &t) != 1)
			continue;
		if (guid_equal(t.has_guid ? &t.guid : &disk, &o->guid))
			continue;
		slots = luks_token_slots(cd, i);
		if (o->wipe_slot >= 0 && !(slots & ~(1U << o->wipe_slot)))
			continue;	/* goes with --wipe-slot */
		guid_format(t.has_guid ? &t.guid : &disk, have);
		if (t.keyslot < 0)
			log_err("%s already has a %s token for secret %s (token %d, no keyslot); "
				"unlock reads one GUID: use --guid %s, or remove it with unenroll",
				o->device, COCO_TOKEN_TYPE, have, i, have);
		else
			log_err("%s already has a %s token for secret %s (token %d, keyslot %d); "
				"unlock reads one GUID: use --guid %s, or replace it with --wipe-slot %d",
				o->device, COCO_TOKEN_TYPE, have, i, t.keyslot, have, t.keyslot);
		return -EEXIST;
	}
	return 0;
}

/*
 * --secret-out: created unnamed (O_TMPFILE) in its directory and linked under
 * its name only once it holds the enrolled secret, so that a kill at any
 * point leaves no file behind rather than an empty one.  Where the file
 * system has no O_TMPFILE, the named file is created at once (and removed
 * again on failure).  Returns the descriptor; *named says which it is.
 */
static int secret_out_open(const char *path, bool *named)
{
	const char *slash = strrchr(path, '/'), *path_dir;
	char dir[PATH_MAX];
	struct stat sb;
	size_t n;
	int fd;

	if (lstat(path, &sb) == 0)
		return -EEXIST;
	if (errno != ENOENT)
		return -errno;
	/* its directory: ".", "/", or the part before the last slash */
	if (!slash) {
		path_dir = ".";
		n = 1;
	} else {
		path_dir = path;
		n = slash == path ? 1 : (size_t)(slash - path);
	}
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path_dir, n);
	dir[n] = '\0';
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		*named = false;
		return fd;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	*named = true;
	return fd;
}

/* Give the unnamed file its name; never over an existing one. */
static int secret_out_link(int fd, const char *path)
{
	char proc[32];

	if (linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not */
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0)
		return -errno;
	return 0;
}

static bool has_free_slot(struct crypt_device *cd)
{
	int i, max = crypt_keyslot_max(crypt_get_type(cd));

	for (i = 0; i < max; i++)
		if (crypt_keyslot_status(cd, i) == CRYPT_SLOT_INACTIVE)
			return true;
	return false;
}

/* Say what enroll did. */
static void report_enrolled(struct crypt_device *cd, const struct enroll_opts *o, int slot,
			    int token)
{
	char gs[GUID_STR_LEN + 1], how[96];

	guid_format(&o->guid, gs);
	describe_slot_pbkdf(cd, slot, how, sizeof(how));
	if (token >= 0) {
		log_info("enrolled secret %s in %s: keyslot %d (%s), %s token %d with header MAC",
			 gs, o->device, slot, how, COCO_TOKEN_TYPE, token);
	} else {
		log_info("enrolled secret %s in %s: keyslot %d (%s)", gs, o->device, slot, how);
		log_info("%s is LUKS1: keyslot only, no %s token; unlock tries every keyslot with "
			 "--guid or the disk-passphrase GUID", o->device, COCO_TOKEN_TYPE);
		if (strcmp(gs, DISK_PASSPHRASE_GUID))
			log_warn("LUKS1 cannot record GUID %s: unlock needs --guid %s "
				 "(rd.cocosecret.guid=%s)", gs, gs, gs);
	}
	if (o->secret_out)
		log_info("secret written to %s (mode 0600): give it to the injection tooling, "
			 "keep it safe", o->secret_out);
}

/*
 * The token for the new keyslot, with the header MAC over that keyslot as it
 * now is in the header: the token's id, or -errno (reported).
 */
static int add_token(struct crypt_device *cd, const struct enroll_opts *o, int slot,
		     const struct secure_buf *secret, size_t slen)
{
	unsigned char mac[HEADER_MAC_LEN];
	int r;

	r = luks_header_mac(cd, 1U << slot, &o->guid, secret->data, slen, mac);
	if (r < 0) {
		log_err("cannot compute the header MAC of %s: %s", o->device, strerror(-r));
		return r;
	}
	r = luks_token_add(cd, slot, &o->guid, mac);
	explicit_bzero(mac, sizeof(mac));
	if (r < 0)
		log_err("cannot add a %s token to %s: %s", COCO_TOKEN_TYPE, o->device,
			strerror(-r));
	return r;
}

/* --- the verbs ------------------------------------------------------------- */

static int parse_wipe_slot(const char *arg, int *slot)
{
	unsigned int v;

	if (parse_uint_arg(arg, 31, &v) < 0) {
		log_err("invalid keyslot '%.16s' (0-31)", arg);
		return -EINVAL;
	}
	*slot = (int)v;
	return 0;
}

static int parse_enroll_args(int argc, char **argv, struct enroll_opts *o)
{
	static const struct option longopts[] = {
		{ "guid", required_argument, NULL, OPT_GUID },
		{ "key-file", required_argument, NULL, OPT_KEY_FILE },
		{ "secret-file", required_argument, NULL, OPT_SECRET_FILE },
		{ "secret-out", required_argument, NULL, OPT_SECRET_OUT },
		{ "wipe-slot", required_argument, NULL, OPT_WIPE_SLOT },
		{ "iter-time", required_argument, NULL, OPT_ITER_TIME },
		{ "pbkdf-memory", required_argument, NULL, OPT_PBKDF_MEMORY },
		{ "pbkdf-force-iterations", required_argument, NULL, OPT_PBKDF_ITERATIONS },
		{ "pbkdf", required_argument, NULL, OPT_PBKDF },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->wipe_slot = -1;
	(void)guid_parse(DISK_PASSPHRASE_GUID, &o->guid);

	while ((c = getopt_long(argc, argv, ":" COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int r = common_option(c, "enroll", argv);

		if (r < 0)
			return -EINVAL;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_GUID:
			if (parse_guid_arg(optarg, &o->guid) < 0)
				return -EINVAL;
			break;
		case OPT_KEY_FILE:
			o->key_file = optarg;
			break;
		case OPT_SECRET_FILE:
			o->secret_file = optarg;
			break;
		case OPT_SECRET_OUT:
			o->secret_out = optarg;
			break;
		case OPT_WIPE_SLOT:
			if (parse_wipe_slot(optarg, &o->wipe_slot) < 0)
				return -EINVAL;
			break;
		case OPT_ITER_TIME:
			if (parse_uint_arg(optarg, 60000, &o->iter_time_ms) < 0 || !o->iter_time_ms) {
				log_err("invalid --iter-time '%.16s' (milliseconds, 1-60000)", optarg);
				return -EINVAL;
			}
			break;
		case OPT_PBKDF_MEMORY:
			if (parse_uint_arg(optarg, 4194304, &o->pbkdf_memory_kb) < 0 ||
			    !o->pbkdf_memory_kb) {
				log_err("invalid --pbkdf-memory '%.16s' (KiB, 1-4194304)", optarg);
				return -EINVAL;
			}
			break;
		case OPT_PBKDF:
			if (strcmp(optarg, CRYPT_KDF_PBKDF2) && strcmp(optarg, CRYPT_KDF_ARGON2I) &&
			    strcmp(optarg, CRYPT_KDF_ARGON2ID)) {
				log_err("invalid --pbkdf '%.16s' (pbkdf2, argon2i, argon2id)", optarg);
				return -EINVAL;
			}
			o->pbkdf = optarg;
			break;
		case OPT_PBKDF_ITERATIONS:
			if (parse_uint_arg(optarg, UINT32_MAX, &o->pbkdf_iterations) < 0 ||
			    !o->pbkdf_iterations) {
				log_err("invalid --pbkdf-force-iterations '%.16s'", optarg);
				return -EINVAL;
			}
			break;
		}
	}
	if (argc - optind != 1) {
		if (optind >= argc)
			log_err("enroll: no DEVICE given");
		else
			log_err("enroll: unexpected argument '%.64s'", argv[argc - 1]);
		errtryhelp("enroll");
		return -EINVAL;
	}
	o->device = argv[optind];
	if (!o->secret_out && !o->secret_file) {
		log_err("enroll: --secret-out FILE is needed for a generated secret");
		errtryhelp("enroll");
		return -EINVAL;
	}
	return 0;
}

int cmd_enroll(int argc, char **argv)
{
	struct enroll_opts o;
	struct crypt_device *cd = NULL;
	struct secure_buf pass = { 0 }, secret = { 0 };
	size_t slen = 0;
	bool created = false;	/* secret_out is ours to remove on failure */
	bool named = false;	/* out_fd already has secret_out's name */
	bool blocked = false;
	sigset_t oldmask;
	int out_fd = -1, slot = -1, token = -1, r, ret = EXIT_ERROR;

	if (parse_enroll_args(argc, argv, &o) < 0)
		return EXIT_ERROR;
	luks_setup_logging(log_get_level() >= LOG_LVL_DEBUG);
	if (secure_process_init() < 0) {
		log_err("cannot harden the process: %s", strerror(errno));
		return EXIT_ERROR;
	}

	r = luks_load(o.device, &cd);
	if (r < 0)
		return luks_load_exit(o.device, r);

	/* Everything that can be refused is refused before anything changes. */
	if (o.wipe_slot >= 0 && check_wipe_slot(cd, o.device, o.wipe_slot) < 0)
		goto out;
	if (check_guid_conflict(cd, &o) < 0)
		goto out;
	if (!has_free_slot(cd)) {
		log_err("%s has no free keyslot", o.device);
		goto out;
	}
	if (o.secret_out) {
		out_fd = secret_out_open(o.secret_out, &named);
		if (out_fd < 0) {
			if (out_fd == -EEXIST)
				log_err("%s already exists: not overwritten", o.secret_out);
			else
				log_err("cannot create %s: %s", o.secret_out, strerror(-out_fd));
			goto out;
		}
		created = named;
		(void)fchmod(out_fd, 0600);	/* exactly, whatever the umask */
	}

	r = get_existing_passphrase(&o, &pass);
	if (r < 0) {
		ret = r == -ENOMEM ? EXIT_NO_MEMORY : EXIT_ERROR;
		goto out;
	}
	/*
	 * (The prompt handles its own signals.)  From here to the end a TERM
	 * waits: every copy is wiped and the header left whole before it acts.
	 */
	signals_block(&oldmask);
	blocked = true;
	r = get_secret(&o, &secret, &slen);
	if (r < 0) {
		ret = r == -ENOMEM ? EXIT_NO_MEMORY : EXIT_ERROR;
		goto out;
	}
	if (o.secret_file && slen < SECRET_RANDOM_MIN)
		log_warn("secret file %s: %zu bytes; the header MAC lets anyone who has the disk "
			 "test guesses of it quickly: a launch secret should be %d or more random "
			 "bytes", o.secret_file, slen, SECRET_RANDOM_MIN);
	r = set_pbkdf(cd, &o);
	if (r < 0) {
		log_err("cannot set the keyslot's PBKDF: %s", strerror(-r));
		goto out;
	}

	slot = crypt_keyslot_add_by_passphrase(cd, CRYPT_ANY_SLOT,
					       (const char *)pass.data, pass.len,
					       (const char *)secret.data, slen);
	secure_free(&pass);
	if (slot < 0) {
		switch (slot) {
		case -EPERM:
			log_err("the existing passphrase does not open %s", o.device);
			ret = EXIT_WRONG_SECRET;
			break;
		case -ENOMEM:
			log_err("out of memory adding a keyslot to %s", o.device);
			ret = EXIT_NO_MEMORY;
			break;
		default:
			log_err("cannot add a keyslot to %s: %s", o.device, strerror(-slot));
			break;
		}
		goto out;
	}

	if (luks_is_luks2(cd)) {
		token = add_token(cd, &o, slot, &secret, slen);
		if (token < 0)
			goto rollback;
	}
	if (out_fd >= 0) {
		r = write_all(out_fd, secret.data, slen);
		if (r == 0 && fsync(out_fd) < 0)
			r = -errno;
		if (r == 0 && !named) {
			r = secret_out_link(out_fd, o.secret_out);
			if (r == -EEXIST)
				log_err("%s appeared meanwhile: not overwritten", o.secret_out);
		}
		if (close(out_fd) < 0 && r == 0)
			r = -errno;
		out_fd = -1;
		if (r < 0) {
			log_err("cannot write %s: %s", o.secret_out, strerror(-r));
			goto rollback;
		}
		created = false;	/* it holds the enrolled secret: keep it */
	}
	secure_free(&secret);

	report_enrolled(cd, &o, slot, token);

	if (o.wipe_slot >= 0 && remove_slots(cd, o.device, 1U << o.wipe_slot) < 0) {
		/* The new secret is enrolled and written: say so, fail anyway. */
		log_err("enrolled keyslot %d, but keyslot %d of %s is still there", slot,
			o.wipe_slot, o.device);
		goto out;
	}
	ret = EXIT_OK;
	goto out;

rollback:
	if (token >= 0 && luks_token_remove(cd, token) < 0)
		log_err("cannot roll back %s token %d of %s", COCO_TOKEN_TYPE, token, o.device);
	if (crypt_keyslot_destroy(cd, slot) < 0)
		log_err("cannot roll back keyslot %d of %s", slot, o.device);
out:
	if (out_fd >= 0)
		close(out_fd);
	if (created)
		(void)unlink(o.secret_out);	/* ours, and no keyslot takes what it would hold */
	secure_free(&pass);
	secure_free(&secret);
	crypt_free(cd);
	if (blocked)
		signals_restore(&oldmask);	/* a pending signal acts now */
	return ret;
}

int cmd_unenroll(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wipe-slot", required_argument, NULL, OPT_WIPE_SLOT },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct crypt_device *cd = NULL;
	const char *device;
	uint32_t coco, slots = 0;
	int c, t, r, wipe_slot = -1, ret = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, ":" COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		r = common_option(c, "unenroll", argv);
		if (r < 0)
			return EXIT_ERROR;
		if (r == 0 && parse_wipe_slot(optarg, &wipe_slot) < 0)
			return EXIT_ERROR;	/* only --wipe-slot is left */
	}
	if (argc - optind != 1) {
		if (optind >= argc)
			log_err("unenroll: no DEVICE given");
		else
			log_err("unenroll: unexpected argument '%.64s'", argv[argc - 1]);
		errtryhelp("unenroll");
		return EXIT_ERROR;
	}
	device = argv[optind];
	luks_setup_logging(log_get_level() >= LOG_LVL_DEBUG);

	r = luks_load(device, &cd);
	if (r < 0)
		return luks_load_exit(device, r);

	if (wipe_slot >= 0) {
		if (check_wipe_slot(cd, device, wipe_slot) < 0)
			goto out;
		slots = 1U << wipe_slot;
	} else if (!luks_is_luks2(cd)) {
		log_err("%s is LUKS1: no token tells cocosecret's keyslot from the others; "
			"name it with --wipe-slot N", device);
		goto out;
	} else {
		coco = luks_tokens_of_type(cd, COCO_TOKEN_TYPE, true);
		if (!coco) {
			log_info("%s has no %s token: nothing to do", device, COCO_TOKEN_TYPE);
			ret = EXIT_OK;
			goto out;
		}
		for (t = 0; t < 32; t++)
			if (coco & 1U << t)
				slots |= luks_token_slots(cd, t);
	}
	if (remove_slots(cd, device, slots) == 0)
		ret = EXIT_OK;
out:
	crypt_free(cd);
	return ret;
}
