#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build an EFI secret table (the layout Linux's efi_secret reads, as sevctl writes it).

test-vm's own builder, kept independent of `cocosecret table build` (the product under
test) on purpose.

    secrettable.py build -o OUT GUID=FILE...     entries in order; FILE bytes verbatim
    secrettable.py check-vectors DIR             rebuild DIR/NAME.bin from DIR/NAME.txt

Layout: header GUID 1e74f542-71dd-4d66-963e-ef4287ff173b, u32 total length (header
included, padding excluded), then per entry: GUID, u32 16+4+len(data), data. GUIDs in
EFI (mixed-endian) byte order, integers little-endian. Then 16 - total % 16 zero bytes
(a full 16 when already aligned), as sevctl does.
"""
import argparse
import os
import struct
import sys
import uuid

HEADER_GUID = uuid.UUID("1e74f542-71dd-4d66-963e-ef4287ff173b")


def build(entries):
    """entries: list of (uuid.UUID, bytes). Returns the padded table."""
    body = b"".join(g.bytes_le + struct.pack("<I", 20 + len(d)) + d for g, d in entries)
    table = HEADER_GUID.bytes_le + struct.pack("<I", 20 + len(body)) + body
    return table + bytes(16 - len(table) % 16)


def parse_spec(spec):
    guid, sep, path = spec.partition("=")
    if not sep or not path:
        raise ValueError(f"expected GUID=FILE, got {spec!r}")
    with open(path, "rb") as f:
        return uuid.UUID(guid), f.read()


def check_vectors(folder):
    bad = 0
    names = sorted(n[:-4] for n in os.listdir(folder) if n.endswith(".txt"))
    for name in names:
        entries = []
        with open(os.path.join(folder, name + ".txt")) as f:
            for line in f:
                if line.strip():
                    guid, path = line.split()
                    with open(os.path.join(folder, path), "rb") as d:
                        entries.append((uuid.UUID(guid), d.read()))
        with open(os.path.join(folder, name + ".bin"), "rb") as f:
            want = f.read()
        ok = build(entries) == want
        print(f"{'ok' if ok else 'MISMATCH'} {name}.bin ({len(want)} bytes)")
        bad += not ok
    if not names:
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
