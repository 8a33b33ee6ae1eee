"""晾晒: the office publishes a finished quarter; its report cards and ranking are frozen."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import audit
from accounts.models import User
from core import clock
from core.errors import DomainError, NotPermitted
from supervision.scorecards.cards import compute_report_cards, encode
from supervision.scorecards.models import RankingSnapshot
from supervision.scorecards.periods import parse_period
from supervision.scorecards.rankings.ranking import compute_scorecards
from supervision.scorecards.rules import lock_rules


def can_publish(user) -> bool:
    return bool(user and user.is_active and user.is_supervisor)


def is_published(period: str) -> bool:
    return RankingSnapshot.objects.filter(period=period).exists()


def publish_quarter(*, period: str, actor: User) -> RankingSnapshot:
    """Freeze a finished quarter's report cards and ranking, computed afresh now. Once.

    ``NotPermitted`` (403) for anyone but the office; Django ``ValidationError`` on
    ``period`` (400) for a malformed period or a quarter not yet over (publishing it early
    would freeze half a quarter for good); ``DomainError`` (409) when already published.
    """
    if not can_publish(actor):
        raise NotPermitted("只有督查办可以发布（晾晒）。")
    try:
        quarter = parse_period(period)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc
    now = clock.now()
    today = clock.localdate(now)
    if today <= quarter.end:
        raise ValidationError(
            {"period": f"{quarter.label} 尚未结束（季度末为 {quarter.end:%Y-%m-%d}），不能发布。"}
        )
    already = f"{quarter.label} 已发布（晾晒），不能重复发布。"
    if is_published(quarter.label):
        raise DomainError(already)
    evaluation = quarter.evaluation_date(today)
    try:
        with transaction.atomic():
            # Adjustments lock their card's rule too: none slips in between reading and freezing.
            lock_rules()
            cards = compute_report_cards(quarter=quarter, evaluation=evaluation, finished=True)
            rows = compute_scorecards(quarter=quarter, today=today, cards=cards["rows"])
            snapshot = RankingSnapshot.objects.create(
                period=quarter.label,
                as_of=evaluation,
                rows=encode(rows),
                report_cards=encode(cards["rows"]),
                rules=encode(cards["rules"]),
                published_at=now,
                published_by=actor,
            )
            audit.record(
                actor=actor,
                action="publish",
                instance=snapshot,
                after={"period": snapshot.period, "as_of": snapshot.as_of.isoformat()},
            )
            return snapshot
    except IntegrityError as exc:  # a concurrent publication of the same quarter won
        raise DomainError(already) from exc


publish_ranking = publish_quarter  # the rankings/publish/ name
