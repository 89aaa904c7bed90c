// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * luks.c - libcryptsetup glue: load, token lookup, active-name check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <libcryptsetup.h>

#include "log.h"
#include "luks.h"
#include "safemem.h"

#define LUKS2_MAX_TOKENS 32

static void cs_log(int level, const char *msg, void *usrptr)
{
	size_t len = strlen(msg);

	(void)usrptr;
	while (len && msg[len - 1] == '\n')
		len--;
	/* Our own messages say what failed; libcryptsetup's are detail. */
	log_msg(level == CRYPT_LOG_DEBUG || level == CRYPT_LOG_DEBUG_JSON ?
		LOG_LVL_DEBUG : LOG_LVL_VERBOSE, "libcryptsetup: %.*s", (int)len, msg);
}

void luks_setup_logging(bool debug)
{
	crypt_set_log_callback(NULL, cs_log, NULL);
	crypt_set_debug_level(debug ? CRYPT_DEBUG_ALL : CRYPT_DEBUG_NONE);
}

static int parse_keyslot(json_object *v)
{
	const char *s;
	char *end;
	long n;

	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	s = json_object_get_string(v);
	if (!*s)
		return -EINVAL;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || n < 0 || n >= 32)
		return -EINVAL;
	return (int)n;
}

/* {"keyslots": ["N", ...]}: 1 to 32 distinct keyslot numbers (an empty list: none). */
static int parse_keyslots(json_object *v, struct coco_token *t)
{
	size_t i, n;
	int slot;

	if (!json_object_is_type(v, json_type_array))
		return -EINVAL;
	n = json_object_array_length(v);
	if (n > 32)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		slot = parse_keyslot(json_object_array_get_idx(v, i));
		if (slot < 0 || (t->slots & 1U << slot))
			return -EINVAL;
		t->slots |= 1U << slot;
		if (i == 0)
			t->keyslot = slot;
	}
	return 0;
}

int luks_token_parse(const char *json, size_t len, struct coco_token *t)
{
	json_tokener *tok;
	json_object *root, *v;
	int r;

	memset(t, 0, sizeof(*t));
	t->keyslot = -1;

	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, json, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		r = -EINVAL;
		goto out;
	}
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "type", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		r = -EINVAL;
		goto out;
	}
	if (strcmp(json_object_get_string(v), COCO_TOKEN_TYPE)) {
		r = 0;
		goto out;
	}
	r = 1;
	json_object_object_foreach(root, key, val) {
		if (!strcmp(key, "type"))
			continue;
		if (!strcmp(key, "guid")) {
			if (!json_object_is_type(val, json_type_string) ||
			    guid_parse_n(json_object_get_string(val),
					 (size_t)json_object_get_string_len(val), &t->guid) < 0)
				r = -EINVAL;
			t->has_guid = true;
		} else if (!strcmp(key, "keyslots")) {
			if (parse_keyslots(val, t) < 0)
				r = -EINVAL;
		} else if (!strcmp(key, "mac")) {
			if (!json_object_is_type(val, json_type_string) ||
			    header_mac_parse(json_object_get_string(val),
					     (size_t)json_object_get_string_len(val), t->mac) < 0)
				r = -EINVAL;
			t->has_mac = true;
		} else {
			r = -EINVAL;	/* not written by enroll */
		}
		if (r < 0)
			break;
	}
out:
	json_object_put(root);
	json_tokener_free(tok);
	return r;
}

int luks_load(const char *device, struct crypt_device **cd)
{
	struct stat sb;
	int r;

	*cd = NULL;
	if (stat(device, &sb) < 0)
		return -errno;
	if (!S_ISBLK(sb.st_mode) && !S_ISREG(sb.st_mode))
		return -ENOTBLK;

	r = crypt_init(cd, device);
	if (r < 0)
		goto err;
	r = crypt_load(*cd, CRYPT_LUKS, NULL);
	if (r < 0)
		goto err;
	return 0;
err:
	crypt_free(*cd);
	*cd = NULL;
	/* libcryptsetup says -EINVAL/-EIO/-ENOTBLK for "no valid header". */
	return r == -ENOMEM || r == -EBUSY || r == -EACCES ? r : -EINVAL;
}

