/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COCOSECRET_HEADER_H
#define COCOSECRET_HEADER_H

/*
 * The LUKS header is the host's (SPEC 3.2a): what libcryptsetup accepts
 * proves nothing.  This file checks the metadata for downgrades before a
 * secret is tried, and computes the header MAC that `enroll` stores in the
 * cocosecret token and `unlock` verifies.  Pure: JSON text in, verdicts and
 * bytes out (unit-tested and fuzzed on its own).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEADER_MAC_LEN		32
/* The label that derives the MAC key from the secret: never the secret itself. */
#define HEADER_MAC_LABEL	"cocosecret header-mac v1"
/* How the token stores it: "v1:" and 64 lower-case hex digits. */
#define HEADER_MAC_PREFIX	"v1:"
#define HEADER_MAC_STR_LEN	(sizeof(HEADER_MAC_PREFIX) - 1 + 2 * HEADER_MAC_LEN)

/* A cipher spec that encrypts nothing, or with an all-zero IV: "cipher_null-ecb", "aes-cbc-null". */
bool cipher_is_null(const char *spec);

/*
 * Refuse LUKS2 metadata (crypt_dump_json's text) that a hostile host could
 * have downgraded, before the keyslots in SLOTS (a bitmask) are tried: a
 * data segment that is not of type crypt or uses a null cipher; a keyslot
 * of SLOTS with a null area cipher, a volume key under 128 bits, or not
 * bound through a digest to every data segment.  Returns 0, -EPERM (why
 * holds one line saying what was refused), -EINVAL (not LUKS2 metadata),
 * -ENOMEM.
 */
int header_check_luks2(const char *json, size_t len, uint32_t slots, char *why, size_t whylen);

/*
 * The canonical encoding of what the MAC covers, built from parsed values
 * in a fixed order (never from the JSON text, which libcryptsetup
 * rewrites): the token's GUID and keyslots SLOTS (key size, area, AF, KDF
 * with its salt); every data segment (type, offset, size, iv_tweak,
 * encryption, sector_size, integrity); every digest bound to a segment
 * (type, hash, iterations, salt, digest value and its segment list, not its
 * keyslot list, which a recovery keyslot changes).  *out is malloc'ed.
 * Returns 0, -EINVAL, -ENOMEM.
 */
int header_mac_input(const char *json, size_t len, uint32_t slots, const char *guid,
		     unsigned char **out, size_t *outlen);

/*
 * MAC = HMAC-SHA256(K, input), K = HMAC-SHA256(secret, HEADER_MAC_LABEL).
 * Every intermediate state is wiped.
 */
void header_mac(const unsigned char *secret, size_t slen, const unsigned char *input,
		size_t inlen, unsigned char mac[HEADER_MAC_LEN]);

/* Constant-time comparison of two MACs: true when equal. */
bool header_mac_equal(const unsigned char a[HEADER_MAC_LEN], const unsigned char b[HEADER_MAC_LEN]);

/* "v1:<hex>" <-> bytes: 0 or -EINVAL.  buf holds HEADER_MAC_STR_LEN + 1. */
int header_mac_parse(const char *s, size_t len, unsigned char mac[HEADER_MAC_LEN]);
void header_mac_format(const unsigned char mac[HEADER_MAC_LEN], char *buf);

#endif
