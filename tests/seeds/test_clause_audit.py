"""The clause audit: every commitment of the report's part 二 (with the 民生实事 paragraph)
and part 三 is quoted by a task, or it is on the short exclusion list below with its reason.

A clause is a piece of a line of ``seeds/source/report_2024.txt`` between Chinese
punctuation (。；！？，：). A clause is *loaded* when a task's ``content`` contains it (or
it contains a task's ``content``); the five clauses of L52 (预期目标) are loaded as
indicators. What is not a commitment is set aside by rule, not by listing:

- L48–L54 before the ten areas: the heading, the general requirements (L50), the lead-in
  "预期目标是" (L52) and the reasoning behind the targets (L54);
- the part headings ("二、…", "三、…");
- an area's heading line ("（一）…"): its first sentence is the heading, and in part 二
  the rest of that line is the area's aim, which its paragraphs then carry out;
- a paragraph's lead phrase: a first sentence that is a single clause (printed in bold in
  the report, e.g. "深化交流合作。"); it is the task's ``source_ref``.

No database: the audit reads the data files (``loader.read``).
"""

import re
from collections import Counter

import pytest

from seeds import loader
from tests.seeds.source import report_text

FIRST, LAST = 48, 140  # 二、2024年工作安排 … the last line of 三
PREAMBLE = {48, 50, 52, 54}
PART_HEADINGS = {48, 132}
SECTION_TWO_END = 131

RHETORIC = "rhetoric or a transition: no action to assign"
ATTITUDE = "attitude and working style asked of every official (敢于…, 凡事议必决…): no result a unit can report"
EXCLUDED = {
    (61, "以重点事项“一子落”"): RHETORIC,
    (61, "推动强力赶超“满盘活”"): RHETORIC,
    (101, "围绕数字重庆建设“1361”整体架构"): (
        "framing phrase whose commitments follow on L103; the line break cuts the sentence,"
        " so no task can quote both"
    ),
    (131, "各位代表"): RHETORIC,
    (131, "我们将办好办实市、区两级民生实事"): "restates the 25 民生实事 loaded as MS24-001/002",
    (131, "让老百姓的日子一年更比一年好"): RHETORIC,
    (131, "与此同时"): RHETORIC,
    (
        131,
        "做好民族宗教、人事、对台、侨务、保密、档案、地方志、新闻、广电、邮政、保险、烟草、公共资源、行政学校等工作",
    ): ("the standing work of fourteen functions, named without a result to check"),
    (
        131,
        "充分发挥总工会、共青团、妇联、科协、文联、社科联、慈善会、关工委、老龄委、老促会、计生协会、红十字会等桥梁作用",
    ): ("mass organisations, not government units: the government cannot assign them"),
    (131, "支持所有驻武单位工作"): "support for units outside the district government, no result",
    **{
        (134, clause): "the opening of part 三: the year's theme, not a commitment"
        for clause in [
            "各位代表",
            "新的一年",
            "全区政府系统将以“效率质量提升年”为主题",
            "始终保持“赶考”的清醒和定力",
            "坚持忠诚担当、法治筑基、实干提效、清廉为民",
            "蹄疾步稳推进现代化新武隆建设",
        ]
    },
    (135, "把党的领导贯彻落实到政府系统各领域各方面各环节"): (
        "political allegiance (党的领导, 两个确立, 两个维护): a principle, not a lead unit's task"
    ),
    (135, "确保坚定拥护“两个确立”、坚决做到“两个维护”一贯到底"): (
        "political allegiance (党的领导, 两个确立, 两个维护): a principle, not a lead unit's task"
    ),
    (136, "支持法院、检察院依法独立行使职权"): (
        "courts and procuratorate act independently: nothing for a government unit to do"
    ),
    **{
        (138, clause): ATTITUDE
        for clause in [
            "敢于负责",
            "敢于担事",
            "敢于为负责者负责",
            "敢于为担当者担当",
            "凡事议必决、决必行、行必果",
            "确保定一件、干一件、成一件",
            "发扬敢于啃硬骨头、下深水区的斗争精神",
            "深入推进从县城到基层、从会场到现场、从“浅水”到“深水”的转变",
        ]
    },
    (140, "牢固树立正确政绩观"): ATTITUDE,
    (140, "敢于向“半拉子工程”“形象工程”“面子工程”说不"): ATTITUDE,
    (140, "以更加清廉的政府形象取信于民"): RHETORIC,
}

