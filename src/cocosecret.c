// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cocosecret - unlock a confidential VM's LUKS volume with its launch secret
 *
 * main: global options, verb dispatch, shared option parsing.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cocosecret.h"
#include "log.h"
#include "luks.h"

#ifndef COCOSECRET_VERSION
#define COCOSECRET_VERSION "unknown"
#endif

static const char *const verb_usage[][2] = {
	{ "unlock",
	  "unlock [--guid GUID] [--secrets-dir DIR] [--key-slot N] [--timeout SEC]\n"
	  "                  [--test-passphrase] [--keep] [--readonly] [--allow-discards]\n"
	  "                  [--perf-same_cpu_crypt] [--perf-submit_from_crypt_cpus]\n"
	  "                  [--perf-no_read_workqueue] [--perf-no_write_workqueue]\n"
	  "                  [--require-token] [--require-auth] [--trust GUID]... DEVICE [NAME]" },
	{ "wipe", "wipe [--secrets-dir DIR] [--all | [--token-of DEVICE]... [--trust GUID]... GUID...]" },
	{ "status", "status [--secrets-dir DIR] [--guid GUID]... [DEVICE...]" },
	{ "enroll",
	  "enroll [--guid GUID] [--key-file FILE] [--secret-file FILE] --secret-out FILE\n"
	  "                  [--wipe-slot N] [--pbkdf TYPE] [--iter-time MS] [--pbkdf-memory KIB]\n"
	  "                  [--pbkdf-force-iterations N] DEVICE" },
	{ "unenroll", "unenroll [--wipe-slot N] DEVICE" },
	{ "table", "table build -o OUT GUID=FILE...\n"
		   "  cocosecret table dump FILE" },
};

static void usage(FILE *out)
{
	fputs("Usage:\n", out);
	for (size_t i = 0; i < sizeof(verb_usage) / sizeof(verb_usage[0]); i++)
		fprintf(out, "  cocosecret %s\n", verb_usage[i][1]);
	fputs("  cocosecret --help | --version\n"
	      "\n"
	      "Unlock a confidential VM's LUKS volume with a launch secret that the\n"
	      "kernel's efi_secret module shows in /sys/kernel/security/secrets/coco.\n"
	      "\n"
	      "Options for every verb:\n"
	      "  -v, --verbose      more detail (never the secret)\n"
	      "      --debug        also libcryptsetup's debug output\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "Exit codes: 0 success, 1 usage or other error, 2 the secret does not open\n"
	      "the volume, 3 out of memory, 4 device not found or not LUKS, 5 busy or\n"
	      "name in use, 6 no secret available.\n"
	      "\n"
	      "See cocosecret(8).\n", out);
}

void usage_verb(const char *verb)
{
	for (size_t i = 0; i < sizeof(verb_usage) / sizeof(verb_usage[0]); i++) {
		if (!strcmp(verb, verb_usage[i][0])) {
			printf("Usage: cocosecret %s\n\nSee cocosecret(8).\n", verb_usage[i][1]);
			return;
		}
	}
	usage(stdout);
}

void errtryhelp(const char *verb)
{
	if (verb)
		fprintf(stderr, "Try 'cocosecret %s --help' for more information.\n", verb);
	else
		fprintf(stderr, "Try 'cocosecret --help' for more information.\n");
}

int common_option(int c, const char *verb, char **argv)
{
	const char *opt = argv[optind - 1];
	const char *sep = *verb ? ": " : "";

	switch (c) {
	case ':':
		log_err("%s%soption '%.64s' requires an argument", verb, sep, opt);
		errtryhelp(*verb ? verb : NULL);
		return -1;
	case '?':
		if (optopt && strncmp(opt, "--", 2))
			log_err("%s%sinvalid option -- '%c'", verb, sep, optopt);
		else
			log_err("%s%sunrecognized option '%.64s'", verb, sep, opt);
		errtryhelp(*verb ? verb : NULL);
		return -1;
	case 'v':
		if (log_get_level() < LOG_LVL_VERBOSE)
			log_set_level(LOG_LVL_VERBOSE);
		return 1;
	case OPT_DEBUG:
		log_set_level(LOG_LVL_DEBUG);
		return 1;
	case 'h':
		usage_verb(verb);
		exit(EXIT_OK);
	default:
		return 0;
	}
}

