/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COCOSECRET_PASSPHRASE_H
#define COCOSECRET_PASSPHRASE_H

#include <stddef.h>

/*
 * The passphrase inside a secret entry: the bytes up to (not including)
 * the first NUL, then without one trailing '\n'.  GRUB-convention secrets
 * end with a NUL; sevctl/libvirt pass files verbatim, often with a
 * trailing newline.  Returns the passphrase length (a prefix of data).
 */
size_t passphrase_len(const unsigned char *data, size_t len);

#endif
