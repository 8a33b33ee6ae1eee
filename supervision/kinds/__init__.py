"""Kinds of 督办件 (DESIGN.md, "Kinds of 督办件: one engine, many profiles").

A task's ``source`` may carry a one-to-one detail record (批示, 会议议定事项, 建议/提案,
问题整改) and a ``SourcePolicy`` (default time limit, what 申请办结 needs). The loop itself
is the one in ``supervision.loop``: nothing here changes a task's status.
"""
