"""加分/扣分: the office's entries on a unit's card for a quarter, each with its reason."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.models import Department, User
from core import clock
from core.errors import DomainError, NotPermitted
from supervision.choices import Domain
from supervision.scorecards.measures import is_office
from supervision.scorecards.models import ScoreAdjustment
from supervision.scorecards.periods import parse_period
from supervision.scorecards.publish import is_published
from supervision.scorecards.rules import lock_rules

POINTS_LIMIT = Decimal(100)


def can_adjust(user) -> bool:
    return bool(user and user.is_active and user.is_supervisor)


def _points(value) -> Decimal:
    try:
        points = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"points": "分值应为数字。"}) from exc
    if not points.is_finite() or points == 0 or abs(points) > POINTS_LIMIT:
        raise ValidationError({"points": "分值须为 −100 至 100 之间的非零数。"})
    if points != points.quantize(Decimal("0.01")):
        raise ValidationError({"points": "分值最多两位小数。"})
    return points


@transaction.atomic
def score_adjustment_create(
    *,
    actor: User,
    department: Department,
    period: str,
    domain: str,
    points,
    reason: str,
) -> ScoreAdjustment:
    """Enter a 加分 (points > 0) or 扣分 (points < 0) on one card of one unit for a quarter.

    403 for anyone but the office; 400 for a bad period, card, points or a missing reason,
    for the office's own unit or an inactive one; 409 once the quarter is published (晾晒).
    """
    if not can_adjust(actor):
        raise NotPermitted("只有督查办可以登记加分、扣分。")
    try:
        quarter = parse_period(period)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc
    errors = {}
    if domain not in Domain.values:
        errors["domain"] = "报表类别不正确。"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "加分、扣分须写明理由。"
    if quarter.start > clock.today():
        errors["period"] = f"{quarter.label} 尚未开始。"
    if not department.is_active:
        errors["department"] = "该单位已停用。"
    elif is_office(department):
        errors["department"] = "督查办不参加评比，不能加减分。"
    try:
        points = _points(points)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    lock_rules([domain])  # publishing locks them all: no entry slips into a frozen quarter
    if is_published(quarter.label):
        raise DomainError(f"{quarter.label} 已发布（晾晒），不能再加分、扣分。")
    adjustment = ScoreAdjustment.objects.create(
        department=department,
        period=quarter.label,
        domain=domain,
        points=points,
        reason=reason,
        created_by=actor,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor, action="create", instance=adjustment, after=audit.snapshot(adjustment)
    )
    return adjustment
