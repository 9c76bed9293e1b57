#!/usr/bin/env python3
"""Merges the figures of one `make bench` run and prints its table.

    bench_report.py OUT_DIR [--quick]

Reads OUT_DIR/*.json as scripts/run-bench.sh leaves them (one JSON object
per polku-bench scenario, Google Benchmark's files for the micro-benchmarks,
h2load-*.txt for h2load's summaries) and writes OUT_DIR/results.json: the
machine, every scenario's figures, the ceilings, and each target with the
figure measured against it. Every number comes from this run's files;
a file that is missing makes its rows say "not run".
"""

import glob
import json
import os
import platform
import re
import sys


def load(out, name):
    path = os.path.join(out, name)
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def bench_entry(doc, prefix):
    """The first Google Benchmark entry whose name starts with prefix."""
    if not doc:
        return None
    for b in doc.get("benchmarks", []):
        if b.get("name", "").startswith(prefix):
            return b
    return None


def h2load_rps(out, name):
    try:
        with open(os.path.join(out, name)) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(r"finished in [\d.]+s, ([\d.]+) req/s", text)
    ok = re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed", text)
    if not m:
        return None
    return {"requests_per_s": float(m.group(1)),
            "succeeded": int(ok.group(1)) if ok else None,
            "failed": int(ok.group(2)) if ok else None}


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_bytes": mem,
            "kernel": platform.release(),
            "load_average_at_end": os.getloadavg()[0]}


