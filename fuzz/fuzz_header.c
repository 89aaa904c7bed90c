// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_header.c - libFuzzer harness for the checks of the host's LUKS2
 * metadata: header_check_luks2() and header_mac_input() read the JSON that
 * crypt_dump_json() returns, which the host wrote.
 *
 * Contract: 0, -EPERM (with a reason) or -EINVAL; the MAC input is
 * deterministic; the answer does not depend on bytes after the given length.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *in1 = NULL, *in2 = NULL;
	size_t n1 = 0, n2 = 0;
	char why[160] = "", *copy;
	uint32_t slots;
	int r, r2;

	if (size < 4 || size > 64 * 1024)
		return -1;
	memcpy(&slots, data, sizeof(slots));
	data += 4;
	size -= 4;
	/* the text followed by garbage: only size bytes count */
	copy = malloc(size + 8);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(copy + size, '}', 8);

	r = header_check_luks2(copy, size, slots, why, sizeof(why));
	CHECK(r == 0 || r == -EPERM || r == -EINVAL || r == -ENOMEM);
	/* (log_msg() makes it one printable line) */
	CHECK(r != -EPERM || why[0]);
	(void)cipher_is_null(why);

	r = header_mac_input(copy, size, slots, "736869e5-84f0-4973-92ec-06879ce3da0b", &in1, &n1);
	r2 = header_mac_input(copy, size, slots, "736869e5-84f0-4973-92ec-06879ce3da0b", &in2, &n2);
	CHECK(r == r2);
	CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r == 0)
		CHECK(n1 == n2 && !memcmp(in1, in2, n1));
	free(in1);
	free(in2);
	free(copy);
	return 0;
}
