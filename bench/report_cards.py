"""``report-cards/?period=2024Q2``, ``problems/stats/``, the global ``search/`` and the district
cockpit (page, chart data, dashboard API) computed fresh at a bench scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python \
        bench/report_cards.py L [--generate] [--db wulong_bench_l_copy]

Against ``wulong_bench_<scale>`` (``bench/generate.py``; ``--generate`` re-creates it), in one
process through Django's test client with a Bearer token, ``SUPERVISION_TODAY=2024-06-28``:
each fresh request first invalidates the summaries' cache (``supervision.cache``), so the
report cards are computed from the database every time; cached requests follow. Prints the
median and p95 in ms and the query count, as JSON.
"""

import json
import subprocess
import sys

from run import PY, ROOT, manage, scale_env  # bench/ is on sys.path when run as a script

ROUNDS = 15
SCRIPT = """
import json, statistics, time, django
django.setup()
from django.db import connection
from django.test import Client

class Count:  # the request's queries (CaptureQueriesContext loses them: request_started resets the log)
    n = 0
    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)
from supervision.cache import _bump_now
from accounts.models import User
client = Client(HTTP_AUTHORIZATION="Bearer %(token)s")
client.force_login(User.objects.get(username="bench_sup"))  # the cockpit's pages too
out = {}
for name, path in [
    ("report-cards 2024Q2", "/api/v1/report-cards/?period=2024Q2"),
    ("report-cards 2024Q2 town", "/api/v1/report-cards/?period=2024Q2&track=town"),
    ("problems/stats", "/api/v1/problems/stats/"),
    # issue 17: the global search and the district cockpit with its charts' data
    ("search 招商", "/api/v1/search/?q=招商"),
    ("search 武隆", "/api/v1/search/?q=武隆"),
    ("dashboard API", "/api/v1/dashboard/"),
    ("district page", "/district/"),
    ("district charts", "/district/charts/"),
]:
    client.get(path, HTTP_HOST="127.0.0.1", secure=True)  # warm-up (connections, imports)
    fresh, cached = [], []
    for _ in range(%(rounds)d):
        _bump_now()
        counter = Count()
        with connection.execute_wrapper(counter):
            t = time.perf_counter()
            response = client.get(path, HTTP_HOST="127.0.0.1", secure=True)
            fresh.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.content[:300]
        t = time.perf_counter()
        client.get(path, HTTP_HOST="127.0.0.1", secure=True)
        cached.append((time.perf_counter() - t) * 1000)
    fresh.sort(); cached.sort()
    out[name] = {
        "fresh_median_ms": round(statistics.median(fresh), 1),
        "fresh_p95_ms": round(fresh[int(len(fresh) * 0.95) - 1], 1),
        "cached_median_ms": round(statistics.median(cached), 1),
        "queries_fresh": counter.n,
        "rows": (len(response.json().get("rows", [])) or response.json().get("total"))
        if response["Content-Type"].startswith("application/json") else None,
    }
print(json.dumps(out))
"""


def main():
    scale = sys.argv[1] if len(sys.argv) > 1 else "L"
    import os

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server.")
    if "--generate" in sys.argv:
        subprocess.run([PY, "bench/generate.py", scale], cwd=ROOT, check=True)  # noqa: S603
    env = scale_env(base, scale)
    if "--db" in sys.argv:  # another copy of the scale's data (e.g. a helper's own)
        name = sys.argv[sys.argv.index("--db") + 1]
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")  # the cockpit pages run with DEBUG=0
    token = manage(env, "issue_token", "bench_sup", "--scope", "write", "--name", "bench-cards")
    result = subprocess.run(  # noqa: S603
        [PY, "-c", SCRIPT % {"token": token, "rounds": ROUNDS}],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    print(json.dumps({scale: json.loads(result.stdout.strip().splitlines()[-1])}, indent=2))


if __name__ == "__main__":
    main()
