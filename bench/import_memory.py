"""Peak memory of a gunicorn worker importing hostile and large 交办清单 files (issue 12
item 9). Run by hand, never in ``make test``:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_memory.py

It creates (or reuses) the scratch database ``wulong_bench_import``, migrates it, makes a
supervisor and the departments, then for each file starts a fresh gunicorn with one sync
worker on loopback, POSTs the file to ``/api/v1/imports/tasks/`` and reads the worker's
peak RSS (VmHWM). Files: the bomb (a sharedStrings part inflating to 190 MB in a few hundred
KB), valid files of 5,000 rows (the most one import takes; checked with ``dry_run``),
10,000 rows (refused past row 5,000) and 1,000 rows (checked and created).
"""

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx
import psycopg
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PY, ROOT, free_port, manage, vm_hwm_mib  # noqa: E402

DB = "wulong_bench_import"
HEADER = ["编号", "事项名称", "事项内容", "来源", "报表类别", "牵头单位", "办理时限", "单位"]
DEPARTMENTS = [f"B{n:02d}" for n in range(40)]


def env_for(base_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": urlunparse(urlparse(base_url)._replace(path=f"/{DB}")),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SUPERVISION_TODAY": "2024-06-28",
        "API_RATE_USER": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def prepare(base_url: str) -> tuple[dict, str]:
    with psycopg.connect(base_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB}"')
    env = env_for(base_url)
    manage(env, "migrate", "--noinput", "-v0")
    script = (
        "import django; django.setup()\n"
        "from accounts.models import Department, User\n"
        "from accounts.services import department_create, user_create\n"
        f"codes = {DEPARTMENTS!r}\n"
        "for code in codes:\n"
        "    if not Department.objects.filter(code=code).exists():\n"
        "        department_create(code=code, name=f'压测单位{code}', kind='district')\n"
        "if not User.objects.filter(username='bench_sup').exists():\n"
        "    user_create(username='bench_sup', role='supervisor')\n"
    )
    subprocess.run([PY, "-c", script], cwd=ROOT, env=env, check=True)  # noqa: S603
    token = manage(env, "issue_token", "bench_sup", "--scope", "write", "--name", "bench")
    return env, token


def valid_file(rows: int, prefix: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("交办清单")
    ws.append(HEADER)
    for n in range(rows):
        ws.append(
            [
                f"{prefix}-{n:05d}",
                f"推进第{n}项重点工作，按期完成年度目标任务",
                "按照区政府工作报告要求，细化任务分工，明确时间节点，确保按期完成。" * 2,
                "领导批示",
                "经济",
                DEPARTMENTS[n % len(DEPARTMENTS)],
                "2024-12-31",
                "%",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bomb_file(inflated: int = 190 * 1024 * 1024) -> bytes:
    """A valid small workbook plus a sharedStrings part that inflates to ``inflated`` bytes."""
    base = valid_file(1, "BOMB")
    source = zipfile.ZipFile(io.BytesIO(base))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    item = b"<si><t>" + b"A" * 100 + b"</t></si>"
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + item * (inflated // len(item))
        + b"</sst>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, body in parts.items():
            target.writestr(name, body)
    return out.getvalue()


def measure(env: dict, token: str, name: str, data: bytes, query: str) -> dict:
    port = free_port()
    gunicorn = subprocess.Popen(  # noqa: S603
        [PY, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}"]
        + ["-w", "1", "--timeout", "1200", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=1200) as client:
            for _ in range(100):
                try:
                    client.get("/api/v1/me/")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            worker = int(
                subprocess.run(  # noqa: S603
                    ["pgrep", "-P", str(gunicorn.pid)], capture_output=True, text=True, check=True
                ).stdout.split()[0]
            )
            before = vm_hwm_mib(worker)
            started = time.perf_counter()
            files = {"file": (f"{name}.xlsx", data, "application/octet-stream")}
            response = client.post(f"/api/v1/imports/tasks/{query}", files=files)
            seconds = time.perf_counter() - started
            peak = vm_hwm_mib(worker)
        body = response.json()
        detail = body.get("errors", {}).get("file", [""])[0] if response.status_code == 400 else ""
        return {
            "file": name,
            "upload_kib": round(len(data) / 1024),
            "status": response.status_code,
            "seconds": round(seconds, 2),
            "idle_mib": round(before),
            "peak_mib": round(peak),
            "created": body.get("created", body.get("valid")),
            "why": (detail or body.get("message", ""))[:70],
        }
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)


def main():
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    env, token = prepare(base_url)
    run_id = str(int(time.time()))[-6:]
    cases = [
        ("bomb-190MB-sharedStrings", bomb_file(), ""),
        ("valid-5000-rows dry_run", valid_file(5000, f"D{run_id}"), "?dry_run=1"),
        ("valid-10000-rows", valid_file(10000, f"T{run_id}"), ""),
        ("valid-1000-rows import", valid_file(1000, f"I{run_id}"), ""),
    ]
    print(f"{'file':28} {'KiB':>6} {'status':>6} {'s':>6} {'idle':>5} {'peak MiB':>8}  why")
    for name, data, query in cases:
        r = measure(env, token, name, data, query)
        print(
            f"{r['file']:28} {r['upload_kib']:>6} {r['status']:>6} {r['seconds']:>6} "
            f"{r['idle_mib']:>5} {r['peak_mib']:>8}  {r['why']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
