// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * header.c - the LUKS2 header is the host's: downgrade checks and the
 * header MAC (SPEC 3.2a).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <nettle/hmac.h>

#include "header.h"

/* LUKS2 ids are small decimal numbers; libcryptsetup allows 32 keyslots. */
#define MAX_ID		64
#define MIN_KEY_BYTES	16	/* a volume key under 128 bits is a downgrade */

bool cipher_is_null(const char *spec)
{
	const char *p;
	size_t n;

	if (!spec)
		return false;
	/* "cipher_null-ecb", "capi:ecb(cipher_null)-plain", ... */
	for (p = spec; *p; p++)
		if (!strncasecmp(p, "cipher_null", 11))
			return true;
	/* any '-'-separated part "null": a null cipher, or the all-zero IV "aes-cbc-null" */
	for (p = spec; *p; p += n + (p[n] == '-')) {
		n = strcspn(p, "-");
		if (n == 4 && !strncasecmp(p, "null", 4))
			return true;
	}
	return false;
}

static json_object *parse_json(const char *json, size_t len)
{
	json_tokener *tok;
	json_object *root;

	if (len > (size_t)INT32_MAX)
		return NULL;
	tok = json_tokener_new();
	if (!tok)
		return NULL;
	root = json_tokener_parse_ex(tok, json, (int)len);
	if (root && (json_tokener_get_error(tok) != json_tokener_success ||
		     json_tokener_get_parse_end(tok) != len ||
		     !json_object_is_type(root, json_type_object))) {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

/* obj[key] when it is an object, else NULL */
static json_object *get_obj(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

static const char *get_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* obj[key] as an integer >= 0, or -1 */
static long long get_uint(json_object *obj, const char *key)
{
	json_object *v;
	long long n;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	n = (long long)json_object_get_int64(v);
	return n < 0 ? -1 : n;
}

/* An id ("0".."63") as a number, or -1. */
static int parse_id(const char *s)
{
	int n = 0;

	if (!*s || strlen(s) > 2 || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n < MAX_ID ? n : -1;
}

/*
 * The members of obj (segments, keyslots, digests) by id, in id order:
 * table[id] or NULL.  -EINVAL for a member whose name is not an id or
 * whose value is not an object.
 */
static int by_id(json_object *obj, json_object *table[MAX_ID])
{
	int i;

	for (i = 0; i < MAX_ID; i++)
		table[i] = NULL;
	if (!obj)
		return 0;
	json_object_object_foreach(obj, key, val) {
		int id = parse_id(key);

		if (id < 0 || !json_object_is_type(val, json_type_object))
			return -EINVAL;
		table[id] = val;
	}
	return 0;
}

/* Does the array obj[key] hold the string form of id? */
static bool lists_id(json_object *obj, const char *key, int id)
{
	json_object *arr, *v;
	size_t i, n;

	if (!json_object_object_get_ex(obj, key, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return false;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (json_object_is_type(v, json_type_string) &&
		    parse_id(json_object_get_string(v)) == id)
			return true;
	}
	return false;
}

struct luks2 {
	json_object *root;
	json_object *segments[MAX_ID];
	json_object *keyslots[MAX_ID];
	json_object *digests[MAX_ID];
	int nsegments;
};

static int luks2_parse(const char *json, size_t len, struct luks2 *h)
{
	int i;

	memset(h, 0, sizeof(*h));
	h->root = parse_json(json, len);
	if (!h->root)
		return -EINVAL;
	if (!get_obj(h->root, "segments") || !get_obj(h->root, "keyslots") ||
	    !get_obj(h->root, "digests") ||
	    by_id(get_obj(h->root, "segments"), h->segments) < 0 ||
	    by_id(get_obj(h->root, "keyslots"), h->keyslots) < 0 ||
	    by_id(get_obj(h->root, "digests"), h->digests) < 0) {
		json_object_put(h->root);
		h->root = NULL;
		return -EINVAL;
	}
	for (i = 0; i < MAX_ID; i++)
		h->nsegments += !!h->segments[i];
	return 0;
}

/* Is digest d bound to every data segment? */
static bool digest_covers_segments(const struct luks2 *h, json_object *d)
{
	int i;

	for (i = 0; i < MAX_ID; i++)
		if (h->segments[i] && !lists_id(d, "segments", i))
			return false;
	return true;
}

static int refuse(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -EPERM;
}

static int check_keyslot(const struct luks2 *h, int id, char *why, size_t whylen)
{
	json_object *ks = h->keyslots[id], *area = get_obj(ks, "area");
	const char *type = get_str(ks, "type"), *enc = get_str(area, "encryption");
	long long key_size = get_uint(ks, "key_size");
	int i;

	if (!type || strcmp(type, "luks2"))
		return refuse(why, whylen, "keyslot %d is of type '%.32s', not luks2", id,
			      type ? type : "?");
	if (key_size < MIN_KEY_BYTES)
		return refuse(why, whylen, "keyslot %d holds a volume key of %lld bytes (an empty "
			      "or short key)", id, key_size);
	if (!enc || cipher_is_null(enc) || get_uint(area, "key_size") <= 0)
		return refuse(why, whylen, "keyslot %d's area is not encrypted (%.64s): any "
			      "passphrase would open it", id, enc ? enc : "no cipher");
	for (i = 0; i < MAX_ID; i++) {
		json_object *d = h->digests[i];

		if (d && lists_id(d, "keyslots", id) && digest_covers_segments(h, d))
			return 0;
	}
	return refuse(why, whylen, "keyslot %d is not bound through a digest to the data "
		      "segment", id);
}

int header_check_luks2(const char *json, size_t len, uint32_t slots, char *why, size_t whylen)
{
	struct luks2 h;
	int i, r = 0;

	r = luks2_parse(json, len, &h);
	if (r < 0)
		return r;
	if (!h.nsegments) {
		r = refuse(why, whylen, "no data segment");
		goto out;
	}
	for (i = 0; i < MAX_ID && !r; i++) {
		json_object *s = h.segments[i];
		const char *type, *enc;

		if (!s)
			continue;
		type = get_str(s, "type");
		enc = get_str(s, "encryption");
		if (!type || strcmp(type, "crypt"))
			r = refuse(why, whylen, "data segment %d is of type '%.32s', not crypt "
				   "(not encrypted)", i, type ? type : "?");
		else if (!enc || cipher_is_null(enc))
			r = refuse(why, whylen, "data segment %d is not encrypted (%.64s)", i,
				   enc ? enc : "no cipher");
	}
	for (i = 0; i < MAX_ID && i < 32 && !r; i++) {
		/* (a keyslot not in the header opens nothing: activation says so) */
		if ((slots & 1U << i) && h.keyslots[i])
			r = check_keyslot(&h, i, why, whylen);
	}
	/* A digest libcryptsetup would compare the key against: pbkdf2 only. */
	for (i = 0; i < MAX_ID && !r; i++) {
		const char *type;

		if (!h.digests[i] || !digest_covers_segments(&h, h.digests[i]))
			continue;
		type = get_str(h.digests[i], "type");
		if (!type || strcmp(type, "pbkdf2"))
			r = refuse(why, whylen, "digest %d is of type '%.32s', not pbkdf2", i,
				   type ? type : "?");
	}
out:
	json_object_put(h.root);
	return r;
}

/* --- the MAC's input -------------------------------------------------------- */

/*
 * Each field: its name, NUL, then 'a' (absent), or 's'/'i' and a 4-byte
 * big-endian length and the value (a string as it is, an integer in
 * decimal).  Names hold no NUL and every value carries its length: no two
 * headers encode alike.
 */
struct enc {
	unsigned char *p;
	size_t len, cap;
	int err;
};

static void put(struct enc *e, const void *data, size_t n)
{
	if (e->err)
		return;
	if (e->len + n > e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 1024;
		unsigned char *p;

		while (cap < e->len + n)
			cap *= 2;
		p = realloc(e->p, cap);
		if (!p) {
			e->err = -ENOMEM;
			return;
		}
		e->p = p;
		e->cap = cap;
	}
	memcpy(e->p + e->len, data, n);
	e->len += n;
}

static void put_value(struct enc *e, const char *name, char kind, const char *v, size_t n)
{
	unsigned char hdr[5] = { (unsigned char)kind, (unsigned char)(n >> 24),
				 (unsigned char)(n >> 16), (unsigned char)(n >> 8),
				 (unsigned char)n };

	put(e, name, strlen(name) + 1);
	if (!v) {
		put(e, "a", 1);
		return;
	}
	put(e, hdr, sizeof(hdr));
	put(e, v, n);
}

static void put_str(struct enc *e, const char *name, const char *v)
{
	put_value(e, name, 's', v, v ? strlen(v) : 0);
}

/* obj[key], a string or an integer (absent: 'a'; another type: an error) */
static void put_field(struct enc *e, const char *name, json_object *obj, const char *key)
{
	char num[24];
	json_object *v;
	int n;

	if (!obj || !json_object_object_get_ex(obj, key, &v)) {
		put_value(e, name, 'a', NULL, 0);
		return;
	}
	if (json_object_is_type(v, json_type_string)) {
		put_value(e, name, 's', json_object_get_string(v),
			  (size_t)json_object_get_string_len(v));
	} else if (json_object_is_type(v, json_type_int)) {
		n = snprintf(num, sizeof(num), "%lld", (long long)json_object_get_int64(v));
		put_value(e, name, 'i', num, (size_t)n);
	} else {
		e->err = e->err ? e->err : -EINVAL;
	}
}

static void put_id(struct enc *e, const char *name, int id)
{
	char num[4];
	int n = snprintf(num, sizeof(num), "%d", id);

	put_value(e, name, 'i', num, (size_t)n);
}

/* The ids the array obj[key] names, in id order. */
static void put_id_list(struct enc *e, const char *name, json_object *obj, const char *key)
{
	int i;

	put_str(e, name, "list");
	for (i = 0; i < MAX_ID; i++)
		if (lists_id(obj, key, i))
			put_id(e, name, i);
	put_str(e, name, "end");
}

int header_mac_input(const char *json, size_t len, uint32_t slots, const char *guid,
		     unsigned char **out, size_t *outlen)
{
	struct enc e = { 0 };
	struct luks2 h;
	json_object *o, *sub;
	int i, r;

	*out = NULL;
	*outlen = 0;
	r = luks2_parse(json, len, &h);
	if (r < 0)
		return r;
	put_str(&e, "mac", HEADER_MAC_LABEL);
	put_str(&e, "guid", guid);
	for (i = 0; i < 32; i++) {
		if (!(slots & 1U << i))
			continue;
		o = h.keyslots[i];
		if (!o) {
			e.err = -EINVAL;
			break;
		}
		put_id(&e, "keyslot", i);
		put_field(&e, "type", o, "type");
		put_field(&e, "key_size", o, "key_size");
		sub = get_obj(o, "area");
		put_field(&e, "area.type", sub, "type");
		put_field(&e, "area.encryption", sub, "encryption");
		put_field(&e, "area.key_size", sub, "key_size");
		sub = get_obj(o, "af");
		put_field(&e, "af.type", sub, "type");
		put_field(&e, "af.stripes", sub, "stripes");
		put_field(&e, "af.hash", sub, "hash");
		sub = get_obj(o, "kdf");
		put_field(&e, "kdf.type", sub, "type");
		put_field(&e, "kdf.hash", sub, "hash");
		put_field(&e, "kdf.iterations", sub, "iterations");
		put_field(&e, "kdf.time", sub, "time");
		put_field(&e, "kdf.memory", sub, "memory");
		put_field(&e, "kdf.cpus", sub, "cpus");
		put_field(&e, "kdf.salt", sub, "salt");
	}
	for (i = 0; i < MAX_ID; i++) {
		o = h.segments[i];
		if (!o)
			continue;
		put_id(&e, "segment", i);
		put_field(&e, "type", o, "type");
		put_field(&e, "offset", o, "offset");
		put_field(&e, "size", o, "size");
		put_field(&e, "iv_tweak", o, "iv_tweak");
		put_field(&e, "encryption", o, "encryption");
		put_field(&e, "sector_size", o, "sector_size");
		if (json_object_object_get_ex(o, "integrity", &sub) &&
		    !json_object_is_type(sub, json_type_object))
			e.err = e.err ? e.err : -EINVAL;
		sub = get_obj(o, "integrity");
		put_field(&e, "integrity.type", sub, "type");
		put_field(&e, "integrity.journal_encryption", sub, "journal_encryption");
		put_field(&e, "integrity.journal_integrity", sub, "journal_integrity");
	}
	for (i = 0; i < MAX_ID; i++) {
		o = h.digests[i];
		if (!o || !digest_covers_segments(&h, o))
			continue;
		put_id(&e, "digest", i);
		put_field(&e, "type", o, "type");
		put_field(&e, "hash", o, "hash");
		put_field(&e, "iterations", o, "iterations");
		put_field(&e, "salt", o, "salt");
		put_field(&e, "digest", o, "digest");
		put_id_list(&e, "segments", o, "segments");
	}
	json_object_put(h.root);
	if (e.err) {
		free(e.p);
		return e.err;
	}
	*out = e.p;
	*outlen = e.len;
	return 0;
}

/* --- the MAC ---------------------------------------------------------------- */

void header_mac(const unsigned char *secret, size_t slen, const unsigned char *input,
		size_t inlen, unsigned char mac[HEADER_MAC_LEN])
{
	struct hmac_sha256_ctx ctx;
	unsigned char key[SHA256_DIGEST_SIZE];

	hmac_sha256_set_key(&ctx, slen, secret);
	hmac_sha256_update(&ctx, sizeof(HEADER_MAC_LABEL) - 1,
			   (const uint8_t *)HEADER_MAC_LABEL);
	hmac_sha256_digest(&ctx, sizeof(key), key);
	hmac_sha256_set_key(&ctx, sizeof(key), key);
	hmac_sha256_update(&ctx, inlen, input);
	hmac_sha256_digest(&ctx, HEADER_MAC_LEN, mac);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(&ctx, sizeof(ctx));
}

bool header_mac_equal(const unsigned char a[HEADER_MAC_LEN], const unsigned char b[HEADER_MAC_LEN])
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < HEADER_MAC_LEN; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int header_mac_parse(const char *s, size_t len, unsigned char mac[HEADER_MAC_LEN])
{
	size_t i, plen = sizeof(HEADER_MAC_PREFIX) - 1;

	if (len != HEADER_MAC_STR_LEN || strncmp(s, HEADER_MAC_PREFIX, plen))
		return -EINVAL;
	for (i = 0; i < HEADER_MAC_LEN; i++) {
		int hi = hexval(s[plen + 2 * i]), lo = hexval(s[plen + 2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

void header_mac_format(const unsigned char mac[HEADER_MAC_LEN], char *buf)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, plen = sizeof(HEADER_MAC_PREFIX) - 1;

	memcpy(buf, HEADER_MAC_PREFIX, plen);
	for (i = 0; i < HEADER_MAC_LEN; i++) {
		buf[plen + 2 * i] = hex[mac[i] >> 4];
		buf[plen + 2 * i + 1] = hex[mac[i] & 15];
	}
	buf[HEADER_MAC_STR_LEN] = '\0';
}
