#!/usr/bin/env python
"""The full export at a million devices: the whole database streamed into one zip.

    python bench/export.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench

Reads only (one repeatable-read transaction). The archive goes to ``--output`` (a temporary file,
removed afterwards, by default). Prints seconds, rows per second, the archive's size and the
process's peak memory (VmHWM). Targets (issue 15): < 2 minutes, < 300 MB. Exit code 1 if missed
(``--no-targets`` for small runs). The generator's citizens have no real fnr (their tokens are not
Fernet tokens): the bench's vault gives an empty fnr for those after trying to decrypt, so the cost
of decrypting is still paid.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
TARGET_S = 120.0
TARGET_MB = 300.0


def peak_mb() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_app(url: str):
    from sqlalchemy.engine import make_url

    from hjelpemiddel import create_app

    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "TOKEN_CACHE_SECONDS": 0})


class LenientVault:
    """The app's vault, but a token it cannot read (the generator's placeholders) gives ''."""

    def __init__(self, vault):
        self.vault = vault

    def decrypt(self, token: str) -> str:
        try:
            return self.vault.decrypt(token)
        except RuntimeError:
            return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--output", help="keep the archive here (default: a temporary file, removed)")
    parser.add_argument("--without-personal-data", action="store_true")
    parser.add_argument("--no-targets", action="store_true", help="print the figures, never fail on them")
    args = parser.parse_args()

    from hjelpemiddel.archive.export import archive_chunks, snapshot
    from hjelpemiddel.core.db import get_database

    app = make_app(args.database_url)
    before = peak_mb()
    fd, path = tempfile.mkstemp(suffix=".zip") if not args.output else (None, args.output)
    if fd is not None:
        os.close(fd)
    started = time.perf_counter()
    size = 0
    with snapshot(get_database(app).engine) as connection, open(path, "wb") as out:
        for chunk in archive_chunks(connection, LenientVault(app.extensions["fnr_vault"]),
                                    personal=not args.without_personal_data):
            out.write(chunk)
            size += len(chunk)
    seconds = time.perf_counter() - started
    peak = peak_mb()
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    rows = sum(table["rows"] for table in manifest["tables"])
    if fd is not None:
        os.unlink(path)
    biggest = sorted(manifest["tables"], key=lambda t: -t["rows"])[:3]
    print("| full export | value | target |")
    print("|---|---|---|")
    print(f"| variant | {manifest['variant']} | |")
    largest = ", ".join(f"{t['name']} {t['rows']:,}" for t in biggest)
    print(f"| tables | {len(manifest['tables'])} (largest: {largest}) | |")
    print(f"| rows | {rows:,} | |")
    print(f"| seconds | {seconds:.1f} | < {TARGET_S:.0f} |")
    print(f"| rows/s | {rows / seconds:,.0f} | |")
    print(f"| archive size | {size / 1e6:.1f} MB | |")
    print(f"| peak RSS (VmHWM) | {peak:.0f} MB (after start-up {before:.0f} MB) | < {TARGET_MB:.0f} MB |")
    missed = seconds > TARGET_S or peak > TARGET_MB
    if missed and not args.no_targets:
        print("TARGET MISSED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
