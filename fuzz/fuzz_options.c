// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_options.c - libFuzzer harness for the option-value parsers of
 * src/cocosecret.c: parse_timeout_arg() (--timeout, and the value of the
 * initramfs's rd.cocosecret.timeout= that the dracut module passes on),
 * parse_uint_arg() (--key-slot, --wipe-slot, --iter-time, --pbkdf-*),
 * parse_guid_arg() (--guid, rd.cocosecret.guid=).
 *
 * Input: one selector byte, then the argument (cut at the first NUL, as
 * argv is).  Each parser is checked against a reference written here from
 * its documented grammar:
 *   timeout  [0-9]{1,15}(\.[0-9]+)?  whole seconds <= 3600, milliseconds
 *            truncated, result <= 3600000 ms
 *   uint     [0-9]+  value <= max (max from the next 4 input bytes)
 *   guid     8-4-4-4-12 hex digits, either case
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cocosecret.h"
#include "../src/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* cocosecret.c's verbs are not under test: link-time stand-ins. */
int cmd_unlock(int argc, char **argv) { (void)argc; (void)argv; abort(); }
int cmd_wipe(int argc, char **argv) { (void)argc; (void)argv; abort(); }
int cmd_status(int argc, char **argv) { (void)argc; (void)argv; abort(); }
int cmd_table(int argc, char **argv) { (void)argc; (void)argv; abort(); }
int cmd_enroll(int argc, char **argv) { (void)argc; (void)argv; abort(); }
int cmd_unenroll(int argc, char **argv) { (void)argc; (void)argv; abort(); }

/* Decimal digits s[0..n) as a value, saturating above 2^40. */
static uint64_t digits_value(const char *s, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > (1ULL << 40))
			v = (1ULL << 40) + 1;
	}
	return v;
}

static size_t span_digits(const char *s)
{
	return strspn(s, "0123456789");
}

static int ref_uint(const char *s, unsigned int max, unsigned int *v)
{
	size_t n = span_digits(s);
	uint64_t val;

	if (n == 0 || s[n])
		return -EINVAL;
	val = digits_value(s, n);
	if (val > max)
		return -EINVAL;
	*v = (unsigned int)val;
	return 0;
}

static int ref_timeout(const char *s, unsigned int *ms)
{
	size_t w = span_digits(s), f;
	uint64_t sec, frac = 0, scale = 100;

	if (w == 0 || w > 15)
		return -EINVAL;
	if (s[w] == '.') {
		f = span_digits(s + w + 1);
		if (f == 0 || s[w + 1 + f])
			return -EINVAL;
		for (size_t i = 0; i < f && i < 3; i++, scale /= 10)
			frac += (uint64_t)(s[w + 1 + i] - '0') * scale;
	} else if (s[w]) {
		return -EINVAL;
	}
	sec = digits_value(s, w);
	if (sec > 3600 || sec * 1000 + frac > 3600 * 1000)
		return -EINVAL;
	*ms = (unsigned int)(sec * 1000 + frac);
	return 0;
}

static int ref_guid(const char *s)
{
	if (strlen(s) != GUID_STR_LEN)
		return -EINVAL;
	for (size_t i = 0; i < GUID_STR_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
		} else if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i]) {
			return -EINVAL;
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int a = 0xdeadbeef, b = 0xdeadbeef, max;
	struct guid g;
	char *arg;
	int r, want;

	if (size < 1 || size > 1024)
		return -1;
	log_set_level(LOG_LVL_ERR);
	arg = malloc(size);
	CHECK(arg);
	switch (data[0] % 3) {
	case 0:
		memcpy(arg, data + 1, size - 1);
		arg[size - 1] = '\0';
		r = parse_timeout_arg(arg, &a);
		want = ref_timeout(arg, &b);
		CHECK(r == want && (r < 0 || a == b));
		CHECK(r < 0 || a <= 3600 * 1000);
		break;
	case 1:
		max = UINT_MAX;
		if (size >= 5) {
			memcpy(&max, data + 1, sizeof(max));
			memcpy(arg, data + 5, size - 5);
			arg[size - 5] = '\0';
		} else {
			arg[0] = '\0';
		}
		r = parse_uint_arg(arg, max, &a);
		want = ref_uint(arg, max, &b);
		CHECK(r == want && (r < 0 || a == b));
		break;
	default:
		memcpy(arg, data + 1, size - 1);
		arg[size - 1] = '\0';
		r = parse_guid_arg(arg, &g);
		CHECK(r == ref_guid(arg));
		break;
	}
	free(arg);
	return 0;
}
