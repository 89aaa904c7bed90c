// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * luks.c - libcryptsetup glue: load, token lookup, active-name check.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <libcryptsetup.h>

#include "log.h"
#include "luks.h"

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

int luks_token_parse(const char *json, size_t len, struct coco_token *t)
{
	json_tokener *tok;
	json_object *root, *v;
	int r, n;

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
	if (json_object_object_get_ex(root, "guid", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    guid_parse_n(json_object_get_string(v),
				 (size_t)json_object_get_string_len(v), &t->guid) < 0) {
			r = -EINVAL;
			goto out;
		}
		t->has_guid = true;
	}
	if (json_object_object_get_ex(root, "keyslots", &v)) {
		if (!json_object_is_type(v, json_type_array)) {
			r = -EINVAL;
			goto out;
		}
		if (json_object_array_length(v) > 0) {
			n = parse_keyslot(json_object_array_get_idx(v, 0));
			if (n < 0) {
				r = n;
				goto out;
			}
			t->keyslot = n;
		}
	}
	r = 1;
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

int luks_token_add(struct crypt_device *cd, int keyslot, const struct guid *g)
{
	char json[128], gs[GUID_STR_LEN + 1];
	int n;

	guid_format(g, gs);
	n = snprintf(json, sizeof(json),
		     "{\"type\":\"" COCO_TOKEN_TYPE "\",\"keyslots\":[\"%d\"],\"guid\":\"%s\"}",
		     keyslot, gs);
	if (n < 0 || (size_t)n >= sizeof(json))
		return -EINVAL;
	return crypt_token_json_set(cd, CRYPT_ANY_TOKEN, json);
}

int luks_token_remove(struct crypt_device *cd, int token)
{
	int r = crypt_token_json_set(cd, token, NULL);

	return r < 0 ? r : 0;
}