SPLIT = r"[。；！？，：]"


def _clauses(sentence: str) -> list[str]:
    return [c.strip() for c in re.split(SPLIT, sentence) if c.strip()]


def audit_clauses() -> list[tuple[int, str, str]]:
    """Every clause of L48–L140 as (line, clause, kind): kind is ``rule`` (not a commitment)
    or ``commitment``."""
    lines = report_text().split("\n")
    out = []
    for number in range(FIRST, LAST + 1):
        line = lines[number - 1].strip()
        if not line:
            continue
        sentences = [s for s in re.split(r"(?<=[。！？])", line) if s.strip()]
        for index, sentence in enumerate(sentences):
            clauses = _clauses(sentence)
            if number in PREAMBLE and not (number == 52 and index == 0 and len(clauses) > 1):
                rule = number != 52 or clauses == ["预期目标是"]
            elif number in PART_HEADINGS:
                rule = True
            elif line.startswith("（"):
                rule = index == 0 or number <= SECTION_TWO_END
            else:
                rule = index == 0 and len(clauses) == 1 and sentence.rstrip().endswith("。")
            if number == 52 and index == 0:  # 预期目标是：…；…。 is one sentence
                for clause in clauses:
                    out.append((number, clause, "rule" if clause == "预期目标是" else "commitment"))
                continue
            out.extend((number, clause, "rule" if rule else "commitment") for clause in clauses)
    return out


def _mapped(clause: str, quotes: list[str]) -> bool:
    return any(clause in quote or quote in clause for quote in quotes)


@pytest.fixture(scope="module")
def audit():
    data = loader.read()
    tasks = [row["content"] for row in data.tasks]
    indicators = [row["target_text"] for row in data.indicators]
    rows = []
    for number, clause, kind in audit_clauses():
        if kind == "rule":
            outcome = "rule"
        elif _mapped(clause, tasks):
            outcome = "task"
        elif number == 52 and _mapped(clause, indicators):
            outcome = "indicator"
        elif (number, clause) in EXCLUDED:
            outcome = "excluded"
        else:
            outcome = "missing"
        rows.append((number, clause, outcome))
    return rows


def test_every_commitment_is_loaded_or_excluded_with_a_reason(audit):
    missing = [(number, clause) for number, clause, outcome in audit if outcome == "missing"]
    assert missing == [], "clauses neither loaded nor on the exclusion list"


def test_every_exclusion_names_a_clause_that_no_task_quotes(audit):
    excluded = {(number, clause) for number, clause, outcome in audit if outcome == "excluded"}
    assert set(EXCLUDED) == excluded, "stale exclusions (loaded since, or not in the report)"


def test_the_counts_are_those_in_the_readme(audit):
    """seeds/README.md, "What the tasks cover"."""
    counts = Counter(outcome for _, _, outcome in audit)
    assert dict(counts) == {
        "rule": 125,
        "task": 507,
        "indicator": 5,
        "excluded": 30,
    }
    by_part = Counter(("三" if number > SECTION_TWO_END else "二", o) for number, _, o in audit)
    assert (by_part[("二", "task")], by_part[("二", "excluded")]) == (457, 10)
    assert (by_part[("三", "task")], by_part[("三", "excluded")]) == (50, 20)


def test_every_task_quotes_a_clause_of_part_two_or_three():
    data = loader.read()
    lines = report_text().split("\n")
    scope = "\n".join(lines[FIRST - 1 : LAST])
    assert [row["code"] for row in data.tasks if row["content"] not in scope] == []
