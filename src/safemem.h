/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COCOSECRET_SAFEMEM_H
#define COCOSECRET_SAFEMEM_H

#include <signal.h>
#include <sys/types.h>
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

/*
 * Read fd to EOF into b (allocated here, max + 1 bytes, so that a larger
 * input is told apart): 0, -EFBIG (more than max bytes), -errno.  On error
 * b is freed.
 */
int secure_read_fd(int fd, size_t max, struct secure_buf *b);

/*
 * Read a whole regular file: as secure_read_fd(), plus -EISDIR/-EINVAL for
 * a directory/anything not a regular file.  A FIFO does not block.
 */
int secure_read_file(const char *path, size_t max, struct secure_buf *b);

/*
 * The signals that end a process by default and that a supervisor sends
 * (TERM, INT, HUP, QUIT): blocked from before a secret is read until every
 * copy and the entry are wiped, so that a kill in between still leaves
 * nothing behind.  signals_restore() then lets a pending one act (it
 * usually ends the process).  SIGKILL cannot be blocked.
 */
void signals_block(sigset_t *old);
/* Is one of them pending?  (The caller stops early and cleans up.) */
int signals_pending(void);
void signals_restore(const sigset_t *old);

/*
 * Zero 4 KiB of stack below the caller: what a library call that handled
 * key material left in its frames (nettle's HMAC key setup keeps the key
 * XORed with its pads there).
 */
void stack_wipe(void);

/* Read until SIZE bytes or end of file (EINTR retried): bytes read, or -errno. */
ssize_t read_full(int fd, void *buf, size_t size);

/* Write all of buf to fd (retrying short writes): 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

#endif
