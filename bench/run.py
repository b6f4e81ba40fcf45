#!/usr/bin/env python
"""Scan throughput and latency of the real app against a bare Flask + SQLAlchemy Core app, and
label document build times. Needs a database made by bench/generate.py.

    python bench/run.py --database-url postgresql://postgres@127.0.0.1:5432/hjm_bench

Both apps run under gunicorn with identical settings on loopback ports, one at a time. Each is
warmed up, then driven by --clients keep-alive connections for --seconds (wrk with a Lua script
when installed, else Python http.client in separate processes) with GET /api/v1/scan/<random
existing barcode> and a bearer token (both apps check it). The table goes to stdout and to
bench/out/latest.md.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import make_url

from round_trips import sql_per_scan

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
BENCH_USER = "bench-lager"
SECRET_KEY = "bench-secret-key-not-for-production"
TICKS = os.sysconf("SC_CLK_TCK")

TARGET_RATIO = 0.85
TARGET_P99_MS = 30.0
TARGET_LABEL_SECONDS = 1.0


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


T0 = time.monotonic()
LOADAVG_START = Path("/proc/loadavg").read_text().split()[0]


# --- database facts, token and barcodes --------------------------------------------------------

def engine_url(raw: str) -> str:
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def dataset_facts(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        facts = {
            "devices": conn.scalar(text("SELECT count(*) FROM devices")),
            "events": conn.scalar(text("SELECT count(*) FROM device_events")),
            "max_device_id": conn.scalar(text("SELECT max(id) FROM devices")),
        }
        if engine.dialect.name == "postgresql":
            facts["server"] = conn.scalar(text("SHOW server_version"))
            facts["shared_buffers"] = conn.scalar(text("SHOW shared_buffers"))
            facts["db_size"] = conn.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))"))
        else:
            facts["server"] = "SQLite " + conn.scalar(text("SELECT sqlite_version()"))
    engine.dispose()
    if not facts["devices"]:
        raise SystemExit("no devices: run bench/generate.py first")
    return facts


def make_token(url: str) -> str:
    """A fresh API token for the generator's lager user, through the app's own service."""
    from hjelpemiddel import create_app
    from hjelpemiddel.core.auth import create_token
    from hjelpemiddel.core.db import get_database, get_session

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        session = get_session()
        token = create_token(session, BENCH_USER)
        session.commit()
    get_database(app).engine.dispose()
    return token


def sample_barcodes(url: str, max_id: int, count: int, seed: int) -> list[str]:
    """Barcodes of randomly chosen existing devices, read from the database."""
    rng = random.Random(f"{seed}:barcodes")
    ids = sorted(rng.sample(range(1, max_id + 1), min(count, max_id)))
    engine = create_engine(url)
    query = text("SELECT barcode FROM devices WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
    barcodes = []
    with engine.connect() as conn:
        for start in range(0, len(ids), 900):
            barcodes.extend(conn.scalars(query, {"ids": ids[start:start + 900]}))
    engine.dispose()
    rng.shuffle(barcodes)
    return barcodes


# --- labels ------------------------------------------------------------------------------------

def label_benchmark(url: str, barcodes: list[str], repeats: int) -> list[dict]:
    """1,000 labels of real devices (data read via the app's device_label_data), built per layout."""
    from hjelpemiddel import create_app
    from hjelpemiddel.core.db import get_database, get_session
    from hjelpemiddel.documents.labels import build_labels_pdf, build_labels_zpl, load_layouts
    from hjelpemiddel.stock.services import device_label_data

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        labels = device_label_data(get_session(), barcodes[:1000], app.config["DEPOT_NAME"])
    get_database(app).engine.dispose()
    layouts = load_layouts(app.config["LABEL_LAYOUTS_DIR"])
    results = []
    for name, build in (("a4-3x8", build_labels_pdf), ("roll-57x32", build_labels_pdf),
                        ("zebra-57x32", build_labels_zpl)):
        layout = layouts[name]
        first = time.perf_counter()
        body = build(labels, layout)
        first = time.perf_counter() - first
        walls, cpus = [], []
        for _ in range(repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            build(labels, layout)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        results.append({"layout": name, "kind": layout.kind, "labels": len(labels), "seconds": min(walls),
                        "median_seconds": statistics.median(walls), "cpu_seconds": min(cpus),
                        "first_seconds": first, "max_seconds": max(walls), "bytes": len(body)})
        log(f"labels {name:12s} {len(labels)} labels: best {min(walls) * 1000:7.1f} ms, median "
            f"{statistics.median(walls) * 1000:7.1f} ms, CPU {min(cpus) * 1000:7.1f} ms "
            f"(first {first * 1000:.1f} ms, {len(body):,d} bytes)")
    return results


def run_documents_benchmark(barcodes: list[str], repeats: int) -> list[dict]:
    """Pick list and delivery log of a 60-stop run carrying 150 devices (issue 4's size)."""
    from datetime import datetime, timezone

    from hjelpemiddel.documents.delivery_log import build_delivery_log_pdf
    from hjelpemiddel.documents.picklist import build_picklist_pdf
    from hjelpemiddel.documents.runs import DeliveryLogData, LogItem, LogStop, PickLine, PickListData

    codes = barcodes[:150]
    per_stop = [codes[i::60] for i in range(60)]
    now = datetime.now(timezone.utc)
    stops = tuple(LogStop(sequence=n + 1, kind="Levering" if n % 4 else "Henting", name=f"Innbygger nummer {n + 1}",
                          address=f"Storgata {n + 1}", postcode_city="6509 Kristiansund", phone="99887766",
                          contact="Datter 41234567", access_notes="Nøkkelboks ved døra, kode 2580" if n % 3 == 0 else "",
                          time_window="10:00–12:00" if n % 5 == 0 else "", urgent=n < 3,
                          items=tuple(LogItem(code, "Rollator Topro Olympos M", "Lever") for code in items))
                  for n, items in enumerate(per_stop))
    log_data = DeliveryLogData(title="Kjørebok – kjørerunde 1", run_date="24.11.2026", driver="Sindre Sjåfør",
                               van="BIL1", depot_name="Hjelpemiddellageret", printed_at=now, stops=stops)
    lines = tuple(PickLine(barcode=code, product="Rollator Topro Olympos M", location_code=f"B-{i // 10:02d}-{i % 4 + 1}",
                           zone=f"Sone {'ABCDEF'[i // 25]}", stop_sequence=i % 60 + 1, stop_name=f"Innbygger {i % 60 + 1}")
                  for i, code in enumerate(codes))
    pick_data = PickListData(title="Plukkliste – kjørerunde 1", run_date="24.11.2026", driver="Sindre Sjåfør",
                             van="BIL1", depot_name="Hjelpemiddellageret", printed_at=now, lines=lines)
    results = []
    for name, build, data in (("pick list", build_picklist_pdf, pick_data), ("delivery log", build_delivery_log_pdf, log_data)):
        build(data)
        walls = []
        for _ in range(repeats):
            wall = time.perf_counter()
            build(data)
            walls.append(time.perf_counter() - wall)
        results.append({"document": name, "seconds": min(walls), "median_seconds": statistics.median(walls)})
        log(f"{name}: 60 stops, {len(codes)} devices: best {min(walls) * 1000:.1f} ms")
    return results


# --- servers -----------------------------------------------------------------------------------

def gunicorn_args(args) -> list[str]:
    return ["--worker-class", "gthread", "--workers", str(args.workers), "--threads", str(args.threads),
            "--keep-alive", "75", "--backlog", "2048", "--timeout", "60", "--graceful-timeout", "5",
            "--log-level", "warning", "--no-control-socket"]


class Server:
    def __init__(self, name: str, target: str, port: int, url: str, args, pythonpath: str | None = None) -> None:
        self.name, self.port = name, port
        command = [sys.executable, "-m", "gunicorn", *gunicorn_args(args), "--bind", f"127.0.0.1:{port}"]
        if pythonpath:
            command += ["--pythonpath", pythonpath]
        self.command = command + [target]
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET_KEY)
        env.pop("SQL_ECHO", None)
        self.log_path = OUT_DIR / f"gunicorn-{name}.log"
        self.log_file = open(self.log_path, "w")
        self.process = subprocess.Popen(self.command, env=env, cwd=REPO_DIR, stdout=self.log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, path: str, headers: dict, timeout: float = 30) -> dict:
        import http.client

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: gunicorn exited; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                conn.close()
                if response.status != 200:
                    raise SystemExit(f"{self.name}: {path} answered {response.status}: {body[:300]!r}")
                return json.loads(body)
            except (ConnectionRefusedError, socket.timeout, ConnectionResetError, http.client.RemoteDisconnected):
                time.sleep(0.2)
        raise SystemExit(f"{self.name}: not ready after {timeout}s; see {self.log_path}")

    def pids(self) -> list[int]:
        pids = [self.process.pid]
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            pids += [int(pid) for pid in children]
        except OSError:
            pass
        return pids

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError):
            pass
    return total / TICKS


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds over all cores since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICKS, sum(fields[:8]) / TICKS


