/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COCOSECRET_H
#define COCOSECRET_H

#include <stdbool.h>

#include "guid.h"

/* Exit codes: a fixed interface (the initramfs falls back on EXIT_NO_SECRET). */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,		/* usage or other error */
	EXIT_WRONG_SECRET = 2,	/* the secret does not open the volume */
	EXIT_NO_MEMORY = 3,
	EXIT_NO_DEVICE = 4,	/* device not found or not LUKS */
	EXIT_BUSY = 5,		/* device busy, or name in use by another device */
	EXIT_NO_SECRET = 6,	/* no securityfs, no efi_secret, no area, no such GUID */
	EXIT_HEADER_REFUSED = 7,	/* a downgraded or unauthenticated LUKS header */
};

#define DEFAULT_TIMEOUT_MS 5000

int cmd_unlock(int argc, char **argv);
int cmd_wipe(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_enroll(int argc, char **argv);
int cmd_unenroll(int argc, char **argv);

/* Shared option helpers (cocosecret.c). */
int parse_guid_arg(const char *arg, struct guid *g);
/* Report a luks_load() error for DEVICE; returns its exit code. */
int luks_load_exit(const char *device, int r);
int parse_timeout_arg(const char *arg, unsigned int *ms);
int parse_uint_arg(const char *arg, unsigned int max, unsigned int *v);
/*
 * Handle the options every verb takes (-v, --debug, -h) and getopt's
 * errors: 1 handled, 0 not one of them, -1 a usage error (reported).
 */
int common_option(int c, const char *verb, char **argv);
void errtryhelp(const char *verb);
void usage_verb(const char *verb);

#define COMMON_LONGOPTS \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "debug", no_argument, NULL, OPT_DEBUG }, \
	{ "help", no_argument, NULL, 'h' }

/* getopt strings start with ':' so that a missing argument is told apart. */
#define COMMON_SHORTOPTS "vh"

enum {
	OPT_DEBUG = 0x100,
	OPT_GUID,
	OPT_SECRETS_DIR,
	OPT_KEY_SLOT,
	OPT_TIMEOUT,
	OPT_TEST_PASSPHRASE,
	OPT_KEEP,
	OPT_READONLY,
	OPT_ALLOW_DISCARDS,
	OPT_ALL,
	OPT_KEY_FILE,
	OPT_SECRET_FILE,
	OPT_SECRET_OUT,
	OPT_WIPE_SLOT,
	OPT_ITER_TIME,
	OPT_PBKDF_MEMORY,
	OPT_PBKDF_ITERATIONS,
	OPT_PBKDF,
};

#endif
