/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COCOSECRET_GUID_H
#define COCOSECRET_GUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A GUID as EFI stores it: the first three fields little-endian. */
struct guid {
	uint8_t b[16];
};

#define GUID_STR_LEN 36	/* without the terminating NUL */

/* GRUB_EFI_DISKPASSWD_GUID: the disk passphrase convention. */
#define DISK_PASSPHRASE_GUID "736869e5-84f0-4973-92ec-06879ce3da0b"
/* Header of the secret table (EFI_SECRET_TABLE_HEADER_GUID). */
#define SECRET_TABLE_HEADER_GUID "1e74f542-71dd-4d66-963e-ef4287ff173b"

/*
 * Parse the canonical 8-4-4-4-12 form, either case; exactly 36 characters
 * (len bytes of s are looked at; no NUL needed).  Returns 0 or -EINVAL.
 */
int guid_parse_n(const char *s, size_t len, struct guid *g);
int guid_parse(const char *s, struct guid *g);
/* Lower-case canonical form; buf must hold GUID_STR_LEN + 1 bytes. */
void guid_format(const struct guid *g, char *buf);
bool guid_equal(const struct guid *a, const struct guid *b);
bool guid_is_null(const struct guid *g);
/* Is g one of the n GUIDs in list? */
bool guid_in(const struct guid *g, const struct guid *list, int n);

/*
 * A list of GUIDs as text (a file such as /etc/cocosecret/trusted-guids):
 * one GUID per line, either case, spaces and tabs around it ignored; empty
 * lines and lines starting with '#' skipped; the last line may lack its
 * '\n'.  A GUID listed twice counts once.  len bytes of text are looked at
 * (no NUL needed).  Returns how many were stored in list (at most max), or
 * -EINVAL for any other line (nothing is trusted from a file that says
 * something else), -E2BIG for more than max GUIDs.
 */
int guid_list_parse(const char *text, size_t len, struct guid *list, int max);

#endif
