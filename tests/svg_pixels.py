#!/usr/bin/env python3
# svg_pixels.py SVG PNG [CSV] - check a screenshot of pmm-sim's picture
# (sim/svg.c): the PNG is not blank, and the share of the map drawn in
# the free colours matches the free pages the picture's zones report
# (and, given the metrics CSV of the same run, its last sample). Reads
# the PNG with zlib alone (no imaging library); prints one line and exits
# 1 on a mismatch.
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

MAX_ORDER = 10


def read_png(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, hdr = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            hdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, 'unexpected PNG layout %r' % (hdr,)
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def palette():
    free = []
    for k in range(MAX_ORDER + 1):
        t = k / MAX_ORDER
        free.append((int(160 - 160 * t), int(220 - 130 * t), int(150 - 110 * t)))
    other = [(0xd6, 0x27, 0x28), (0x1f, 0x77, 0xb4), (0xff, 0x9f, 0x1c), (0x8c, 0x56, 0x4b),
             (0x94, 0x67, 0xbd), (0x9e, 0x9e, 0x9e), (0xe6, 0xe6, 0xe6)]
    return free, other


def main():
    svg, png = sys.argv[1], sys.argv[2]
    text = open(svg).read()
    root = ET.fromstring(text)  # well-formed XML, or an exception
    top, bottom, left = (int(root.get('data-map-' + k)) for k in ('top', 'bottom', 'left'))
    pages = int(root.get('data-pages'))
    free_pages = sum(int(m) for m in re.findall(r'>(\d+) of \d+ pages free<', text))
    if len(sys.argv) > 3:
        last = {}
        for line in open(sys.argv[3]).read().splitlines()[1:]:
            f = line.split(',')
            last.setdefault(f[0], 0)
            last[f[0]] += int(f[4])
        csv_free = last[max(last, key=int)]
        assert csv_free == free_pages, 'picture says %d free pages, metrics %d' % (free_pages, csv_free)
    w, h, bpp, rows = read_png(png)
    colours = set()
    for y in range(0, h, 7):
        for x in range(0, w, 7):
            colours.add(rows[y][x * bpp:x * bpp + 3])
    if len(colours) < 8:
        print('blank screenshot: %d colours' % len(colours))
        return 1
    free, other = palette()
    pal = [(c, True) for c in free] + [(c, False) for c in other] + [((255, 255, 255), None)]
    n_free = n_map = 0
    cache = {}
    for y in range(top, min(bottom, h)):
        row = rows[y]
        for x in range(left, min(left + 64 * 14, w)):
            px = row[x * bpp:x * bpp + 3]
            kind = cache.get(px)
            if kind is None and px not in cache:
                kind = min(pal, key=lambda p: sum((a - b) ** 2 for a, b in zip(p[0], px)))[1]
                cache[px] = kind
            if kind is None:
                continue
            n_map += 1
            n_free += kind
    want = free_pages / pages
    got = n_free / n_map if n_map else 0
    ok = abs(got - want) <= 0.01
    print('%s: %d colours; free share of the map %.4f, free pages %d / %d drawn = %.4f: %s'
          % (svg, len(colours), got, free_pages, pages, want, 'ok' if ok else 'MISMATCH'))
    return 0 if ok else 1


sys.exit(main())
