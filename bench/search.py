"""The text search at a bench scale (issues 17 and 18): the global ``search/`` and the lists'
``search=`` beside the same list unfiltered and the raw-SQL floor of that page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python \
        bench/search.py L [--db wulong_bench_l]

In one process through Django's test client with a Bearer token (as ``bench/report_cards.py``),
``SUPERVISION_TODAY=2024-06-28``, against ``wulong_bench_<scale>`` (``bench/generate.py``) or
the database ``--db`` names. Prints per endpoint the median and p95 in ms, the query count and
the result count, with the load average before and after, as JSON.
"""

import json
import subprocess
import sys
from urllib.parse import urlparse, urlunparse

from run import PY, ROOT, manage, scale_env  # bench/ is on sys.path when run as a script

ROUNDS = 21
ENDPOINTS = [
    ("search 招商", "/api/v1/search/?q=招商"),
    ("search 武隆", "/api/v1/search/?q=武隆"),
    ("search 银盘", "/api/v1/search/?q=银盘"),
    ("search 事项 (every task)", "/api/v1/search/?q=事项"),
    ("search BT-012345", "/api/v1/search/?q=BT-012345"),
    ("search page 招商 (cockpit)", "/search/?q=招商"),
    ("tasks p100", "/api/v1/tasks/?page_size=100"),
    ("tasks p100 search=招商", "/api/v1/tasks/?page_size=100&search=招商"),
    ("tasks p100 search=银盘", "/api/v1/tasks/?page_size=100&search=银盘"),
    ("tasks p100 search=BT-0123", "/api/v1/tasks/?page_size=100&search=BT-0123"),
    ("projects p100 search=基准", "/api/v1/projects/?page_size=100&search=基准"),
    ("floor: raw SQL tasks p100", "/bench/floor/tasks/?page_size=100"),
]
SCRIPT = """
import json, os, statistics, time, django
django.setup()
from django.db import connection
from django.test import Client

class Count:
    n = 0
    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

from accounts.models import User
client = Client(HTTP_AUTHORIZATION="Bearer %(token)s")
client.force_login(User.objects.get(username="bench_sup"))
out = {"load_before": os.getloadavg()}
for name, path in %(endpoints)r:
    client.get(path, HTTP_HOST="127.0.0.1", secure=True)  # warm-up
    times = []
    for _ in range(%(rounds)d):
        counter = Count()
        with connection.execute_wrapper(counter):
            t = time.perf_counter()
            response = client.get(path, HTTP_HOST="127.0.0.1", secure=True)
            times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.content[:300]
    times.sort()
    found = None
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        found = body.get("count", {k: v["count"] for k, v in body.items() if isinstance(v, dict)})
    out[name] = {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "queries": counter.n,
        "found": found,
    }
out["load_after"] = os.getloadavg()
print(json.dumps(out, ensure_ascii=False))
"""


def main():
    import os

    scale = sys.argv[1] if len(sys.argv) > 1 else "L"
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server.")
    env = scale_env(base, scale)
    if "--db" in sys.argv:
        name = sys.argv[sys.argv.index("--db") + 1]
        env["DATABASE_URL"] = urlunparse(urlparse(env["DATABASE_URL"])._replace(path=f"/{name}"))
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")  # the cockpit page runs with DEBUG=0
    token = manage(env, "issue_token", "bench_sup", "--scope", "read", "--name", "bench-search")
    script = SCRIPT % {"token": token, "rounds": ROUNDS, "endpoints": ENDPOINTS}
    result = subprocess.run(  # noqa: S603 — our own script
        [PY, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    out = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps({scale: out}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
