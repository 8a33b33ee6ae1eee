"""Files and documents, by hand (never in ``make test``): a 20 MB upload and download keep the
web worker's memory flat; generating 100 督办通知书 stays under 10 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/files.py

It creates a scratch database ``wulong_bench_files`` on that server (or a SQLite file when
DATABASE_URL is unset), migrates it, starts one gunicorn sync worker on loopback with the
file-system storage in a temporary folder, and through the API uploads and downloads files of
1, 5 and 20 MB (streamed from disk on the client side), reading the worker's RSS and peak RSS
(VmHWM) from /proc after each. Then, in this process, it generates 100 督办通知书 (numbered,
DOCX stored; the PDF is the worker's job) and renders 10 PDFs to time them apart.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SIZES_MB = (1, 5, 20, 20)
PASSWORD = "Bench-files-2024"  # noqa: S105 (a scratch database)


def _scratch_database(work: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{work / 'db.sqlite3'}"
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS wulong_bench_files WITH (FORCE)")
        conn.execute("CREATE DATABASE wulong_bench_files")
    return urlunparse(parsed._replace(path="/wulong_bench_files"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _memory(pid: int) -> tuple[float, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def _pdf_file(path: Path, megabytes: int) -> Path:
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        chunk = os.urandom(1024 * 1024)
        for _ in range(megabytes):
            handle.write(chunk)
        handle.write(b"\n%%EOF\n")
    return path


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-files-"))
    env = {
        **os.environ,
        "DATABASE_URL": _scratch_database(work),
        "VAR_DIR": str(work / "var"),
        "MEDIA_ROOT": str(work / "media"),
        "SECRET_KEY": "bench-only-not-secret",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "FILES_MAX_SIZE_MB": "21",
        "API_RATE_USER": "100000/min",
        "SUPERVISION_TODAY": "2024-06-28",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    env.pop("REDIS_URL", None)  # the broker is not needed: PDFs are rendered apart below

    def manage(*args):
        subprocess.run(
            [PY, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,  # noqa: S603
            stdout=subprocess.DEVNULL,
        )

    manage("migrate", "--noinput")
    setup = (
        "from accounts.models import Department, User; from tests import factories;"
        "d=Department.objects.create(code='BENCH',name='测试单位',kind='district');"
        "o=Department.objects.create(code='DCB',name='督查办',kind='district');"
        f"u=User.objects.create_user('owner', password='{PASSWORD}', role='owner', department=d);"
        f"s=User.objects.create_user('office', password='{PASSWORD}', role='supervisor', department=o);"
        "t=factories.TaskFactory(status='in_progress', lead_department=d, code='BENCH-1');"
        "from supervision.models import ProgressReport; from core import clock;"
        "r=ProgressReport.objects.create(task=t, department=d, author=u, content='进展', created_at=clock.now());"
        "print(r.pk)"
    )
    report = (
        subprocess.run(  # noqa: S603
            [PY, "manage.py", "shell", "-c", setup],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    port = _free_port()
    gunicorn = subprocess.Popen(  # noqa: S603
        [
            str(Path(PY).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/api/v1/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        worker = _worker_pid(gunicorn.pid)
        token = httpx.post(
            base + "/api/v1/auth/token/", json={"username": "owner", "password": PASSWORD}
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            client.get("/api/v1/attachments/")  # warm the worker up
            rss, peak = _memory(worker)
            print(f"worker after warm-up: RSS {rss:.1f} MB, peak {peak:.1f} MB")
            print(f"{'size':>6} {'upload s':>9} {'download s':>11} {'RSS MB':>7} {'peak MB':>8}")
            for megabytes in SIZES_MB:
                path = _pdf_file(work / f"{megabytes}.pdf", megabytes)
                started = time.perf_counter()
                with path.open("rb") as handle:
                    response = client.post(
                        "/api/v1/attachments/",
                        files={"file": (f"佐证{megabytes}MB.pdf", handle, "application/pdf")},
                        data={"target_type": "progress_report", "target_id": report},
                    )
                upload = time.perf_counter() - started
                assert response.status_code == 201, response.text[:300]
                started = time.perf_counter()
                size = 0
                with client.stream("GET", response.json()["download_url"]) as download:
                    for chunk in download.iter_bytes():
                        size += len(chunk)
                fetch = time.perf_counter() - started
                assert size == path.stat().st_size
                rss, peak = _memory(worker)
                print(f"{megabytes:>4}MB {upload:>9.2f} {fetch:>11.2f} {rss:>7.1f} {peak:>8.1f}")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    generate = (
        "import time; from accounts.models import User; from tests import factories;"
        "from supervision.files.documents.services import document_generate, document_pdf;"
        "s=User.objects.get(username='office');"
        "tasks=[factories.TaskFactory(status='in_progress', deadline=__import__('datetime').date(2024, 6, 14)) for _ in range(100)];"
        "from django.db import connection; from django.test.utils import CaptureQueriesContext;"
        "import os; load=os.getloadavg()[0];"
        "t0=time.perf_counter(); c0=time.process_time();"
        "ctx=CaptureQueriesContext(connection); ctx.__enter__();"
        "docs=[document_generate(actor=s, type='duban', task=t) for t in tasks];"
        "ctx.__exit__(None, None, None);"
        "t1=time.perf_counter(); c1=time.process_time();"
        "print(f'generated 100 督办通知书 (numbered, DOCX stored) in {t1-t0:.2f} s wall,'"
        " f' {c1-c0:.2f} s CPU of this process, {len(ctx.captured_queries)/100:.0f} queries each'"
        " f' (load average {load:.1f} on 2 cores):', docs[0].code, '…', docs[-1].code);"
        "t2=time.perf_counter(); [document_pdf(d) for d in docs[:10]]; t3=time.perf_counter();"
        "print(f'PDF rendering (worker): {(t3-t2)/10:.2f} s per document (10 rendered)')"
    )
    subprocess.run([PY, "manage.py", "shell", "-c", generate], cwd=ROOT, env=env, check=True)  # noqa: S603
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
