/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COCOSECRET_TABLE_H
#define COCOSECRET_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "guid.h"

/*
 * The launch-secret table as OVMF's secret area holds it and Linux's
 * efi_secret reads it (sevctl's layout):
 *
 *   header: GUID 1e74f542-... | u32 total length (header included)
 *   entry:  GUID | u32 length (20 + data) | data ...   (repeated)
 *
 * Little-endian, GUIDs in EFI byte order.  The header length excludes the
 * padding: zeros up to the next multiple of 16, none when the table is
 * already aligned (sevctl's build_table() since its commit a53a1a0, in
 * every release with `secret build`).  Older producers, and libvirt's
 * virt-qemu-sev-validate to this day, add a full 16 bytes to an aligned
 * table; efi_secret reads only up to the header length, so parsers accept
 * both.
 */
#define TABLE_HEADER_SIZE	20
#define TABLE_ENTRY_HEADER_SIZE	20
#define TABLE_MAX_FILES		64	/* EFI_SECRET_NUM_FILES */
#define TABLE_OVMF_AREA_SIZE	0xC00	/* OVMF's secret area */

struct table_entry {
	struct guid guid;		/* null GUID: a deleted entry, no file */
	const unsigned char *data;
	size_t len;
};

/* Size of the table with padding; *header_len gets the header's length. */
int table_size(const struct table_entry *e, size_t n, size_t *total, size_t *header_len);

/*
 * Build the table into out (out_cap >= table_size()'s total).  Rejects a
 * null GUID with -EINVAL (efi_secret skips such an entry as deleted: it
 * would never show up as a file) and a duplicate GUID with -EEXIST (the
 * second securityfs file fails and efi_secret tears down every file).
 */
int table_build(const struct table_entry *e, size_t n, unsigned char *out,
		size_t out_cap, size_t *out_len);

struct table_info {
	size_t header_len;	/* length the header claims */
	size_t files;		/* entries the kernel turns into files */
	size_t deleted;		/* null-GUID entries it skips */
	size_t ignored;		/* bytes after the last entry it reads */
	struct table_entry entry[TABLE_MAX_FILES];	/* live entries */
};

/*
 * Validate a table exactly as efi_secret does (wrong header GUID, header
 * length too small or past the buffer, an entry shorter than its header
 * or past the end, duplicate GUIDs) and list its live entries, which
 * point into buf.  Returns 0, or -EINVAL with a reason in err.
 */
int table_parse(const unsigned char *buf, size_t len, struct table_info *info,
		char *err, size_t errlen);

#endif
