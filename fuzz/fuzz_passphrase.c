// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_passphrase.c - libFuzzer harness for the passphrase-ending rule
 * (SPEC section 2): the bytes up to the first NUL, less one trailing '\n'.
 * The entry content is whatever the host injected: any bytes, any length
 * up to the 4096 that unlock reads.  Differential against a byte loop.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/passphrase.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n, want = 0;

	if (size > 4097)
		return -1;
	while (want < size && data[want] != '\0')
		want++;
	if (want > 0 && data[want - 1] == '\n')
		want--;
	n = passphrase_len(data, size);
	CHECK(n == want);
	CHECK(n <= size && (n == 0 || !memchr(data, '\0', n)));
	/* A prefix is a fixed point once no NUL or final newline is left. */
	if (n && data[n - 1] != '\n')
		CHECK(passphrase_len(data, n) == n);
	CHECK(passphrase_len(NULL, size) == 0);
	return 0;
}
