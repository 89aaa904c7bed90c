// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * passphrase.c - the NUL/newline rule (pure).
 */
#include <string.h>

#include "passphrase.h"

size_t passphrase_len(const unsigned char *data, size_t len)
{
	const unsigned char *nul;

	if (!data)
		return 0;
	nul = memchr(data, '\0', len);
	if (nul)
		len = (size_t)(nul - data);
	if (len && data[len - 1] == '\n')
		len--;
	return len;
}
