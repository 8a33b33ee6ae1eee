"""Naming (issue 15 item 1): "885" is 八张报表 + 八张问题清单 + 五项机制, never the reminder
ladder (催办 / 督办 / 通报). Only the pages that explain the term — and the report's own text in
the seeds — may write it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPLAINED_IN = {"README.md", "docs/DESIGN.md"}
SCANNED = ("accounts", "config", "projects", "supervision", "docs", "README.md")
TERM = re.compile(r"(?<![\d.,])885(?![\d.,])")  # the term, not a number like 1,885
SUFFIXES = {".py", ".html", ".js", ".css", ".md", ".txt", ".yaml"}


def test_885_is_only_written_where_it_is_explained():
    found = []
    for top in SCANNED:
        base = ROOT / top
        paths = [base] if base.is_file() else base.rglob("*")
        for path in paths:
            if path.suffix not in SUFFIXES or "migrations" in path.parts:
                continue
            name = path.relative_to(ROOT).as_posix()
            if TERM.search(path.read_text(encoding="utf-8", errors="ignore")):
                found.append(name)
    assert set(found) <= EXPLAINED_IN, found
    for name in EXPLAINED_IN:
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "八张报表" in text
        assert "八张问题清单" in text
