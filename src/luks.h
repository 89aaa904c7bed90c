/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COCOSECRET_LUKS_H
#define COCOSECRET_LUKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guid.h"
#include "header.h"

struct crypt_device;

#define COCO_TOKEN_TYPE "cocosecret"

/*
 * What a LUKS2 token {"type":"cocosecret","keyslots":["N"],"guid":"...",
 * "mac":"v1:<hex>"} says (guid and mac optional).
 */
struct coco_token {
	int id;		/* token number */
	int keyslot;	/* first keyslot it names, or -1 */
	uint32_t slots;	/* every keyslot it names, as a bitmask */
	bool has_guid;
	struct guid guid;
	bool has_mac;
	unsigned char mac[HEADER_MAC_LEN];
};

/*
 * Parse one token's JSON.  Returns 1 for a cocosecret token (fields
 * filled), 0 for a token of another type, -EINVAL for malformed JSON or a
 * cocosecret token with a bad or unknown field (strict: these tokens are
 * written by enroll only).
 */
int luks_token_parse(const char *json, size_t len, struct coco_token *t);

/* Is the loaded header LUKS2 (tokens, JSON metadata)? */
bool luks_is_luks2(struct crypt_device *cd);

/* Route libcryptsetup's messages into log_msg(); debug enables its debug output. */
void luks_setup_logging(bool debug);

/*
 * Open DEVICE and load its LUKS header.  Returns 0, -ENOENT (no such
 * device), -ENOTBLK (neither block device nor file), -EINVAL (not LUKS or
 * a damaged header), other -errno.
 */
int luks_load(const char *device, struct crypt_device **cd);

/* The first valid cocosecret token with an id >= from: 1 found, 0 none. */
int luks_find_token_from(struct crypt_device *cd, int from, struct coco_token *t);

/* The first valid cocosecret token: 1 found, 0 none. */
static inline int luks_find_token(struct crypt_device *cd, struct coco_token *t)
{
	return luks_find_token_from(cd, 0, t);
}

/* "luks-<UUID>" */
int luks_default_name(struct crypt_device *cd, char *buf, size_t len);

/*
 * Is NAME active?  0 no; 1 yes, on this device; -EBUSY yes, on another
 * device; other -errno.
 */
int luks_name_state(struct crypt_device *cd, const char *device, const char *name);

/* Keyslots that open the volume (active), as a bitmask. */
uint32_t luks_active_slots(struct crypt_device *cd);

/*
 * LUKS2 tokens whose type is TYPE (want) or is not (!want), as a bitmask;
 * 0 for LUKS1.  By type alone: a malformed cocosecret token counts too.
 */
uint32_t luks_tokens_of_type(struct crypt_device *cd, const char *type, bool want);

/* Keyslots assigned to TOKEN, as a bitmask. */
uint32_t luks_token_slots(struct crypt_device *cd, int token);

/*
 * Add {"type":"cocosecret","keyslots":["N"],"guid":"<lower-case GUID>"}, with
 * "mac":"v1:<hex>" when mac is given: returns the new token's id, or -errno.
 */
int luks_token_add(struct crypt_device *cd, int keyslot, const struct guid *g,
		   const unsigned char *mac);

/*
 * Refuse a downgraded header before the keyslots in SLOTS are tried
 * (header_check_luks2(); LUKS1: a null cipher or a short volume key).
 * 0, -EPERM (why says what), other -errno.
 */
int luks_check_header(struct crypt_device *cd, uint32_t slots, char *why, size_t whylen);

/* The header MAC over the token's keyslots SLOTS and GUID g, keyed from secret: 0 or -errno. */
int luks_header_mac(struct crypt_device *cd, uint32_t slots, const struct guid *g,
		    const unsigned char *secret, size_t slen, unsigned char mac[HEADER_MAC_LEN]);

/* The GUID token T names (the disk-passphrase GUID when it names none). */
struct guid luks_token_guid(const struct coco_token *t);

/* Does token T's header MAC match, keyed from the passphrase (plen bytes)? */
bool luks_token_mac_ok(struct crypt_device *cd, const struct coco_token *t,
		       const unsigned char *pass, size_t plen);

/* Remove TOKEN: 0 or -errno. */
int luks_token_remove(struct crypt_device *cd, int token);

#endif
