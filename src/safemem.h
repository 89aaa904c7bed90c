/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COCOSECRET_SAFEMEM_H
#define COCOSECRET_SAFEMEM_H

#include <stddef.h>

/*
 * Harden the process before it touches a secret: lock all memory (current
 * and future), forbid core dumps and ptrace attach by non-root.
 */
int secure_process_init(void);

/*
 * A buffer for secret bytes: its own anonymous mapping, locked, excluded
 * from core dumps, zeroed in a child after fork.  secure_free() wipes it.
 */
struct secure_buf {
	unsigned char *data;
	size_t len;	/* bytes used */
	size_t cap;	/* bytes usable */
	size_t map;	/* mapping size */
};

int secure_alloc(struct secure_buf *b, size_t cap);
void secure_free(struct secure_buf *b);

#endif
