#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build an EFI secret table (the layout Linux's efi_secret reads, as sevctl writes it).

test-vm's own builder, kept independent of `cocosecret table build` (the product under
test) on purpose.

    secrettable.py build -o OUT GUID=FILE...     entries in order; FILE bytes verbatim
    secrettable.py check-vectors DIR             every vector in DIR: NAME.bin rebuilt
                                                 from NAME.txt, bad-*.bin rejected,
                                                 legacy-pad16.bin read as aligned.bin

Layout: header GUID 1e74f542-71dd-4d66-963e-ef4287ff173b, u32 total length (header
included, padding excluded), then per entry: GUID, u32 16+4+len(data), data. GUIDs in
EFI (mixed-endian) byte order, integers little-endian. Then zero bytes up to the next
multiple of 16, none when the table is already aligned (sevctl's build_table(), in every
sevctl release that has `secret build`). Older producers added a full 16 bytes to an
aligned table (libvirt's virt-qemu-sev-validate still does); efi_secret stops at the
header length, so parse() accepts both.
"""
import argparse
import os
import struct
import sys
import uuid

HEADER_GUID = uuid.UUID("1e74f542-71dd-4d66-963e-ef4287ff173b")
NULL_GUID = uuid.UUID(int=0)
MAX_FILES = 64                       # EFI_SECRET_NUM_FILES


def build(entries):
    """entries: list of (uuid.UUID, bytes). Returns the padded table."""
    body = b"".join(g.bytes_le + struct.pack("<I", 20 + len(d)) + d for g, d in entries)
    table = HEADER_GUID.bytes_le + struct.pack("<I", 20 + len(body)) + body
    return table + bytes(-len(table) % 16)


def parse(table):
    """The entries efi_secret would turn into files, as [(uuid.UUID, bytes)].

    Raises ValueError where efi_secret_securityfs_setup() refuses the table: wrong
    header GUID, header length below 20 or past the end, an entry length below 20 or
    past the header length, two files with one GUID. Null-GUID (deleted) entries are
    skipped; at most 64 files are made.
    """
    if len(table) < 20 or table[:16] != HEADER_GUID.bytes_le:
        raise ValueError("no secret table header")
    (total,) = struct.unpack_from("<I", table, 16)
    if total < 20 or total > len(table):
        raise ValueError(f"header length {total} out of range")
    entries, off, left = [], 20, total - 20
    while left >= 20 and len(entries) < MAX_FILES:
        guid = uuid.UUID(bytes_le=bytes(table[off:off + 16]))
        (elen,) = struct.unpack_from("<I", table, off + 16)
        if elen < 20 or elen > left:
            raise ValueError(f"entry length {elen} at offset {off} is corrupt")
        if guid != NULL_GUID:
            if any(g == guid for g, _ in entries):
                raise ValueError(f"duplicate GUID {guid}")
            entries.append((guid, bytes(table[off + 20:off + elen])))
        off += elen
        left -= elen
    return entries


def parse_spec(spec):
    guid, sep, path = spec.partition("=")
    if not sep or not path:
        raise ValueError(f"expected GUID=FILE, got {spec!r}")
    with open(path, "rb") as f:
        return uuid.UUID(guid), f.read()


def read_txt(folder, name):
    entries = []
    with open(os.path.join(folder, name + ".txt")) as f:
        for line in f:
            if line.strip():
                guid, path = line.split()
                with open(os.path.join(folder, path), "rb") as d:
                    entries.append((uuid.UUID(guid), d.read()))
    return entries


def check_vectors(folder):
    """Check every vector in folder; an unknown NAME.bin is a failure too."""
    bad = 0
    files = sorted(os.listdir(folder))
    built = {n[:-4] for n in files if n.endswith(".txt")}

    def report(ok, what):
        nonlocal bad
        print(f"{'ok' if ok else 'MISMATCH'} {what}")
        bad += not ok

    for name in sorted(built):
        entries = read_txt(folder, name)
        with open(os.path.join(folder, name + ".bin"), "rb") as f:
            want = f.read()
        report(build(entries) == want, f"{name}.bin ({len(want)} bytes) built from {name}.txt")
        try:
            report(parse(want) == entries, f"{name}.bin parses to {name}.txt's entries")
        except ValueError as e:
            report(False, f"{name}.bin parses: {e}")
    for n in files:
        if not n.endswith(".bin") or n[:-4] in built:
            continue
        with open(os.path.join(folder, n), "rb") as f:
            data = f.read()
        if n.startswith("bad-"):
            try:
                parse(data)
                report(False, f"{n} rejected")
            except ValueError:
                report(True, f"{n} rejected")
        elif n == "legacy-pad16.bin" and "aligned" in built:
            try:
                ok = parse(data) == read_txt(folder, "aligned") and len(data) % 16 == 0
            except ValueError:
                ok = False
            report(ok, f"{n} ({len(data)} bytes) parses to aligned.txt's entries")
        else:
            report(False, f"{n}: no rule for this vector")
    if not built:
        print(f"no vectors in {folder}", file=sys.stderr)
        return 1
    return 1 if bad else 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build a table")
    b.add_argument("-o", "--output", required=True)
    b.add_argument("entries", nargs="+", metavar="GUID=FILE")
    c = sub.add_parser("check-vectors", help="compare with reference vectors")
    c.add_argument("folder")
    args = ap.parse_args(argv)
    if args.cmd == "check-vectors":
        return check_vectors(args.folder)
    try:
        entries = [parse_spec(s) for s in args.entries]
    except (ValueError, OSError) as e:
        print(f"secrettable.py: {e}", file=sys.stderr)
        return 1
    fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(build(entries))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