int luks_load_exit(const char *device, int r)
{
	switch (r) {
	case -ENOENT:
		log_err("device %s not found", device);
		return EXIT_NO_DEVICE;
	case -ENOTBLK:
		log_err("%s is neither a block device nor a file", device);
		return EXIT_NO_DEVICE;
	case -ENOMEM:
		log_err("out of memory loading %s", device);
		return EXIT_NO_MEMORY;
	case -EBUSY:
		log_err("device %s is busy", device);
		return EXIT_BUSY;
	case -EACCES:
		log_err("cannot access %s: %s", device, strerror(-r));
		return EXIT_ERROR;
	default:
		log_err("%s is not a valid LUKS device", device);
		return EXIT_NO_DEVICE;
	}
}

int parse_guid_arg(const char *arg, struct guid *g)
{
	if (guid_parse(arg, g) < 0) {
		/* A GUID is public: naming the bad one is fine. */
		log_err("invalid GUID '%.64s' (want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", arg);
		return -EINVAL;
	}
	return 0;
}

int parse_uint_arg(const char *arg, unsigned int max, unsigned int *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	n = strtoul(arg, &end, 10);
	if (errno || *end || n > max)
		return -EINVAL;
	*v = (unsigned int)n;
	return 0;
}

/* SEC: whole or decimal seconds, at most an hour. */
int parse_timeout_arg(const char *arg, unsigned int *ms)
{
	unsigned int sec, frac = 0, scale = 1000;
	const char *dot = strchr(arg, '.');
	char whole[16];
	size_t wlen = dot ? (size_t)(dot - arg) : strlen(arg);

	if (wlen == 0 || wlen >= sizeof(whole))
		return -EINVAL;
	memcpy(whole, arg, wlen);
	whole[wlen] = '\0';
	if (parse_uint_arg(whole, 3600, &sec) < 0)
		return -EINVAL;
	if (dot) {
		const char *p = dot + 1;

		if (!*p)
			return -EINVAL;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			scale /= 10;
			frac += (unsigned int)(*p - '0') * scale;
		}
	}
	*ms = sec * 1000 + frac;
	return *ms > 3600 * 1000 ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} verbs[] = {
		{ "unlock", cmd_unlock },
		{ "wipe", cmd_wipe },
		{ "status", cmd_status },
		{ "table", cmd_table },
		{ "enroll", cmd_enroll },
		{ "unenroll", cmd_unenroll },
	};
	int c;

	/* In the initramfs, messages go to the kernel log too. */
	if (access("/etc/initrd-release", F_OK) == 0)
		log_set_kmsg(1);

	/* '+': stop at the verb; its options are its own. */
	opterr = 0;	/* our own messages, prefixed like every other */
	while ((c = getopt_long(argc, argv, "+:V" COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int r = common_option(c, "", argv);

		if (r < 0)
			return EXIT_ERROR;
		if (r > 0)
			continue;
		/* only 'V' is left */
		printf("cocosecret %s\n", COCOSECRET_VERSION);
		return EXIT_OK;
	}
	if (optind >= argc) {
		log_err("no verb given");
		errtryhelp(NULL);
		return EXIT_ERROR;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (!strcmp(argv[optind], verbs[i].name)) {
			argc -= optind;
			argv += optind;
			optind = 0;	/* full getopt reset for the verb */
			return verbs[i].fn(argc, argv);
		}
	}
	log_err("unknown verb '%.32s'", argv[optind]);
	errtryhelp(NULL);
	return EXIT_ERROR;
}