def postgres_backend_pids(url: str) -> list[int]:
    if not url.startswith("postgresql"):
        return []
    engine = create_engine(url)
    with engine.connect() as conn:
        pids = list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                      "AND pid <> pg_backend_pid()")))
    engine.dispose()
    return pids


# --- load generators ---------------------------------------------------------------------------

def run_wrk(port: int, token: str, barcodes_file: Path, clients: int, seconds: float, max_requests: int) -> dict:
    threads = min(2, clients)
    env = dict(os.environ, BENCH_BARCODES=str(barcodes_file),
               BENCH_MAX_REQUESTS_PER_THREAD=str(max_requests // threads if max_requests else 0))
    command = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{int(seconds)}s", "--timeout", "5s",
               "-s", str(BENCH_DIR / "scan.lua"), "-H", f"Authorization: Bearer {token}",
               f"http://127.0.0.1:{port}"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    out, err = process.stdout.read(), process.stderr.read()
    line = next((l for l in out.splitlines() if l.startswith("BENCH_JSON ")), None)
    if process.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({process.returncode}): {out}\n{err}")
    raw = json.loads(line[len("BENCH_JSON "):])
    duration = raw["duration_us"] / 1e6
    errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    return {"requests": raw["requests"], "seconds": duration, "rps": raw["requests"] / duration,
            "p50_ms": raw["p50_us"] / 1000, "p90_ms": raw["p90_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
            "p999_ms": raw["p999_us"] / 1000, "max_ms": raw["max_us"] / 1000, "mean_ms": raw["mean_us"] / 1000,
            "errors": errors, "non_2xx": raw["status_errors"],
            "loadgen_cpu_s": usage.ru_utime + usage.ru_stime}


def _python_client(port, token, codes, deadline, max_requests, seed, queue) -> None:
    import http.client

    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"Authorization": f"Bearer {token}"}
    latencies, errors, non_2xx = [], 0, 0
    while time.monotonic() < deadline and len(latencies) + errors < max_requests:
        started = time.perf_counter()
        try:
            conn.request("GET", "/api/v1/scan/" + rng.choice(codes), headers=headers)
            response = conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            non_2xx += response.status >= 300
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.close()
    usage = __import__("resource").getrusage(__import__("resource").RUSAGE_SELF)
    queue.put((latencies, errors, non_2xx, usage.ru_utime + usage.ru_stime))


def run_python(port: int, token: str, codes: list[str], clients: int, seconds: float, max_requests: int) -> dict:
    """One process per client, each with one keep-alive connection (fallback when wrk is missing)."""
    queue = multiprocessing.Queue()
    started = time.monotonic()
    deadline = started + seconds
    per_client = max_requests // clients if max_requests else 10**12
    workers = [multiprocessing.Process(target=_python_client,
                                       args=(port, token, codes, deadline, per_client, i, queue))
               for i in range(clients)]
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    latencies = sorted(l for r in results for l in r[0])
    if not latencies:
        raise SystemExit("no successful requests")

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {"requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99), "p999_ms": pct(99.9),
            "max_ms": latencies[-1] * 1000, "mean_ms": statistics.fmean(latencies) * 1000,
            "errors": sum(r[1] for r in results), "non_2xx": sum(r[2] for r in results),
            "loadgen_cpu_s": sum(r[3] for r in results)}


# --- both apps --------------------------------------------------------------------------------

def measure(name: str, server: Server, url: str, token: str, codes: list[str], barcodes_file: Path, args,
            seconds: int, max_requests: int) -> dict:
    port = server.port
    if args.loadgen == "wrk":
        load = lambda: run_wrk(port, token, barcodes_file, args.clients, seconds, max_requests)  # noqa: E731
    else:
        load = lambda: run_python(port, token, codes, args.clients, seconds, max_requests)  # noqa: E731
    server_pids = server.pids()
    db_pids = postgres_backend_pids(url)
    cpu_before, db_before = cpu_seconds(server_pids), cpu_seconds(db_pids)
    busy_before, total_before = machine_busy_seconds()
    result = load()
    busy_after, total_after = machine_busy_seconds()
    server_cpu = cpu_seconds(server_pids) - cpu_before
    db_cpu = cpu_seconds(db_pids) - db_before
    if result["errors"] or result["non_2xx"]:
        raise SystemExit(f"{name}: {result['errors']} errors, {result['non_2xx']} non-2xx answers; "
                         f"see {server.log_path}")
    result.update(app_cpu_s=server_cpu, db_cpu_s=db_cpu if db_pids else None,
                  machine_busy_pct=100 * (busy_after - busy_before) / max(total_after - total_before, 1e-9),
                  other_cpu_s=(busy_after - busy_before) - server_cpu - db_cpu - result["loadgen_cpu_s"])
    n = result["requests"]
    if max_requests and n >= max_requests * 0.98:
        log(f"WARNING {name}: the count bound ({max_requests}) ended the run early; req/s is understated")
    log(f"{name}: {n} requests, {result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms; CPU/request app {server_cpu * 1000 / n:.2f} ms"
        + (f", db {db_cpu * 1000 / n:.2f} ms" if db_pids else "")
        + f", loadgen {result['loadgen_cpu_s'] * 1000 / n:.2f} ms; machine busy "
        f"{result['machine_busy_pct']:.0f}%, other processes {result['other_cpu_s']:.1f} CPU-s")
    return result


def summarize(rounds: list[dict]) -> dict:
    """Median over rounds for rates and percentiles; CPU per request over all rounds."""
    median = lambda key: statistics.median(r[key] for r in rounds)  # noqa: E731
    n = sum(r["requests"] for r in rounds)
    summary = {key: median(key) for key in ("rps", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "mean_ms",
                                            "machine_busy_pct")}
    summary.update(
        rounds=len(rounds), requests=n, max_ms=max(r["max_ms"] for r in rounds),
        rps_all=[round(r["rps"]) for r in rounds], p99_all=[round(r["p99_ms"], 1) for r in rounds],
        app_cpu_ms_per_request=sum(r["app_cpu_s"] for r in rounds) * 1000 / n,
        db_cpu_ms_per_request=(sum(r["db_cpu_s"] for r in rounds) * 1000 / n
                               if rounds[0]["db_cpu_s"] is not None else None),
        loadgen_cpu_ms_per_request=sum(r["loadgen_cpu_s"] for r in rounds) * 1000 / n,
        other_cpu_s=sum(r["other_cpu_s"] for r in rounds),
    )
    return summary


def bench_scans(url: str, token: str, codes: list[str], barcodes_file: Path, args) -> dict:
    """Both servers up (idle one costs nothing), each warmed, then measured in alternating rounds."""
    headers = {"Authorization": f"Bearer {token}"}
    servers = {"real": Server("real", "hjelpemiddel.wsgi:app", args.port_real, url, args),
               "bare": Server("bare", "bare_app:app", args.port_bare, url, args, pythonpath=str(BENCH_DIR))}
    try:
        for name, server in servers.items():
            sample = server.wait_ready(f"/api/v1/scan/{codes[0]}", headers)
            if sample.get("device", {}).get("barcode") != codes[0] or not sample.get("history"):
                raise SystemExit(f"{name}: unexpected scan answer {str(sample)[:300]}")
        for name, server in servers.items():
            measure(name + " warm-up", server, url, token, codes, barcodes_file, args, args.warmup, 0)
        rounds = {"real": [], "bare": []}
        for number in range(args.rounds):
            order = ("real", "bare") if number % 2 == 0 else ("bare", "real")
            for name in order:
                rounds[name].append(measure(f"{name} round {number + 1}", servers[name], url, token, codes,
                                            barcodes_file, args, args.seconds, args.max_requests))
        return {name: summarize(results) for name, results in rounds.items()}
    finally:
        for server in servers.values():
            server.stop()


# --- report ------------------------------------------------------------------------------------

def report(args, facts, scans, labels, backend, documents=(), sql=None) -> str:
    ok = lambda good: "✅" if good else "❌"  # noqa: E731
    rows = []
    if scans:
        real, bare = scans["real"], scans["bare"]
        ratio = real["rps"] / bare["rps"]
        rows += [
            ("scan throughput, real app", f"{real['rps']:,.0f} req/s", "", ""),
            ("scan throughput, bare app", f"{bare['rps']:,.0f} req/s", "", ""),
            ("scan throughput real/bare", f"{ratio:.0%}", f">= {TARGET_RATIO:.0%}", ok(ratio >= TARGET_RATIO)),
            (f"scan p50 latency, real ({args.clients} clients)", f"{real['p50_ms']:.1f} ms", "", ""),
            (f"scan p99 latency, real ({args.clients} clients)", f"{real['p99_ms']:.1f} ms",
             f"< {TARGET_P99_MS:g} ms", ok(real["p99_ms"] < TARGET_P99_MS)),
            (f"scan p50 latency, bare ({args.clients} clients)", f"{bare['p50_ms']:.1f} ms", "", ""),
            (f"scan p99 latency, bare ({args.clients} clients)", f"{bare['p99_ms']:.1f} ms", "", ""),
        ]
        cost = {name: scans[name]["app_cpu_ms_per_request"] + (scans[name]["db_cpu_ms_per_request"] or 0)
                + scans[name]["loadgen_cpu_ms_per_request"] for name in ("real", "bare")}
        cpu_ratio = cost["bare"] / cost["real"]
        rows.append(("scan capacity real/bare from CPU cost per scan", f"{cpu_ratio:.0%}", f">= {TARGET_RATIO:.0%}",
                     ok(cpu_ratio >= TARGET_RATIO)))
        served = {name: scans[name]["app_cpu_ms_per_request"] + (scans[name]["db_cpu_ms_per_request"] or 0)
                  for name in ("real", "bare")}
        rows.append(("scan CPU real/bare, app + database only", f"{served['bare'] / served['real']:.0%}", "", ""))
        for name in ("real", "bare"):
            s = scans[name]
            cpu = f"app {s['app_cpu_ms_per_request']:.2f} ms"
            if s["db_cpu_ms_per_request"] is not None:
                cpu += f" + db {s['db_cpu_ms_per_request']:.2f} ms"
            rows.append((f"CPU per scan, {name}", cpu, "", ""))
        for name, counted in (sql or {}).items():
            rows.append((f"SQL per scan, {name}", f"{counted['statements']:.2f} statements, "
                         f"{counted['round_trips']:.2f} round trips", "", ""))
    for item in labels:
        rate = item["labels"] / item["seconds"]
        what = "ZPL" if item["kind"] == "zpl" else "PDF"
        rows.append((f"{item['labels']:,d} labels, {what} {item['layout']}",
                     f"{item['seconds'] * 1000:.0f} ms ({rate:,.0f} labels/s; median "
                     f"{item['median_seconds'] * 1000:.0f} ms)",
                     f"< {TARGET_LABEL_SECONDS:g} s", ok(item["seconds"] < TARGET_LABEL_SECONDS)))
    for item in documents:
        rows.append((f"{item['document']}, 60 stops / 150 devices, PDF",
                     f"{item['seconds'] * 1000:.0f} ms (median {item['median_seconds'] * 1000:.0f} ms)", "< 0.5 s",
                     ok(item["seconds"] < 0.5)))
    width = [max(len(r[i]) for r in rows + [("metric", "value", "target", "ok?")]) for i in range(4)]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, width)) + " |"  # noqa: E731
    table = [line(("metric", "value", "target", "ok?")), "|" + "|".join("-" * (w + 2) for w in width) + "|"]
    table += [line(r) for r in rows]

    notes = [
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPUs; database {backend} "
        f"({facts['server']}{', shared_buffers ' + facts['shared_buffers'] if 'shared_buffers' in facts else ''}"
        f"{', size ' + facts['db_size'] if 'db_size' in facts else ''}): {facts['devices']:,d} devices, "
        f"{facts['events']:,d} events. Benchmark processes ran at nice {args.nice}"
        f"{' (database backends at the default)' if args.nice else ''}; load average at start {LOADAVG_START}.",
    ]
    if scans:
        real, bare = scans["real"], scans["bare"]
        notes += [
            f"gunicorn (same for both): `{' '.join(gunicorn_args(args))}`, bound to 127.0.0.1; "
            f"real = `hjelpemiddel.wsgi:app`, bare = `bench/bare_app.py`.",
            f"Load: {args.loadgen}, {args.clients} keep-alive connections; GET /api/v1/scan/<one of "
            f"{args.barcodes:,d} random existing barcodes> with a bearer token. Both servers up, each warmed "
            f"{args.warmup} s, then {args.rounds} measured rounds of {args.seconds} s per app, alternating "
            f"real/bare; values are medians over rounds.",
            f"Per round, real: {real['rps_all']} req/s, p99 {real['p99_all']} ms; bare: {bare['rps_all']} req/s, "
            f"p99 {bare['p99_all']} ms.",
            f"Requests measured: real {real['requests']:,d}, bare {bare['requests']:,d}; no errors, no non-2xx. "
            f"p90/p99.9/max real {real['p90_ms']:.1f}/{real['p999_ms']:.1f}/{real['max_ms']:.1f} ms, "
            f"bare {bare['p90_ms']:.1f}/{bare['p999_ms']:.1f}/{bare['max_ms']:.1f} ms.",
            f"Load generator CPU per request: real {real['loadgen_cpu_ms_per_request']:.3f} ms, "
            f"bare {bare['loadgen_cpu_ms_per_request']:.3f} ms. Machine busy during the runs: real "
            f"{real['machine_busy_pct']:.0f}%, bare {bare['machine_busy_pct']:.0f}%; CPU used by other "
            f"processes on the machine (not the apps, their database backends or the load generator): real "
            f"{real['other_cpu_s']:.1f} CPU-s, bare {bare['other_cpu_s']:.1f} CPU-s of "
            f"{args.rounds * args.seconds * (os.cpu_count() or 1)} available.",
            "The CPU-cost ratio divides the CPU seconds per scan (app workers + their database backends + load "
            "generator) of bare by real: what the throughput ratio would be on a machine doing nothing else, as "
            "every part is CPU-bound here.",
        ]
    if labels:
        notes.append(f"Labels: 1,000 real devices (data via `device_label_data`), in this process; the value is the "
                     f"best wall time of {args.label_repeats} builds after one untimed build (median shown too), "
                     f"run before the HTTP load. First builds: "
                     + ", ".join(f"{i['layout']} {i['first_seconds'] * 1000:.0f} ms" for i in labels) + ".")
    return "\n".join(table) + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="measured runs per app, alternating real/bare")
    parser.add_argument("--max-requests", type=int, default=1_000_000,
                        help="upper bound on requests per measured run (0: time only)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both apps)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (both apps)")
    parser.add_argument("--port-real", type=int, default=18081)
    parser.add_argument("--port-bare", type=int, default=18082)
    parser.add_argument("--barcodes", type=int, default=20_000, help="random existing barcodes to scan")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--loadgen", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--label-repeats", type=int, default=5)
    parser.add_argument("--only", choices=("all", "scan", "labels", "documents"), default="all")
    parser.add_argument("--output", default=str(OUT_DIR / "latest.md"))
    parser.add_argument("--nice", type=int, default=0,
                        help="scheduling priority for this run, the servers and the load generator (negative "
                             "needs root); helps on a machine shared with other work")
    args = parser.parse_args()
    if args.nice:
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # inherited by gunicorn and wrk
    if not 1 <= args.seconds <= 600 or not 1 <= args.clients <= 64:
        parser.error("--seconds must be 1..600 and --clients 1..64")

    OUT_DIR.mkdir(exist_ok=True)
    url = engine_url(args.database_url)
    backend = make_url(url).get_backend_name()
    facts = dataset_facts(url)
    log(f"{backend}: {facts['devices']:,d} devices, {facts['events']:,d} events")
    codes = sample_barcodes(url, facts["max_device_id"], args.barcodes, args.seed)
    barcodes_file = OUT_DIR / "barcodes.txt"
    barcodes_file.write_text("\n".join(codes) + "\n")

    labels = label_benchmark(url, codes, args.label_repeats) if args.only in ("all", "labels") else []
    documents = run_documents_benchmark(codes, args.label_repeats) if args.only in ("all", "documents") else []
    scans, sql = {}, None
    if args.only in ("all", "scan"):
        token = make_token(url)
        scans = bench_scans(url, token, codes, barcodes_file, args)
        sql = sql_per_scan(url, token, codes, SECRET_KEY)
    markdown = report(args, facts, scans, labels, backend, documents, sql)
    print(markdown)
    Path(args.output).write_text(markdown)
    (OUT_DIR / "latest.json").write_text(json.dumps({"facts": facts, "scans": scans, "labels": labels, "documents": documents,
                                                     "sql_per_scan": sql, "args": vars(args)}, indent=2, default=str) + "\n")
    log(f"written to {args.output}")


if __name__ == "__main__":
    main()
