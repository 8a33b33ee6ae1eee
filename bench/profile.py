"""Where one endpoint's time goes (issue 18's profile): cProfile with a CPU clock over many
requests in one process, through Django's test client with a Bearer token, as
``bench/search.py``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python \
        bench/profile.py L "/api/v1/tasks/?page_size=100" [--rounds 40] [--db wulong_bench_l]

Prints the median CPU (this process's) and wall milliseconds per request without the
profiler, then, from a second profiled run of as many requests, the share of the CPU profile spent under
each of the project's own functions (cumulative, the 25 largest) and the 15 functions with
the most CPU of their own.
"""

import argparse
import json
import subprocess
from urllib.parse import urlparse, urlunparse

from run import PY, ROOT, manage, scale_env  # bench/ is on sys.path when run as a script

SCRIPT = """
import cProfile, json, os, pstats, statistics, time, django
django.setup()
from django.test import Client

client = Client(HTTP_AUTHORIZATION="Bearer %(token)s")
path, rounds = %(path)r, %(rounds)d

def get():
    response = client.get(path, HTTP_HOST="127.0.0.1", secure=True)
    assert response.status_code == 200, response.content[:300]

for _ in range(3):
    get()  # warm-up: connections, compiled statements, caches
cpu, wall = [], []
for _ in range(rounds):  # unprofiled
    started = time.process_time(), time.perf_counter()
    get()
    cpu.append(time.process_time() - started[0])
    wall.append(time.perf_counter() - started[1])
profile = cProfile.Profile(time.process_time)
profile.enable()
for _ in range(rounds):
    get()
profile.disable()
stats = pstats.Stats(profile)
total = sum(row[2] for row in stats.stats.values())  # own time of every function
root = os.getcwd()

def name(key):
    filename, line, function = key
    return f"{os.path.relpath(filename, root) if filename.startswith(root) else filename}:{line}({function})"

own = [
    (key, row)
    for key, row in stats.stats.items()
    if key[0].startswith(root) and "site-packages" not in key[0]  # not the venv's
]
out = {
    "rounds": rounds,
    # Without the profiler: this process's CPU (not PostgreSQL's or Redis's) and the wall
    # clock, medians per request.
    "cpu_ms_median": round(statistics.median(cpu) * 1000, 2),
    "wall_ms_median": round(statistics.median(wall) * 1000, 2),
    "cumulative_share_of_project_functions": [
        [name(key), round(row[3] / total * 100, 1)]
        for key, row in sorted(own, key=lambda item: -item[1][3])[:25]
    ],
    "cumulative_share_top": [  # any function's, the libraries' too (``--all``)
        [name(key), round(row[3] / total * 100, 1)]
        for key, row in sorted(stats.stats.items(), key=lambda item: -item[1][3])[:%(all)d]
    ],
    "own_share_top": [
        [name(key), round(row[2] / total * 100, 1)]
        for key, row in sorted(stats.stats.items(), key=lambda item: -item[1][2])[:15]
    ],
    "load_after": os.getloadavg(),
}
print(json.dumps(out, ensure_ascii=False))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale")
    parser.add_argument("path")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--db", help="another database than wulong_bench_<scale>")
    parser.add_argument(
        "--all",
        type=int,
        default=0,
        metavar="N",
        help="also the N functions (any) with the most cumulative CPU",
    )
    args = parser.parse_args()
    import os
    import sys

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server.")
    env = scale_env(base, args.scale)
    if args.db:
        env["DATABASE_URL"] = urlunparse(urlparse(env["DATABASE_URL"])._replace(path=f"/{args.db}"))
    manage(env, "migrate", "--noinput", "-v0")
    token = manage(env, "issue_token", "bench_sup", "--scope", "read", "--name", "bench-profile")
    script = SCRIPT % {"token": token, "path": args.path, "rounds": args.rounds, "all": args.all}
    result = subprocess.run(  # noqa: S603 — our own script
        [PY, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    out = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps({args.scale: out}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
