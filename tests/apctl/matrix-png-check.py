#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check a PNG screenshot without PIL (zlib only).

    matrix-png-check.py FILE WIDTH HEIGHT MIN_COLOURS [R,G,B:MIN_PIXELS:NAME ...]

FILE must be a PNG (magic bytes), WIDTH x HEIGHT, 8-bit RGB or RGBA, and
not blank: at least MIN_COLOURS distinct colours and 2 % of its pixels not
white.  Each R,G,B (a CSS fill of the picture) must cover at least
MIN_PIXELS pixels, give or take 2 per channel (colour conversion).  Prints
one line per check; exit status 1 if one failed.
"""
import struct
import sys
import zlib
from collections import Counter


def decode(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG (magic bytes %r)" % data[:8])
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("unexpected PNG format: depth %d, colour type %d, "
                         "interlace %d" % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xFF
        elif ftype != 0:
            raise ValueError("bad filter type %d in row %d" % (ftype, y))
        rows.append(bytes(line))
        prev = line
    colours = Counter()
    for line in rows:
        for i in range(0, stride, bpp):
            colours[line[i:i + 3]] += 1
    return width, height, colours


def main(argv):
    path, want_w, want_h, min_colours = argv[1], int(argv[2]), \
        int(argv[3]), int(argv[4])
    failed = 0

    def report(ok, msg):
        nonlocal failed
        print(("ok: " if ok else "FAILED: ") + msg)
        failed += not ok

    with open(path, "rb") as f:
        data = f.read()
    try:
        width, height, colours = decode(data)
    except (ValueError, TypeError, zlib.error, struct.error) as e:
        report(False, "%s: %s" % (path, e))
        return 1
    report((width, height) == (want_w, want_h),
           "size %dx%d (expected %dx%d)" % (width, height, want_w, want_h))
    report(len(colours) >= min_colours,
           "%d distinct colours (at least %d)" % (len(colours), min_colours))
    total = width * height
    white = colours.get(b"\xff\xff\xff", 0)
    report(total - white >= total // 50,
           "%d of %d pixels not white" % (total - white, total))
    for spec in argv[5:]:
        rgb, need, name = spec.split(":", 2)
        r, g, b = (int(v) for v in rgb.split(","))
        have = sum(n for c, n in colours.items()
                   if abs(c[0] - r) <= 2 and abs(c[1] - g) <= 2 and
                   abs(c[2] - b) <= 2)
        report(have >= int(need), "%s (%d,%d,%d): %d pixels (at least %s)"
               % (name, r, g, b, have, need))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
