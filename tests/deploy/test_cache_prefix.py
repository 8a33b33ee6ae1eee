"""Two databases sharing one Redis do not share cached answers: the cache's key prefix is
the database's by default (cached counts are keyed by their SQL, the same in both)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_PREFIX = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.CACHES['default']['KEY_PREFIX'])"
)


def prefix(**variables) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "test-only-insecure-key",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        **variables,
    }
    if "CACHE_KEY_PREFIX" not in variables:
        env.pop("CACHE_KEY_PREFIX", None)
    result = subprocess.run(  # noqa: S603 — this interpreter, fixed arguments
        [sys.executable, "-c", PRINT_PREFIX],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_each_database_has_its_own_cache_keys_unless_told_otherwise():
    one = prefix(DATABASE_URL="postgres://postgres@127.0.0.1:5432/wulong_bench_s")
    two = prefix(DATABASE_URL="postgres://postgres@127.0.0.1:5432/wulong_bench_m")
    assert one != two
    assert one.startswith("wulong")
    told = prefix(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/wulong_bench_m", CACHE_KEY_PREFIX="x"
    )
    assert told == "x"
