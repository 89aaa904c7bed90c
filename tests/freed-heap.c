// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * freed-heap.c - open a LUKS keyslot through the static libcryptsetup that
 * cocosecret links, with freed-heap-wrap.c looking at every freed block.
 *
 * Usage: freed-heap [--plant] [--key-slot N] DEVICE PASSFILE
 *
 * Checks PASSFILE's bytes against DEVICE's keyslots the way
 * `cocosecret unlock --test-passphrase` does, without device-mapper:
 * crypt_activate_by_passphrase(cd, NULL, ...), then looks at all its
 * writable memory (freed_heap_scan_memory(): dead stack frames are still
 * there, before the exit path overwrites some).  The needles come from
 * $FREED_HEAP_NEEDLES, the report goes to $FREED_HEAP_REPORT (see
 * freed-heap-wrap.c).  --plant first frees, on purpose, a block holding
 * the passphrase and a nettle HMAC-SHA256 context keyed by it, and leaves
 * the passphrase ^ HMAC ipad in a dead stack frame: the positive control
 * (found by a memory scan, then wiped).
 *
 * Exit: 0 the passphrase opens a keyslot, 2 it does not, 1 other errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <libcryptsetup.h>
#include <nettle/hmac.h>

#include "freed-heap.h"

#define PASS_MAX 4096

/* A dead frame below the caller that held what hmac_set_key() hashes. */
__attribute__((noinline)) static void plant_stack(const char *pass, size_t len)
{
	uint8_t pad[64];
	size_t i;

	for (i = 0; i < sizeof(pad); i++)
		pad[i] = (uint8_t)((i < len ? (uint8_t)pass[i] : 0) ^ 0x36);
	__asm__ volatile("" : : "r"(pad) : "memory");
}

static void plant(const char *pass, size_t len)
{
	struct hmac_sha256_ctx *h = malloc(sizeof(*h));
	char *copy = malloc(len + 37);

	if (copy) {
		memcpy(copy + 37, pass, len);
		__asm__ volatile("" : : "r"(copy) : "memory");	/* keep the store */
		free(copy);
	}
	if (h) {
		hmac_sha256_set_key(h, len, (const uint8_t *)pass);
		__asm__ volatile("" : : "r"(h) : "memory");
		free(h);
	}
	freed_heap_burn_stack();	/* what hmac_set_key() left */
	plant_stack(pass, len);
	freed_heap_scan_memory("planted");
	freed_heap_burn_stack();
}

int main(int argc, char **argv)
{
	static char pass[PASS_MAX];
	struct crypt_device *cd = NULL;
	int slot = CRYPT_ANY_SLOT, do_plant = 0, fd, r, i = 1;
	size_t len = 0;
	ssize_t n;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--plant"))
			do_plant = 1;
		else if (!strcmp(argv[i], "--key-slot") && i + 1 < argc)
			slot = (int)strtol(argv[++i], NULL, 10);
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: freed-heap [--plant] [--key-slot N] DEVICE PASSFILE\n");
		return 1;
	}
	if (mlock(pass, sizeof(pass)))
		perror("freed-heap: mlock");
	fd = open(argv[i + 1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[i + 1]);
		return 1;
	}
	while (len < sizeof(pass) && (n = read(fd, pass + len, sizeof(pass) - len)) > 0)
		len += (size_t)n;
	close(fd);

	if (do_plant)
		plant(pass, len);

	r = crypt_init(&cd, argv[i]);
	if (!r)
		r = crypt_load(cd, CRYPT_LUKS, NULL);
	if (!r)
		r = crypt_activate_by_passphrase(cd, NULL, slot, pass, len, 0);
	crypt_free(cd);
	explicit_bzero(pass, sizeof(pass));
	freed_heap_scan_memory("after the unlock");

	if (r >= 0) {
		printf("freed-heap: keyslot %d opened\n", r);
		return 0;
	}
	printf("freed-heap: %s (%d)\n", strerror(-r), r);
	return r == -EPERM ? 2 : 1;
}
