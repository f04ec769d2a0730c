#!/usr/bin/env python3
"""derived-data.py - build binary inputs from the captured firmware data in
tests/data/firmware (run from the repository top): the fuzz seeds of
fuzz/corpus/{efi,mb2}, and two whole machines for pmm-sim's tests:

tests/data/firmware/ovmf-x86_64-256m.efimap
                  the 119 descriptors of OVMF's map (the first run of
                  efi: mem lines in ovmf-x86_64-256m.log) as GetMemoryMap
                  lays them out: 48 bytes apart (efi_memdesc_size in the
                  same log), version 1, padding bytes 0xa5
tests/data/firmware/seabios-numa2.mb2
                  a Multiboot2 block whose memory-map tag holds SeaBIOS's
                  e820 table from qemu-x86-numa2.log (as GRUB would pass it)

efi/ovmf-48.bin   byte 0 = 24 (stride 24 + 24 = 48, OVMF's), byte 1 = 1
                  (version 1), then the first 24 of OVMF's descriptors
mb2/seabios.bin   Multiboot2 block: memory-map tag (6) of SeaBIOS's e820
                  lines from qemu-x86-numa2.log, a module tag, an RSDP v1 tag
mb2/ovmf-efi.bin  Multiboot2 block: EFI memory-map tag (17) of 24 OVMF
                  descriptors at stride 48, version 1
"""
import re
import struct

D = 'tests/data/firmware/'
NAMES = ["Reserved", "Loader Code", "Loader Data", "Boot Code", "Boot Data",
         "Runtime Code", "Runtime Data", "Conventional", "Unusable",
         "ACPI Reclaim", "ACPI Mem NVS", "MMIO", "MMIO Port", "PAL Code",
         "Persistent", "Unaccepted"]
ATTR = {"UC": 1, "WC": 2, "WT": 4, "WB": 8, "RUN": 1 << 63}


def efi_descs(n=None):
    out = []
    for line in open(D + 'ovmf-x86_64-256m.log', errors='replace'):
        m = re.search(r'efi: mem(\d+): \[([^|]*)\|(.*)\] range=\[0x([0-9a-f]+)-0x([0-9a-f]+)\]', line)
        if not m:
            continue
        if int(m.group(1)) == 0 and out:
            break
        attr = sum(ATTR.get(c.strip(), 0) for c in m.group(3).split('|'))
        a, b = int(m.group(4), 16), int(m.group(5), 16)
        out.append(struct.pack('<IIQQQQ', NAMES.index(m.group(2).strip()), 0, a, 0,
                               (b - a + 1) >> 12, attr) + b'\xa5' * 8)
    return out if n is None else out[:n]


def e820(log):
    out = []
    for line in open(D + log, errors='replace'):
        m = re.search(r'BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (\w+)', line)
        if m:
            a, b = int(m.group(1), 16), int(m.group(2), 16)
            t = {'usable': 1, 'reserved': 2, 'ACPI': 3}.get(m.group(3), 2)
            out.append(struct.pack('<QQII', a, b - a + 1, t, 0))
    return out


def tag(t, payload):
    body = struct.pack('<II', t, 8 + len(payload)) + payload
    return body + b'\0' * (-len(body) % 8)


def block(tags):
    body = b''.join(tags) + tag(0, b'')
    return struct.pack('<II', 8 + len(body), 0) + body


def rsdp_v1(rsdt):
    r = bytearray(b'RSD PTR ' + b'\0' + b'BOCHS ' + b'\0' + struct.pack('<I', rsdt))
    r[8] = (-sum(r)) & 0xff
    return bytes(r)


open(D + 'ovmf-x86_64-256m.efimap', 'wb').write(b''.join(efi_descs()))
open(D + 'seabios-numa2.mb2', 'wb').write(block([
    tag(6, struct.pack('<II', 24, 0) + b''.join(e820('qemu-x86-numa2.log')))]))
open('fuzz/corpus/efi/ovmf-48.bin', 'wb').write(bytes([24, 1]) + b''.join(efi_descs(24)))
open('fuzz/corpus/mb2/seabios.bin', 'wb').write(block([
    tag(6, struct.pack('<II', 24, 0) + b''.join(e820('qemu-x86-numa2.log'))),
    tag(3, struct.pack('<II', 0x1000000, 0x1200000) + b'initrd\0'),
    tag(14, rsdp_v1(0x0ffe1c5f))]))
open('fuzz/corpus/mb2/ovmf-efi.bin', 'wb').write(block([
    tag(17, struct.pack('<II', 48, 1) + b''.join(efi_descs(24)))]))
