"""Read benchmarks against a streaming replica (called by ``bench/replica.sh bench``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wulong_bench_l \\
    DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/wulong_bench_l \\
        .venv/bin/python -m bench.replica

Starts gunicorn twice on the same generated database (``bench/generate.py``): once on the
primary alone, once with ``DATABASE_REPLICA_URL`` set, and times the same list, dashboard,
report-card and export reads with ``bench/run.py``'s load loop. Per run it reads both
servers' ``pg_stat_database`` (transactions and rows returned for the database, showing
where the reads went) and samples ``pg_stat_replication`` on the primary every 0.25 s:
replay/write lag and bytes behind, during the reads and during a burst of writes
(``POST tasks/{id}/progress/``).
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psycopg

from bench.run import (
    PY,
    ROOT,
    free_port,
    load,
    manage,
    post_progress,
    scale_env,
    tenth_thousand_deadline,
)

READS = {
    "tasks p100": "/api/v1/tasks/?page_size=100",
    "tasks p20": "/api/v1/tasks/?page_size=20",
    "tasks p100 status": "/api/v1/tasks/?page_size=100&status=in_progress",
    "projects p100": "/api/v1/projects/?page_size=100",
    "dashboard": "/api/v1/dashboard/",
    "report-cards": "/api/v1/report-cards/?period=2024Q2",
}
EXPORT = "/api/v1/exports/tasks.xlsx?deadline_before={cutoff}"  # about 10,000 rows
REQUESTS, CONCURRENCY = 60, 4

LAG_SQL = """
SELECT coalesce(extract(epoch FROM write_lag), 0) * 1000,
       coalesce(extract(epoch FROM replay_lag), 0) * 1000,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)
FROM pg_stat_replication WHERE state = 'streaming'
"""


def server_url(url: str) -> str:
    return urlparse(url)._replace(path="/postgres").geturl()


def db_stats(url: str) -> tuple[int, int]:
    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(server_url(url), autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched "
            "FROM pg_stat_database WHERE datname = %s",
            [name],
        ).fetchone()
    return int(row[0]), int(row[1])


class LagSampler(threading.Thread):
    """Samples the primary's view of its standby until stopped."""

    def __init__(self, primary_url: str):
        super().__init__(daemon=True)
        self.url, self.samples, self.stopping = server_url(primary_url), [], threading.Event()

    def run(self):
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stopping.is_set():
                row = conn.execute(LAG_SQL).fetchone()
                if row:
                    self.samples.append(tuple(float(v) for v in row))
                time.sleep(0.25)

    def stop(self) -> dict:
        self.stopping.set()
        self.join()
        if not self.samples:
            return {"samples": 0}
        write, replay, behind = zip(*self.samples, strict=True)
        return {
            "samples": len(self.samples),
            "write_lag_ms_max": max(write),
            "replay_lag_ms_median": statistics.median(replay),
            "replay_lag_ms_max": max(replay),
            "bytes_behind_median": statistics.median(behind),
            "bytes_behind_max": max(behind),
        }


def check(response, path: str) -> None:
    if response.status_code != 200:
        sys.exit(f"{path}: {response.status_code} {response.text[:200]}")


def run_mode(env: dict, primary: str, replica: str, use_replica: bool) -> dict:
    # Each run its own cache namespace: the first dashboard/report-card read computes fresh.
    env = {**env, "CACHE_KEY_PREFIX": f"bench-replica-{time.time_ns()}"}
    if use_replica:
        env["DATABASE_REPLICA_URL"] = replica
    token = manage(env, "issue_token", "bench_sup", "--scope", "read", "--name", "replica")
    port = free_port()
    gunicorn = subprocess.Popen(  # noqa: S603 — our own app on loopback
        [PY, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2"]
        + ["--timeout", "600", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"}

    def client():
        return httpx.Client(base_url=base, headers=headers, timeout=120)

    out = {}
    try:
        for _ in range(150):
            try:
                httpx.get(base + "/api/schema/", timeout=5)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        with client() as c:
            for path in READS.values():
                started = time.perf_counter()
                check(c.get(path), path)  # the first: computed fresh, then warm
                print(f"first {path}: {time.perf_counter() - started:.2f} s", file=sys.stderr)
                for _ in range(2):
                    check(c.get(path), path)
        before = {"primary": db_stats(primary), "replica": db_stats(replica)}
        sampler = LagSampler(primary)
        sampler.start()
        for name, path in READS.items():
            out[name] = load(client, path, REQUESTS, CONCURRENCY)
            print(f"{'replica' if use_replica else 'primary'} {name}: {out[name]}", file=sys.stderr)
        with client() as c:
            seconds = []
            export = EXPORT.format(cutoff=tenth_thousand_deadline(primary))
            for _ in range(3):
                started = time.perf_counter()
                check(c.get(export), export)
                seconds.append(time.perf_counter() - started)
        out["export xlsx"] = {"median_ms": statistics.median(seconds) * 1000, "n": 3}
        out["lag during reads"] = sampler.stop()
        after = {"primary": db_stats(primary), "replica": db_stats(replica)}
        out["pg_stat_database"] = {
            side: {
                "xacts": after[side][0] - before[side][0],
                "rows": after[side][1] - before[side][1],
            }
            for side in before
        }
        if use_replica:
            sampler = LagSampler(primary)
            sampler.start()
            out["POST progress"] = post_progress(env, base)
            out["lag during writes"] = sampler.stop()
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()
    return out


def main():
    primary = os.environ.get("DATABASE_URL", "")
    replica = os.environ.get("DATABASE_REPLICA_URL", "")
    if not (primary.startswith("postgres") and replica.startswith("postgres")):
        sys.exit("Set DATABASE_URL (primary) and DATABASE_REPLICA_URL (standby), same database.")
    env = {**scale_env(primary, "L"), "DATABASE_URL": primary}
    env.pop("DATABASE_REPLICA_URL", None)
    manage(env, "migrate", "--noinput", "-v0")
    results = {"primary only": run_mode(env, primary, replica, use_replica=False)}
    results["with replica"] = run_mode(env, primary, replica, use_replica=True)
    print(json.dumps(results, indent=1))
    a, b = results["primary only"], results["with replica"]
    print(f"\n{'read':20} {'primary ms':>11} {'replica ms':>11} {'rps p':>7} {'rps r':>7}")
    for name in [*READS, "export xlsx"]:
        rps = (
            f"{a[name].get('rps', 0):7.1f} {b[name].get('rps', 0):7.1f}" if "rps" in a[name] else ""
        )
        print(f"{name:20} {a[name]['median_ms']:11.1f} {b[name]['median_ms']:11.1f} {rps}")
    for mode in results.values():
        print("pg_stat_database (xacts, rows):", mode["pg_stat_database"])
    print("lag during reads:", b["lag during reads"])
    print("lag during writes:", b["lag during writes"], "POST median ms:", b["POST progress"])
    Path(os.environ.get("REPLICA_RESULTS", "/tmp/replica-results.json")).write_text(  # noqa: S108
        json.dumps(results, indent=1)
    )


if __name__ == "__main__":
    main()
