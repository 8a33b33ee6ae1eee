"""Helpers shared by the reminder tests: frozen moments, scans, and for the integration tests
a real Celery worker process and a real HTTP receiver.

2024 calendar around National Day (the official one, from ``chinesecalendar``):
    09-23 Mon .. 09-27 Fri, 09-29 Sun (make-up), 09-30 Mon are working days, 09-28 Sat is off;
    10-01 Tue .. 10-07 Mon are the holiday;
    10-08 Tue .. 10-11 Fri, 10-12 Sat (make-up), 10-14 Mon .. are working days, 10-13 Sun is off.
"""

import contextlib
import datetime as dt
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from config.celery import app as celery_app
from core import clock
from supervision.loop.workdays import SHANGHAI
from supervision.reminders.scan import scan_deadlines

BASE_DIR = Path(settings.BASE_DIR)


def day(month: int, dom: int) -> dt.date:
    """A day of 2024."""
    return dt.date(2024, month, dom)


def at(date: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware moment on ``date`` in Asia/Shanghai."""
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=SHANGHAI)


def scan(date: dt.date, hour: int = 10):
    """Run the deadline scan at ``date`` ``hour``:00 Asia/Shanghai with the clock frozen there."""
    moment = at(date, hour)
    with clock.override(moment):
        return scan_deadlines(now=moment)


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.05, what: str = "it"):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


# --- integration: PostgreSQL, Redis, a worker process ---------------------------------------


def require_integration_services() -> None:
    """The integration tests need PostgreSQL and Redis: fail in CI without them, else skip."""
    problems = []
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        problems.append("DATABASE_URL does not point at PostgreSQL")
    if not os.environ.get("REDIS_URL"):
        problems.append("REDIS_URL is not set")
    if not problems:
        return
    reason = "integration test needs PostgreSQL and Redis: " + "; ".join(problems)
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def worker_database_url() -> str:
    """A DATABASE_URL for the test database pytest-django created (``test_<name>``)."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(db['NAME'], safe='')}"


def subprocess_env(queue: str, **extra: str) -> dict:
    """The environment of a worker or ``manage.py`` child: the test database, Redis, our queue."""
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "DEBUG": "1",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "1",
        "WEBHOOK_RETRY_BASE_SECONDS": "0.3",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    for name in ("SUPERVISION_TODAY", "CELERY_TASK_ALWAYS_EAGER", "EMAIL_URL"):
        env.pop(name, None)
    return env


def route_tasks_to(queue: str) -> None:
    """Send this process's tasks to ``queue`` (``amqp.default_queue`` is cached: drop it)."""
    celery_app.conf.task_default_queue = queue
    celery_app.amqp.__dict__.pop("default_queue", None)


def purge_queue(queue: str) -> int:
    """Drop the messages waiting in ``queue`` (left by an earlier test of this run)."""
    with celery_app.connection_for_write() as connection:
        return connection.default_channel.queue_purge(queue) or 0


def raw_connection():
    """A psycopg connection of its own to the test database, outside Django's (autocommit off)."""
    import psycopg

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
    )


def forget_queue(queue: str) -> None:
    """Remove every Redis key and unacked entry of our private queue (and nothing else)."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        for key in list(client.scan_iter(match=f"*{queue}*")):
            client.delete(key)
        for key in list(client.scan_iter(match="_kombu.binding.*")):
            for member in client.smembers(key):
                if queue.encode() in member:
                    client.srem(key, member)
        # A SIGKILLed worker leaves its unacknowledged message behind; kombu would restore it
        # to our queue after the visibility timeout.
        for tag, raw in client.hgetall("unacked").items():
            try:
                routing_key = json.loads(raw)[2]
            except (ValueError, IndexError, TypeError):
                continue
            if routing_key == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


class CeleryWorker:
    """``celery -A config worker --pool=prefork --concurrency=2`` on our queue, as a process."""

    def __init__(self, queue: str, log_path: Path, **env: str):
        self.queue = queue
        self.name = f"reminders-{uuid.uuid4().hex[:8]}@localhost"
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-l",
                "info",
                "--pool=prefork",
                "--concurrency=2",
                "-Q",
                queue,
                "-n",
                self.name,
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=BASE_DIR,
            env=subprocess_env(queue, **env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until the worker answers a ping addressed to it by name."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited with {self.process.returncode}:\n{self.log()}")
            if celery_app.control.ping(destination=[self.name], timeout=0.5):
                return
        raise TimeoutError(f"worker not ready after {timeout:.0f}s:\n{self.log()}")

    def children(self) -> list[int]:
        """The prefork pool's processes (children of the main process)."""
        pids = []
        for task in Path(f"/proc/{self.pid}/task").glob("*"):
            try:
                pids += [int(pid) for pid in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
        return pids

    def kill(self) -> list[int]:
        """SIGKILL the main process and every pool process; returns the pids killed."""
        pids = [self.pid, *self.children()]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        wait_for(lambda: not any(_alive(pid) for pid in pids), timeout=10, what="killed workers")
        return pids

    def stop(self) -> None:
        """Warm shutdown (SIGTERM); anything still alive after 15 s is killed."""
        children = self.children()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for pid in children:
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self._log.close()


class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 (ephemeral port) that records every request.

    It answers the ``statuses`` in order (the last one repeats), after ``delay`` seconds.
    """

    def __init__(self, statuses, delay: float = 0.0):
        self.statuses = list(statuses)
        self.delay = delay
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — the http.server API
                arrived = time.monotonic()
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver._lock:
                    number = len(receiver.requests)
                    receiver.requests.append(
                        {
                            "at": arrived,
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                        }
                    )
                    status = receiver.statuses[min(number, len(receiver.statuses) - 1)]
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
