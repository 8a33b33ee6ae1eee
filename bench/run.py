"""Latency, throughput, queries and memory at the S/M/L scales (``make bench``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/run.py S M L

For each scale (generated first with ``bench/generate.py`` unless ``--no-generate``) it
starts gunicorn on loopback against ``wulong_bench_<scale>`` and measures median/p95 latency
and requests/s per endpoint with a few concurrent clients, side by side with two floors
served by the same gunicorn: a raw SQL + orjson page of tasks and a bare constant-JSON view
(``bench/floor_views.py``, routed by ``bench/urls.py``). It also times the deadline scan (first and repeated, with peak
RSS), the Excel export of 10,000 tasks, counts the queries of every list endpoint, and reads
the web workers' peak RSS. Results are printed as a table and saved to ``bench/results.json``.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TODAY = "2024-06-28"
REQUESTS, CONCURRENCY = 60, 4

ENDPOINTS = {
    "tasks p100": "/api/v1/tasks/?page_size=100",
    "tasks p100 status": "/api/v1/tasks/?page_size=100&status=in_progress",
    "tasks p100 dept": "/api/v1/tasks/?page_size=100&lead_department=7",
    "tasks p100 deadline": "/api/v1/tasks/?page_size=100&deadline_after=2024-01-01&deadline_before=2024-03-31",
    "tasks p100 search": "/api/v1/tasks/?page_size=100&search=招商",
    "tasks p20": "/api/v1/tasks/?page_size=20",
    "projects p100": "/api/v1/projects/?page_size=100",
    "milestones p100": "/api/v1/milestones/?page_size=100",
    "investment-reports p100": "/api/v1/investment-reports/?page_size=100",
    "reminders p100": "/api/v1/reminders/?page_size=100",
    "departments p100": "/api/v1/departments/?page_size=100",
    "indicators p100": "/api/v1/indicators/?page_size=100",
    "dashboard": "/api/v1/dashboard/",
    "rankings": "/api/v1/rankings/?period=2024Q2",
    "report-cards": "/api/v1/report-cards/?period=2024Q2",
    "task detail": "/api/v1/tasks/{task}/",
    "floor: raw SQL tasks p100": "/bench/floor/tasks/?page_size=100",
    "floor: raw SQL tasks p20": "/bench/floor/tasks/?page_size=20",
    **{
        f"floor: raw SQL {name} p100": f"/bench/floor/rows/{name}/?page_size=100"
        for name in ("projects", "milestones", "investment-reports", "reminders")
        + ("departments", "indicators")
    },
    "floor: bare view": "/bench/floor/constant/",
}
LISTS = [
    "/api/v1/tasks/?page_size=100",
    "/api/v1/projects/?page_size=100",
    "/api/v1/milestones/?page_size=100",
    "/api/v1/investment-reports/?page_size=100",
    "/api/v1/reminders/?page_size=100",
    "/api/v1/departments/?page_size=100",
    "/api/v1/indicators/?page_size=100",
    "/api/v1/dashboard/",
]


# The deployment's database settings (docker-compose.yml): persistent connections. Without
# them every request forks a PostgreSQL backend whose empty catalog caches make planning the
# list's statements slow (L: the tasks page 15 ms instead of 3, its lights 9 ms instead of 3).
CONNECTIONS = "conn_max_age=60&conn_health_checks=True"


def with_connections(url: str) -> str:
    """``url`` with the deployment's connection options (Django's, not libpq's)."""
    parts = urlparse(url)
    return urlunparse(parts._replace(query="&".join(filter(None, [parts.query, CONNECTIONS]))))


