"""Render the README screenshots (``SHOTS``: the district cockpit with its charts, a unit's
本单位, the task list on a phone, the global search) from the seeded demo.

    .venv/bin/python docs/screenshot.py            # → docs/dashboard.png, … (see SHOTS)

What it does, in a throw-away directory (your ``var/`` and any ``DATABASE_URL`` are left
alone): a fresh SQLite database, ``manage.py load_seeds --demo`` with
``SUPERVISION_TODAY=2024-06-28`` (as ``make run`` does), the deadline scan and reminder
delivery a beat would have run in the days before, then ``runserver`` on a free port and
headless Chromium (Debian's ``/usr/bin/chromium``; ``apt-get install -y chromium
fonts-noto-cjk``) logged in as the demo supervision office (``duchaban``).
"""

import os
import socket
import subprocess  # noqa: S404 — runs this project's own manage.py
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2024-06-28"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The scans a running beat would have made before the demo day, so the cockpit shows
# reminders, escalations left unacknowledged and the messages they produced.
SCANS = ["2024-06-17T09:30+08:00", "2024-06-24T09:30+08:00", f"{TODAY}T09:00+08:00"]
DELIVER = """
import datetime as dt
from core import clock
from supervision.reminders.delivery import deliver_pending
from supervision.reminders.scan import scan_deadlines
for moment in {scans!r}:
    now = dt.datetime.fromisoformat(moment)
    with clock.override(now):
        scan_deadlines(now=now)
        deliver_pending(now=now)
"""


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 — our own local server
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


# (login, path, file under docs/, viewport, what to wait for): the README's pictures.
SHOTS = [
    ("duchaban", "/", "dashboard.png", (1280, 900), ".echart[data-drawn] svg"),
    ("duchaban", "/district/", "district-charts.png", (1280, 1500), ".echart[data-drawn] svg"),
    ("owner_fgw", "/", "unit-home.png", (1280, 1000), "[data-testid=to-accept]"),
    ("owner_fgw", "/tasks/?overdue=true", "tasks-phone.png", (390, 844), "[data-testid=task-list]"),
    ("duchaban", "/search/?q=幼儿园", "search.png", (1280, 900), "[data-testid^=search-]"),
]


def shoot(url: str, shots=SHOTS) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for username, path, name, viewport, ready in shots:
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN"
            )
            page = context.new_page()
            page.goto(f"{url}/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", "Wulong-2024")
            page.click("button[type=submit]")
            page.wait_for_url(f"{url}/")
            page.goto(f"{url}{path}")
            page.wait_for_selector(ready)
            output = ROOT / "docs" / name
            output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(output))
            print(f"saved {output.relative_to(ROOT)}")
            context.close()
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="wulong-shot-") as var_dir:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL"}
        }
        if os.environ.get("SCREENSHOT_DATABASE_URL"):  # an empty PostgreSQL database instead
            env["DATABASE_URL"] = os.environ["SCREENSHOT_DATABASE_URL"]
        env.update(
            VAR_DIR=var_dir,
            DEBUG="1",
            SUPERVISION_TODAY=TODAY,
            DJANGO_SETTINGS_MODULE="config.settings",
        )
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_seeds", "--demo")
        manage(env, "shell", "-c", DELIVER.format(scans=SCANS))
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/login/")
            shoot(url)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
