#!/usr/bin/env python
"""The device list downloaded whole, as CSV and as XLSX, at a million devices: time, size and the
process's peak memory (it must stay flat: the file is written while the rows are read).

    python bench/exports.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench

Reads only. The rows come as the download reads them (``stock.services.device_export_rows``, by
``yield_per``) after a commit, as behind the request's commit point; each format runs in its own
process so each peak is its own.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

FNR_KEYS = {"FNR_ENCRYPTION_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=", "FNR_HASH_KEY": "bench-hash-key"}


def measure(database_url: str, fmt: str) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from hjelpemiddel import create_app
    from hjelpemiddel.core.db import get_session
    from hjelpemiddel.core.exports import export_chunks
    from hjelpemiddel.stock.services import DEVICE_HEADINGS, device_export_rows

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", **FNR_KEYS})
    with app.app_context():
        session = get_session()
        rows = device_export_rows(session)
        session.commit()
        start = time.perf_counter()
        size = chunks = 0
        for chunk in export_chunks(fmt, DEVICE_HEADINGS, rows):
            size += len(chunk)
            chunks += 1
        seconds = time.perf_counter() - start
    return {"format": fmt, "seconds": round(seconds, 1), "megabytes": round(size / 1e6, 1), "chunks": chunks,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--format", choices=("csv", "xlsx"), help="one format in this process (used internally)")
    args = parser.parse_args()
    if args.format:
        print(json.dumps(measure(args.database_url, args.format)))
        return 0
    for fmt in ("csv", "xlsx"):
        out = subprocess.run([sys.executable, __file__, "--database-url", args.database_url, "--format", fmt],
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        result = json.loads(out)
        print(f"{fmt:5} {result['seconds']:6.1f} s  {result['megabytes']:6.1f} MB  peak RSS {result['peak_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