def main():
    out = sys.argv[1]
    quick = "--quick" in sys.argv
    s = {}
    for path in sorted(glob.glob(os.path.join(out, "scenario-*.json"))):
        name = os.path.basename(path)[len("scenario-"):-len(".json")]
        s[name] = load(out, os.path.basename(path))
    core = load(out, "core.json")
    store = load(out, "store.json")
    ranker = load(out, "ranker.json")
    h2 = {k: h2load_rps(out, f"h2load-{k}.txt") for k in ("b1", "b100")}

    def fig(scenario, key):
        d = s.get(scenario)
        return None if not d else d.get(key)

    # The ceilings.
    echo1 = fig("echo-b1", "requests_per_s")
    echo100 = fig("echo-b100", "events_per_s")
    # Raw SQLite through its default VFS and through the store's
    # WAL-batching VFS (as the server writes); the storage ceiling is the
    # higher of the two, so that no ratio gains from the VFS alone.
    def raw_entry(batch, vfs):
        return bench_entry(
            store, "BM_RawSqliteCeiling/batch:%d/profiles:1/full:1/vfs:%d" % (batch, vfs))

    def raw_rate(batch, vfs):
        e = raw_entry(batch, vfs)
        return e.get("wall_events_per_s") if e else None

    raw = raw_entry(2000, 0)
    raw_plain, raw_vfs = raw_rate(2000, 0), raw_rate(2000, 1)
    raw100_plain, raw100_vfs = raw_rate(100, 0), raw_rate(100, 1)
    storage = max((x for x in (raw_plain, raw_vfs) if x), default=None)
    storage100 = max((x for x in (raw100_plain, raw100_vfs) if x), default=None)
    lower = min(x for x in (echo100, storage) if x) if (echo100 or storage) else None

    rows = []

    def row(scenario, figure, value, unit, target=None, ok=None, ratio=None,
            ratio_of=None):
        rows.append({"scenario": scenario, "figure": figure, "value": value,
                     "unit": unit, "target": target, "met": ok,
                     "ceiling_ratio": ratio, "ceiling": ratio_of})

    def ratio(a, b):
        return a / b if a is not None and b else None

    row("transport ceiling: echo, 1 event's bytes", "requests/s", echo1, "req/s")
    if h2["b1"]:
        row("  cross-check: h2load, same body", "requests/s",
            h2["b1"]["requests_per_s"], "req/s",
            ratio=ratio(echo1, h2["b1"]["requests_per_s"]),
            ratio_of="polku-bench echo / h2load")
    row("transport ceiling: echo, 100 events' bytes", "events/s", echo100, "ev/s")
    if h2["b100"]:
        row("  cross-check: h2load, same body", "events/s",
            h2["b100"]["requests_per_s"] * 100, "ev/s",
            ratio=ratio(echo100, h2["b100"]["requests_per_s"] * 100),
            ratio_of="polku-bench echo / h2load")
    row("storage ceiling: raw SQLite, 2000/txn, FULL", "events/s", raw_plain, "ev/s")
    row("  the same through Polku's WAL VFS", "events/s", raw_vfs, "ev/s")
    row("storage ceiling: raw SQLite, 100/txn, FULL", "events/s", raw100_plain, "ev/s")
    row("  the same through Polku's WAL VFS", "events/s", raw100_vfs, "ev/s")

    i1 = fig("ingest-b1", "requests_per_s")
    row("Ingest, batch 1", "requests/s", i1, "req/s",
        target=">= 50% of echo req/s",
        ok=(i1 is not None and echo1 is not None and i1 >= 0.5 * echo1),
        ratio=ratio(i1, echo1), ratio_of="echo b1")
    for b in (10, 1000):
        v = fig(f"ingest-b{b}", "events_per_s")
        row(f"Ingest, batch {b}", "events/s", v, "ev/s",
            ratio=ratio(v, lower), ratio_of="lower ceiling")
    # Throughput at batch 100: 32 calls in flight, and 256, which keeps the
    # writer busy while answered clients send their next batch. The target
    # is judged on the higher of the two.
    i100_32 = fig("ingest-b100", "events_per_s")
    i100_256 = fig("ingest-b100-c256", "events_per_s")
    i100 = max((v for v in (i100_32, i100_256) if v is not None), default=None)
    r100 = ratio(i100, lower)
    row("Ingest, batch 100, 32 in flight", "events/s", i100_32, "ev/s",
        ratio=ratio(i100_32, lower), ratio_of="lower ceiling")
    row("Ingest, batch 100, 256 in flight", "events/s", i100_256, "ev/s",
        ratio=ratio(i100_256, lower), ratio_of="lower ceiling")
    row("Ingest, batch 100 (the higher of the two)", "events/s", i100, "ev/s",
        target=">= 100,000 ev/s and >= 70% of the lower ceiling",
        ok=(i100 is not None and i100 >= 100000 and r100 is not None and r100 >= 0.7),
        ratio=r100, ratio_of="lower ceiling")
    for key in ("ingest-b100", "ingest-b100-c256", "stream-b1000", "xapi-s100",
                "xapi-s100-c16", "oulad"):
        if fig(key, "events_per_server_cpu_s") is not None:
            row(f"  {key}", "events / server CPU s",
                fig(key, "events_per_server_cpu_s"), "ev")
    if raw and raw.get("items_per_second"):
        row("  raw SQLite 2000/txn FULL", "events / CPU s",
            raw["items_per_second"], "ev")
    for key in ("ingest-b1", "ingest-b100", "ingest-b100-c256"):
        if fig(key, "latency_p99_ms") is not None:
            row(f"  {key} latency", "p50/p99/p99.9 ms",
                "{:.2f}/{:.2f}/{:.2f}".format(fig(key, "latency_p50_ms"),
                                             fig(key, "latency_p99_ms"),
                                             fig(key, "latency_p999_ms")), "ms")
    v = fig("stream-b1000", "events_per_s")
    row("IngestStream, chunks of 1000", "events/s", v, "ev/s",
        ratio=ratio(v, lower), ratio_of="lower ceiling")
    row("xAPI over HTTP, 1 statement/request", "statements/s",
        fig("xapi-s1", "statements_per_s"), "st/s")
    x100_4 = fig("xapi-s100", "statements_per_s")
    x100_16 = fig("xapi-s100-c16", "statements_per_s")
    row("xAPI over HTTP, 100 statements/request, 4 connections", "statements/s",
        x100_4, "st/s")
    row("xAPI over HTTP, 100 statements/request, 16 connections", "statements/s",
        x100_16, "st/s")
    x100 = max((v for v in (x100_4, x100_16) if v is not None), default=None)
    row("xAPI over HTTP, 100 statements/request (the higher of the two)",
        "statements/s", x100, "st/s",
        target=">= 20,000 st/s", ok=(x100 is not None and x100 >= 20000))
    rp99 = fig("recommend", "latency_p99_ms")
    rrate = fig("recommend", "requests_per_s")
    row("GetRecommendations at {} req/s".format(fig("recommend", "target_rate")),
        "p99 latency", rp99, "ms", target="<= 5 ms at 2,000 req/s",
        ok=(rp99 is not None and rp99 <= 5 and rrate is not None
            and rrate >= 0.98 * 2000 and (fig("recommend", "target_rate") or 0) >= 2000))
    row("  GetRecommendations", "p50/p99.9 ms, achieved req/s",
        None if rp99 is None else "{:.2f}/{:.2f}, {:.0f}".format(
            fig("recommend", "latency_p50_ms"), fig("recommend", "latency_p999_ms"), rrate), "")
    if fig("recommend-r20", "latency_p50_ms") is not None:
        row("  GetRecommendations at 20 req/s", "p50/p99 ms",
            "{:.2f}/{:.2f}".format(fig("recommend-r20", "latency_p50_ms"),
                                   fig("recommend-r20", "latency_p99_ms")), "ms")
    if fig("recommend", "events_per_server_cpu_s") is not None:
        row("  GetRecommendations", "requests / server CPU s",
            fig("recommend", "events_per_server_cpu_s"), "req")
    pg1 = fig("pg-1", "events_per_s")
    pg2 = fig("pg-2", "events_per_s")
    if pg1 is not None:
        row("PostgreSQL, 1 replica, Ingest batch 100", "events/s", pg1, "ev/s",
            ratio=ratio(pg1, i100), ratio_of="SQLite batch 100")
        row("  PostgreSQL, 1 replica", "p99 ms, stored = acknowledged",
            "{:.2f}, {}".format(fig("pg-1", "latency_p99_ms"), fig("pg-1", "verified")), "")
    if pg2 is not None:
        row("PostgreSQL, 2 replicas at once, Ingest batch 100", "events/s (sum)", pg2,
            "ev/s", ratio=ratio(pg2, pg1), ratio_of="1 replica (2 shared cores)")
        row("  PostgreSQL, 2 replicas", "p99 ms, stored = acknowledged",
            "{:.2f}, {}".format(fig("pg-2", "latency_p99_ms"), fig("pg-2", "verified")), "")
    ow = fig("oulad", "wall_s")
    full_oulad = (fig("oulad", "presentations") or 0) >= 22
    row("OULAD replay ({} events, {} presentations)".format(
        fig("oulad", "events"), fig("oulad", "presentations")), "wall time", ow, "s",
        target="< 180 s (full replay)",
        ok=(ow is not None and ow < 180 and full_oulad) if full_oulad else None)
    row("  OULAD replay", "events/s", fig("oulad", "events_per_s"), "ev/s")
    if fig("oulad", "complete") is False:
        row("  OULAD replay stopped at --max_seconds", "projected full wall time",
            fig("oulad", "projected_wall_s_at_least"), "s",
            target="< 180 s", ok=False)
    pr = fig("oulad", "server_peak_rss_bytes")
    row("  OULAD replay", "server peak RSS", None if pr is None else pr / 2**20, "MiB")
    db = fig("oulad", "database_bytes")
    row("  OULAD replay", "database size", None if db is None else db / 2**20, "MiB")
    per = fig("profiles", "rss_bytes_per_profile")
    row("Memory per learner profile ({} held)".format(fig("profiles", "profiles")),
        "RSS growth / profile", per, "B", target="<= 1024 B",
        ok=(per is not None and per <= 1024 and (fig("profiles", "profiles") or 0) >= 1000000)
        if (fig("profiles", "profiles") or 0) >= 1000000 else None)
    row("  heap only", "bytes / profile", fig("profiles", "heap_bytes_per_profile"), "B")
    for b in (core or {}).get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        row("micro: " + b["name"], "CPU time/op", b.get("cpu_time"), b.get("time_unit"))
    for b in (ranker or {}).get("benchmarks", []):
        row("micro: " + b["name"], "CPU time/op", b.get("cpu_time"), b.get("time_unit"))

    results = {"quick": quick, "machine": machine(),
               "ceilings": {"transport_echo_b1_requests_per_s": echo1,
                            "transport_echo_b100_events_per_s": echo100,
                            "h2load": h2,
                            "storage_raw_sqlite_events_per_s": storage,
                            "storage_raw_sqlite_b100_events_per_s": storage100,
                            "storage_raw_sqlite_default_vfs_events_per_s": raw_plain,
                            "storage_raw_sqlite_polku_vfs_events_per_s": raw_vfs,
                            "lower_events_per_s": lower},
               "scenarios": s, "table": rows,
               "micro": {"core": core, "store": store, "ranker": ranker}}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)

    def fmt(v):
        if v is None:
            return "not run"
        if isinstance(v, str):
            return v
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.3g}"

    print(f"\n{'scenario':<52} {'figure':<22} {'value':>14} {'unit':<6} "
          f"{'ceiling ratio':>14}  {'target':<46} met")
    for r in rows:
        rr = "" if r["ceiling_ratio"] is None else f"{100 * r['ceiling_ratio']:.0f}% {r['ceiling'] or ''}"
        met = "" if r["target"] is None else ("MET" if r["met"] else
                                              ("missed" if r["met"] is False else "n/a"))
        print(f"{r['scenario']:<52} {r['figure']:<22} {fmt(r['value']):>14} "
              f"{r['unit'] or '':<6} {rr:>14}  {r['target'] or '':<46} {met}")
    print(f"\n{'QUICK (smoke) run: figures are not comparable with the targets' if quick else 'Full run'}; "
          f"load average at the end {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
