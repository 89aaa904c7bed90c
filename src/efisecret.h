/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COCOSECRET_EFISECRET_H
#define COCOSECRET_EFISECRET_H

#include <stdbool.h>

#include "guid.h"
#include "safemem.h"

#define SECURITYFS_MOUNT	"/sys/kernel/security"
#define COCO_SECRETS_DIR	SECURITYFS_MOUNT "/secrets/coco"
#define EFI_SECRET_MODULE	"efi_secret"
/* registered by the kernel whenever the firmware installed a secret area */
#define EFI_SECRET_DEVICE	"/sys/bus/platform/devices/efi_secret.0"
/* Larger than OVMF's whole 3 KiB secret area: anything bigger is not a launch secret. */
#define SECRET_MAX_SIZE		4096

struct secrets {
	const char *dir;	/* the directory holding <guid> files */
	bool system;		/* dir is securityfs: mount it, load the module */
	int module_state;	/* result of loading efi_secret (system only) */
	int fd;			/* the entry last read, kept open for the scrub */
	struct guid fd_guid;	/* its GUID */
	size_t fd_len;		/* bytes read from it (SECRET_MAX_SIZE + 1: more) */
};

/*
 * Point s at dir (NULL: the kernel's securityfs directory).  For the
 * kernel's directory and with setup, mount securityfs and load efi_secret
 * when needed; failures there are remembered, not fatal (the entry may
 * still appear).  Without setup nothing is mounted or loaded.
 */
void secrets_init(struct secrets *s, const char *dir, bool setup);

/*
 * Read the entry for g into b (a locked buffer of SECRET_MAX_SIZE + 1),
 * waiting at most timeout_ms for it to appear while the module is still
 * coming up.  Returns 0 or -ENOENT (no entry: no directory, no such GUID),
 * -ENODATA (empty), -EFBIG (larger than SECRET_MAX_SIZE; the entry stays
 * open all the same, for secrets_wipe()'s scrub), -EISDIR/-EINVAL
 * (not a regular file), -EACCES, -ENOMEM, other -errno.
 */
int secrets_read(struct secrets *s, const struct guid *g, unsigned int timeout_ms,
		 struct secure_buf *b);

/*
 * Unlink (= wipe in efi_secret) the entry; an absent entry is success (returns 1).
 * If it is the entry secrets_read() read (even when someone else unlinked it
 * meanwhile), also scrub the kernel's copy: efi_secret is read through
 * seq_file, whose buffer holds the secret and is freed uncleared when the file
 * is closed.  Reading the wiped entry once more through the same descriptor
 * refills that buffer with the zeros the unlink left; the scrub checks that it
 * read back zeros of the entry's full length (-EIO otherwise).
 */
int secrets_wipe(struct secrets *s, const struct guid *g);

/* Close the entry secrets_read() left open (without a scrub: see secrets_wipe). */
void secrets_release(struct secrets *s);

/* Does the entry exist?  1 yes, 0 no, -errno. */
int secrets_exists(struct secrets *s, const struct guid *g);

/* A message for an error from secrets_read(). */
const char *secrets_strerror(int r);

/* status helpers */
bool securityfs_mounted(void);
const char *efi_secret_module_state(char *buf, size_t len);

#endif