def scale_env(base_url: str, scale: str) -> dict:
    url = urlunparse(urlparse(base_url)._replace(path=f"/wulong_bench_{scale.lower()}"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SUPERVISION_TODAY": TODAY,
        "API_RATE_USER": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    return subprocess.run(  # noqa: S603 — our own manage.py
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def load(client_factory, path: str, n: int, concurrency: int) -> dict:
    latencies: list[float] = []
    statuses: set[int] = set()
    lock = threading.Lock()
    per_thread = n // concurrency

    def worker():
        with client_factory() as client:
            for _ in range(per_thread):
                started = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses.add(response.status_code)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rps": len(latencies) / wall,
        "status": sorted(statuses),
    }


def load_average() -> list[float]:
    """The 1/5/15-minute load averages (the machine is shared: every figure carries it)."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


SCAN_SCRIPT = """
import datetime as dt, json, resource, time, django
from zoneinfo import ZoneInfo
django.setup()
from unittest import mock
from django.db import connection
from django.test.utils import CaptureQueriesContext
from supervision.reminders.scan import scan_deadlines
now = dt.datetime(2024, 6, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
with connection.cursor() as cur:
    cur.execute("DELETE FROM supervision_reminder WHERE sent_at IS NULL")
out = []
with mock.patch("config.celery.app.send_task"):
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter(); r = scan_deadlines(now=now); t = time.perf_counter() - t
        out.append({"seconds": t, "queries": len(ctx.captured_queries), "written": r.total})
with connection.cursor() as cur:  # leave the database as generate.py made it (XL is kept)
    cur.execute("DELETE FROM supervision_reminder WHERE sent_at IS NULL")
    # And without the dead rows (this server runs with autovacuum off): each run's scan
    # wrote and deleted 106,451 reminders at L, and after ten runs the dashboard's three
    # scans of the table read 145 MB for 23,000 rows (fresh dashboard 83 -> 164 ms).
    cur.execute("VACUUM ANALYZE supervision_reminder")
print(json.dumps({"scans": out, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

QUERIES_SCRIPT = """
import json, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accounts.models import User
client = Client()
client.force_login(User.objects.get(username="bench_sup"))
paths = json.loads(%r)
out = {}
for path in paths:
    client.get(path, HTTP_HOST="127.0.0.1", secure=True)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, HTTP_HOST="127.0.0.1", secure=True)
    out[path] = [response.status_code, len(ctx.captured_queries)]
print(json.dumps(out))
"""


def run_scale(scale: str, base_url: str, generate: bool) -> dict:
    env = scale_env(base_url, scale)
    if generate:
        subprocess.run(
            [PY, "bench/generate.py", scale],
            cwd=ROOT,
            check=True,  # noqa: S603
            env={**os.environ, "DATABASE_URL": base_url},
        )
    manage(env, "migrate", "--noinput", "-v0")
    token = manage(env, "issue_token", "bench_sup", "--scope", "write", "--name", "bench")
    port = free_port()
    gunicorn = subprocess.Popen(  # noqa: S603
        [
            PY,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--log-level",
            "warning",
            "--timeout",  # a fresh dashboard at L on a loaded machine outlasts the default 30 s
            "120",
        ],
        cwd=ROOT,
        env={**env, "DATABASE_URL": with_connections(env["DATABASE_URL"])},
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"}
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/bench/floor/constant/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)

        def client():
            return httpx.Client(base_url=base, headers=headers, timeout=60)

        with client() as c:
            task_id = c.get("/api/v1/tasks/?page_size=1").json()["results"][0]["id"]
        results = {"load": {"start": load_average()}}
        for name, path in ENDPOINTS.items():
            path = path.format(task=task_id)
            with client() as c:
                for _ in range(3):
                    c.get(path)  # warm up
            results[name] = load(client, path, REQUESTS, CONCURRENCY)
        results["load"]["end"] = load_average()
        # A write, by the lead department's owner on its own in-progress task.
        results["POST progress"] = post_progress(env, base)
        cutoff = tenth_thousand_deadline(env["DATABASE_URL"])
        with client() as c:
            started = time.perf_counter()
            response = c.get(f"/api/v1/exports/tasks.xlsx?deadline_before={cutoff}")
            export_s = time.perf_counter() - started
        results["export xlsx"] = {
            "seconds": export_s,
            "bytes": len(response.content),
            "status": response.status_code,
        }
        workers = [
            int(pid)
            for pid in subprocess.run(  # noqa: S603, S607
                ["pgrep", "-P", str(gunicorn.pid)], capture_output=True, text=True
            ).stdout.split()
        ]
        results["web worker peak RSS MiB"] = max((vm_hwm_mib(pid) for pid in workers), default=0)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    scan = subprocess.run(
        [PY, "-c", SCAN_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,  # noqa: S603
        text=True,
        check=True,
    )
    results["scan"] = json.loads(scan.stdout.strip().splitlines()[-1])
    queries = subprocess.run(  # noqa: S603
        [PY, "-c", QUERIES_SCRIPT % json.dumps(LISTS)],
        cwd=ROOT,
        env={**env, "DEBUG": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    results["queries"] = json.loads(queries.stdout.strip().splitlines()[-1])
    return results


def tenth_thousand_deadline(url: str) -> str:
    """A deadline filter that selects about 10,000 tasks (all of them at scale S)."""
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT deadline FROM supervision_task ORDER BY deadline OFFSET 9999 LIMIT 1"
        ).fetchone()
        latest = conn.execute("SELECT MAX(deadline) FROM supervision_task").fetchone()
    return (row or latest)[0].isoformat()


def post_progress(env: dict, base: str) -> dict:
    """Median latency of ``POST tasks/{id}/progress/`` by the lead department's owner."""
    info = manage(
        env,
        "shell",
        "-c",
        (
            "from supervision.models import Task;"
            "t = Task.objects.filter(status='in_progress').order_by('id').first();"
            "print(t.pk, t.lead_department_id)"
        ),
    ).split()
    task_id, dept = info[-2], int(info[-1])
    token = manage(env, "issue_token", f"bench_owner_{dept:03d}", "--scope", "write")
    latencies = []
    with httpx.Client(
        base_url=base,
        timeout=60,
        headers={"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"},
    ) as c:
        for i in range(30):
            started = time.perf_counter()
            r = c.post(
                f"/api/v1/tasks/{task_id}/progress/",
                json={"content": f"基准反馈{i}", "percent": 50},
            )
            latencies.append(time.perf_counter() - started)
    latencies.sort()
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rps": len(latencies) / sum(latencies),
        "status": [r.status_code],
    }


def floor_of(name: str, results: dict) -> dict:
    """The raw-SQL floor of the same page: the list's own, else the tasks page of that size."""
    resource, size = name.split(" ")[0], name.rsplit(" ", 1)[-1]
    own = results.get(f"floor: raw SQL {resource} {size}")
    if own is not None and not name.startswith("floor"):
        return own
    return results["floor: raw SQL tasks p20" if size == "p20" else "floor: raw SQL tasks p100"]


def print_table(all_results: dict) -> None:
    for scale, results in all_results.items():
        bare = results["floor: bare view"]
        load = results["load"]
        print(
            f"\n== scale {scale} == (load average {load['start'][0]:.2f} at the start, "
            f"{load['end'][0]:.2f} at the end of the requests)"
        )
        print(
            f"{'endpoint':36} {'median ms':>10} {'p95 ms':>8} {'req/s':>7} "
            f"{'×raw SQL':>9} {'rps/raw':>8} {'×bare':>7} {'rps/bare':>9} status"
        )
        for name in [*ENDPOINTS, "POST progress"]:
            r = results[name]
            raw = floor_of(name, results)
            print(
                f"{name:36} {r['median_ms']:10.1f} {r['p95_ms']:8.1f} {r['rps']:7.1f} "
                f"{r['median_ms'] / raw['median_ms']:9.2f} {r['rps'] / raw['rps']:8.2f} "
                f"{r['median_ms'] / bare['median_ms']:7.1f} "
                f"{r['rps'] / bare['rps']:9.2f} {r['status']}"
            )
        scans = results["scan"]["scans"]
        print(
            f"scan first {scans[0]['seconds']:.2f} s ({scans[0]['queries']} queries, "
            f"{scans[0]['written']} written), repeated {scans[1]['seconds']:.2f} s "
            f"({scans[1]['queries']} queries), peak RSS {results['scan']['peak_rss_mib']:.0f} MiB"
        )
        export = results["export xlsx"]
        print(
            f"export xlsx {export['seconds']:.2f} s, {export['bytes'] / 1024:.0f} KiB "
            f"(status {export['status']}); web worker peak RSS "
            f"{results['web worker peak RSS MiB']:.0f} MiB"
        )
        print(
            "queries: "
            + ", ".join(f"{path.split('/')[3]}={n}" for path, (_, n) in results["queries"].items())
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scales", nargs="*", default=["S", "M", "L"])
    parser.add_argument("--no-generate", action="store_true")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (and REDIS_URL for the cache).")
    all_results = {s: run_scale(s, base_url, not args.no_generate) for s in args.scales}
    (ROOT / "bench" / "results.json").write_text(json.dumps(all_results, indent=1))
    print_table(all_results)


if __name__ == "__main__":
    main()
