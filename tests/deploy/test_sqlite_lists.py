"""``make run``'s embedded database: the API's lists and the cockpit's pages answer on SQLite.

The lists read their pages through PostgreSQL-only SQL where it pays (prepared statements,
datetimes and decimals written as text, arrays); on SQLite each must take its portable path.
The suite's own database is PostgreSQL, so this runs the seeded demo on SQLite in a process
of its own, as ``make run`` does (no DATABASE_URL, no Redis)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATHS = [
    "/api/v1/tasks/?page_size=100",
    "/api/v1/tasks/?status=in_progress",
    "/api/v1/tasks/?light=red&ordering=-deadline",
    "/api/v1/tasks/?search=招商",
    "/api/v1/tasks/?source=npc",
    "/api/v1/projects/?page_size=100",
    "/api/v1/projects/?light=red",
    "/api/v1/projects/?ordering=-completion_rate",
    "/api/v1/projects/?search=抽水蓄能",
    "/api/v1/milestones/",
    "/api/v1/investment-reports/",
    "/api/v1/reminders/",
    "/api/v1/departments/",
    "/api/v1/indicators/",
    "/api/v1/nodes/",
    "/api/v1/proposals/stats/",
    "/api/v1/problems/stats/",
    "/api/v1/dashboard/",
    "/api/v1/report-cards/?period=2024Q2",
    "/api/v1/search/?q=招商",
    "/",
    "/tasks/",
    "/projects/",
]
SCRIPT = """
import json, sys, django
django.setup()
from django.test import Client
from accounts.models import User
client = Client()
client.force_login(User.objects.get(username="duchaban"))
out = {}
for path in json.loads(sys.argv[1]):
    response = client.get(path, HTTP_HOST="127.0.0.1", secure=True)
    body = response.json() if response["Content-Type"].startswith("application/json") else None
    out[path] = [response.status_code, body.get("count") if isinstance(body, dict) else None]
print(json.dumps(out))
"""


def test_the_lists_and_pages_answer_on_sqlite(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "CACHE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="test-only-insecure-key",
        VAR_DIR=str(tmp_path),
        SUPERVISION_TODAY="2024-06-28",
        DEBUG="1",  # static files from the app directories, not a collected manifest
        PYTHONPATH=str(ROOT),
    )

    def run(*args):
        result = subprocess.run(  # noqa: S603 — this interpreter, fixed arguments
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    run("manage.py", "migrate", "--noinput", "-v0")
    run("manage.py", "load_seeds", "--demo", "--force")
    assert (tmp_path / "db.sqlite3").exists()  # the embedded database, not the suite's
    answers = json.loads(run("-c", SCRIPT, json.dumps(PATHS)).stdout.strip().splitlines()[-1])
    assert {path: status for path, (status, _) in answers.items()} == dict.fromkeys(PATHS, 200)
    for path in ("/api/v1/tasks/?page_size=100", "/api/v1/projects/?page_size=100"):
        assert answers[path][1] > 0, path  # the seeded work is listed
