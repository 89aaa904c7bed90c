/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COCOSECRET_EFISECRET_H
#define COCOSECRET_EFISECRET_H

#include <stdbool.h>

#include "guid.h"
#include "safemem.h"

#define SECURITYFS_MOUNT	"/sys/kernel/security"
#define COCO_SECRETS_DIR	SECURITYFS_MOUNT "/secrets/coco"
#define EFI_SECRET_MODULE	"efi_secret"
/* Larger than OVMF's whole 3 KiB secret area: anything bigger is not a launch secret. */
#define SECRET_MAX_SIZE		4096

struct secrets {
	const char *dir;	/* the directory holding <guid> files */
	bool system;		/* dir is securityfs: mount it, load the module */
	int module_state;	/* result of loading efi_secret (system only) */
};

/*
 * Point s at dir (NULL: the kernel's securityfs directory).  For the
 * kernel's directory, mount securityfs and load efi_secret when needed;
 * failures there are remembered, not fatal (the entry may still appear).
 */
void secrets_init(struct secrets *s, const char *dir);

/*
 * Read the entry for g into b (a locked buffer of SECRET_MAX_SIZE + 1),
 * waiting at most timeout_ms for it to appear while the module is still
 * coming up.  Returns 0 or -ENOENT (no entry: no directory, no such GUID),
 * -ENODATA (empty), -EFBIG (larger than SECRET_MAX_SIZE), -EISDIR/-EINVAL
 * (not a regular file), -EACCES, -ENOMEM, other -errno.
 */
int secrets_read(struct secrets *s, const struct guid *g, unsigned int timeout_ms,
		 struct secure_buf *b);

/* Unlink (= wipe in efi_secret) the entry; an absent entry is success (returns 1). */
int secrets_wipe(struct secrets *s, const struct guid *g);

/* Does the entry exist?  1 yes, 0 no, -errno. */
int secrets_exists(struct secrets *s, const struct guid *g);

/* A message for an error from secrets_read(). */
const char *secrets_strerror(int r);

/* status helpers */
bool securityfs_mounted(void);
const char *efi_secret_module_state(char *buf, size_t len);

#endif
