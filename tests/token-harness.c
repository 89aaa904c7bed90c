// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * token-harness.c - load a cocosecret token plugin and do what the
 * cryptsetup CLI does with it, for the builds the CLI cannot load (ASan) or
 * that valgrind should see whole:
 *
 *   token-harness PLUGIN.so dump IMG           crypt_dump (luksDump)
 *   token-harness PLUGIN.so import IMG FILE    crypt_token_json_set (token import)
 *   token-harness PLUGIN.so open IMG           crypt_activate_by_token_pin(NULL name,
 *                                              "cocosecret"): open --test-passphrase
 *                                              --token-only --token-type cocosecret
 *
 * The plugin's symbols are looked up by version (CRYPTSETUP_TOKEN_1.0), as
 * libcryptsetup does, and registered as the "cocosecret" handler.  Exit
 * codes as the CLI's: 0, 2 (-EPERM: the passphrase opened no keyslot),
 * 1 (anything else); the result is printed as "harness: open: <errno>".
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libcryptsetup.h>

static void *sym(void *h, const char *name)
{
	void *p = dlvsym(h, name, CRYPT_TOKEN_ABI_VERSION1);

	if (!p)
		fprintf(stderr, "harness: %s@%s: not exported\n", name, CRYPT_TOKEN_ABI_VERSION1);
	return p;
}

static char *slurp(const char *path)
{
	char *buf = NULL;
	long n;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	(void)fclose(f);	/* read-only: nothing to lose */
	return buf;
}

static void logger(int level, const char *msg, void *usrptr)
{
	(void)usrptr;
	fputs(msg, level == CRYPT_LOG_ERROR ? stderr : stdout);
}

int main(int argc, char **argv)
{
	crypt_token_handler h = { .name = "cocosecret" };
	struct crypt_device *cd = NULL;
	const char *(*version)(void);
	char *json = NULL;
	void *dl;
	int r;

	if (argc < 4 || (!strcmp(argv[2], "import") && argc < 5)) {
		fprintf(stderr, "usage: token-harness PLUGIN.so dump|import|open IMG [FILE]\n");
		return 1;
	}
	dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		fprintf(stderr, "harness: %s\n", dlerror());
		return 1;
	}
	h.open = (crypt_token_open_func)sym(dl, CRYPT_TOKEN_ABI_OPEN);
	h.buffer_free = (crypt_token_buffer_free_func)sym(dl, CRYPT_TOKEN_ABI_BUFFER_FREE);
	h.validate = (crypt_token_validate_func)sym(dl, CRYPT_TOKEN_ABI_VALIDATE);
	h.dump = (crypt_token_dump_func)sym(dl, CRYPT_TOKEN_ABI_DUMP);
	version = (const char *(*)(void))sym(dl, CRYPT_TOKEN_ABI_VERSION);
	if (!h.open || !h.buffer_free || !h.validate || !h.dump || !version) {
		r = -ENOENT;
		goto out;
	}
	printf("harness: plugin version %s\n", version());
	crypt_set_log_callback(NULL, logger, NULL);
	r = crypt_token_register(&h);
	if (r < 0)
		goto out;
	r = crypt_init(&cd, argv[3]);
	if (r == 0)
		r = crypt_load(cd, CRYPT_LUKS, NULL);
	if (r < 0)
		goto out;
	if (!strcmp(argv[2], "dump")) {
		r = crypt_dump(cd);
	} else if (!strcmp(argv[2], "import")) {
		json = slurp(argv[4]);
		r = json ? crypt_token_json_set(cd, CRYPT_ANY_TOKEN, json) : -errno;
	} else if (!strcmp(argv[2], "open")) {
		r = crypt_activate_by_token_pin(cd, NULL, "cocosecret", CRYPT_ANY_TOKEN, NULL, 0,
						NULL, 0);
	} else {
		fprintf(stderr, "harness: unknown verb %s\n", argv[2]);
		r = -EINVAL;
	}
out:
	printf("harness: %s: %d\n", argv[2], r);
	free(json);
	crypt_free(cd);
	dlclose(dl);
	return r >= 0 ? 0 : r == -EPERM ? 2 : 1;
}