int luks_find_token_from(struct crypt_device *cd, int from, struct coco_token *t)
{
	const char *type = crypt_get_type(cd);
	const char *json;
	int i, r;

	if (!type || strcmp(type, CRYPT_LUKS2))
		return 0;
	for (i = from < 0 ? 0 : from; i < LUKS2_MAX_TOKENS; i++) {
		if (crypt_token_json_get(cd, i, &json) < 0)
			continue;
		r = luks_token_parse(json, strlen(json), t);
		if (r == 1) {
			t->id = i;
			return 1;
		}
		if (r < 0)
			log_warn("LUKS2 token %d: malformed %s token, ignored", i,
				 COCO_TOKEN_TYPE);
	}
	return 0;
}

int luks_default_name(struct crypt_device *cd, char *buf, size_t len)
{
	const char *uuid = crypt_get_uuid(cd);
	int n;

	if (!uuid)
		return -EINVAL;
	n = snprintf(buf, len, "luks-%s", uuid);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int luks_name_state(struct crypt_device *cd, const char *device, const char *name)
{
	struct crypt_device *active = NULL;
	struct stat want, have;
	const char *backing;
	int r;

	switch (crypt_status(NULL, name)) {
	case CRYPT_ACTIVE:
	case CRYPT_BUSY:
		break;
	case CRYPT_INACTIVE:
		return 0;
	default:
		return -ENODEV;	/* no device-mapper */
	}
	r = crypt_init_by_name(&active, name);
	if (r < 0)
		return -EBUSY;
	backing = crypt_get_device_name(active);
	r = -EBUSY;
	if (backing && stat(backing, &have) == 0 && stat(device, &want) == 0) {
		if (S_ISBLK(want.st_mode) ? want.st_rdev == have.st_rdev :
		    (crypt_get_uuid(cd) && crypt_get_uuid(active) &&
		     !strcmp(crypt_get_uuid(cd), crypt_get_uuid(active))))
			r = 1;
	}
	crypt_free(active);
	return r;
}

/* --- enroll/unenroll: keyslot and token bookkeeping ----------------------- */

uint32_t luks_active_slots(struct crypt_device *cd)
{
	int i, max = crypt_keyslot_max(crypt_get_type(cd));
	uint32_t mask = 0;

	for (i = 0; i < max && i < 32; i++) {
		crypt_keyslot_info ki = crypt_keyslot_status(cd, i);

		if (ki == CRYPT_SLOT_ACTIVE || ki == CRYPT_SLOT_ACTIVE_LAST)
			mask |= 1U << i;
	}
	return mask;
}

uint32_t luks_tokens_of_type(struct crypt_device *cd, const char *type, bool want)
{
	const char *t, *dtype = crypt_get_type(cd);
	uint32_t mask = 0;
	int i;

	if (!dtype || strcmp(dtype, CRYPT_LUKS2))
		return 0;
	for (i = 0; i < LUKS2_MAX_TOKENS; i++) {
		crypt_token_info ti = crypt_token_status(cd, i, &t);

		if (ti == CRYPT_TOKEN_INVALID || ti == CRYPT_TOKEN_INACTIVE)
			continue;
		if ((t && !strcmp(t, type)) == want)
			mask |= 1U << i;
	}
	return mask;
}

uint32_t luks_token_slots(struct crypt_device *cd, int token)
{
	uint32_t mask = 0;
	int i;

	for (i = 0; i < 32; i++)
		if (crypt_token_is_assigned(cd, token, i) == 0)
			mask |= 1U << i;
	return mask;
}

int luks_token_add(struct crypt_device *cd, int keyslot, const struct guid *g,
		   const unsigned char *mac)
{
	char json[256], gs[GUID_STR_LEN + 1], ms[HEADER_MAC_STR_LEN + 1] = "";
	int n;

	guid_format(g, gs);
	if (mac)
		header_mac_format(mac, ms);
	n = snprintf(json, sizeof(json),
		     "{\"type\":\"" COCO_TOKEN_TYPE "\",\"keyslots\":[\"%d\"],\"guid\":\"%s\"%s%s%s}",
		     keyslot, gs, mac ? ",\"mac\":\"" : "", ms, mac ? "\"" : "");
	if (n < 0 || (size_t)n >= sizeof(json))
		return -EINVAL;
	return crypt_token_json_set(cd, CRYPT_ANY_TOKEN, json);
}

int luks_token_remove(struct crypt_device *cd, int token)
{
	int r = crypt_token_json_set(cd, token, NULL);

	return r < 0 ? r : 0;
}

/* --- the host's header: downgrades and the MAC ---------------------------- */

bool luks_is_luks2(struct crypt_device *cd)
{
	const char *type = crypt_get_type(cd);

	return type && !strcmp(type, CRYPT_LUKS2);
}

int luks_check_header(struct crypt_device *cd, uint32_t slots, char *why, size_t whylen)
{
	const char *json, *cipher, *mode;
	char spec[128];
	int r, vk;

	if (luks_is_luks2(cd)) {
		r = crypt_dump_json(cd, &json, 0);
		if (r < 0)
			return r;
		return header_check_luks2(json, strlen(json), slots, why, whylen);
	}
	/* LUKS1: one cipher for the data and every keyslot, one volume key */
	cipher = crypt_get_cipher(cd);
	mode = crypt_get_cipher_mode(cd);
	snprintf(spec, sizeof(spec), "%s-%s", cipher ? cipher : "", mode ? mode : "");
	if (!cipher || !mode || cipher_is_null(spec)) {
		snprintf(why, whylen, "the volume is not encrypted (%.64s): any passphrase "
			 "would open it", spec);
		return -EPERM;
	}
	vk = crypt_get_volume_key_size(cd);
	if (vk < 16) {
		snprintf(why, whylen, "the volume key has %d bytes (an empty or short key)", vk);
		return -EPERM;
	}
	return 0;
}

struct guid luks_token_guid(const struct coco_token *t)
{
	struct guid g;

	if (t->has_guid)
		return t->guid;
	(void)guid_parse(DISK_PASSPHRASE_GUID, &g);
	return g;
}

bool luks_token_mac_ok(struct crypt_device *cd, const struct coco_token *t,
		       const unsigned char *pass, size_t plen)
{
	unsigned char mac[HEADER_MAC_LEN];
	struct guid g = luks_token_guid(t);
	bool ok;

	if (luks_header_mac(cd, t->slots, &g, pass, plen, mac) < 0)
		return false;
	ok = header_mac_equal(mac, t->mac);
	explicit_bzero(mac, sizeof(mac));
	return ok;
}

int luks_header_mac(struct crypt_device *cd, uint32_t slots, const struct guid *g,
		    const unsigned char *secret, size_t slen, unsigned char mac[HEADER_MAC_LEN])
{
	char gs[GUID_STR_LEN + 1];
	const char *json;
	unsigned char *in;
	size_t inlen;
	int r;

	if (!luks_is_luks2(cd))
		return -EINVAL;
	r = crypt_dump_json(cd, &json, 0);
	if (r < 0)
		return r;
	guid_format(g, gs);
	r = header_mac_input(json, strlen(json), slots, gs, &in, &inlen);
	if (r < 0)
		return r;
	header_mac(secret, slen, in, inlen, mac);
	/* nettle's HMAC key setup left the secret XOR its pads in frames below */
	stack_wipe();
	free(in);
	return 0;
}
