#!/usr/bin/env python3
"""Seed corpus for fuzz_session from the test captures (regenerable).

For each capture, the TCP payloads in capture order become harness records
(direction from the server port 25/110, chunks of at most 126 bytes), plus a
FIN event at the end. Usage: make-seeds.py TEST_CAPTURES_DIR OUT_DIR
SPDX-License-Identifier: GPL-2.0-or-later
"""
import pathlib
import subprocess
import sys

src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for case in sorted(src.iterdir()):
    caps = list(case.glob("capture.pcap*"))
    if not caps or (case / "keylog.txt").exists():
        continue
    rows = subprocess.run(["tshark", "-r", str(caps[0]), "-Y", "tcp.len > 0", "-T", "fields",
                           "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.payload"],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    pop3 = case.name.startswith("pop3")
    seed = bytearray([1 if pop3 else 0])
    for row in rows:
        sport, dport, payload = row.split("\t")
        server = sport in ("25", "110")
        data = bytes.fromhex(payload.replace(":", ""))
        for i in range(0, len(data), 126):
            chunk = data[i:i + 126]
            seed.append((0x80 if server else 0) | len(chunk))
            seed += chunk
        if len(seed) > 64 * 1024:
            break
    seed += bytes([127, 1])
    (out / f"{case.name}.bin").write_bytes(seed)
    print(f"{case.name}: {len(seed)} bytes")
