/* SPDX-License-Identifier: GPL-2.0-or-later */
/* freed-heap.h - the scanning free() of freed-heap-wrap.c (tests only) */
#ifndef COCOSECRET_FREED_HEAP_H
#define COCOSECRET_FREED_HEAP_H

#include <stddef.h>

/* A needle: LEN (8..4096) bytes that no freed block may hold. */
int freed_heap_add(const char *name, const void *p, size_t len);
/* A secret's bytes and the HMAC-SHA1/256/512 states keyed by it. */
int freed_heap_add_secret(const char *name, const void *p, size_t len);
/* Hits so far (each freed block wiped once found). */
unsigned long freed_heap_hits(void);
/* Scan every readable, writable mapping now; WHEN names the moment. */
void freed_heap_scan_memory(const char *when);
/* Zero 16 KiB of stack below the caller. */
void freed_heap_burn_stack(void);

#endif
