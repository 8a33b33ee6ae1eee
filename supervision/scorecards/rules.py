"""评分规则: the default weights, the rules in force, and the office's edits.

Documented defaults (DESIGN.md, "Report cards"; the office edits them in the cockpit or
through ``scoring-rules/``). Weights are relative: a card's score is the weighted mean of
the components that can be judged, so they need not add up to 100.

=====================  ======  =====================================================
component              weight  why
=====================  ======  =====================================================
indicators 指标序时达标     30  the report's expected targets are what a card reports
nodes 节点按期完成          25  phased targets keep year-long work supervised each quarter
closure 到期事项按期办结    25  work that fell due in the quarter, closed in time
problems 问题清零           20  the card's problem list (八张问题清单) rectified
investment 投资序时进度      0  only on 经济 (20): projects are not tagged with a card
=====================  ======  =====================================================

Every card weighs 1 in the total (the eight cards count alike).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import audit
from accounts.models import User
from core.errors import NotPermitted
from supervision.choices import Domain
from supervision.scorecards.models import WEIGHT_MAX, ScoringRule

BASE_WEIGHTS = {
    "card_weight": 1,
    "indicators_weight": 30,
    "nodes_weight": 25,
    "closure_weight": 25,
    "problems_weight": 20,
    "investment_weight": 0,
}
DEFAULT_NOTE = "默认规则：指标30、节点25、到期事项25、问题清零20；报表权重1。"
DEFAULTS = {domain: dict(BASE_WEIGHTS, note=DEFAULT_NOTE) for domain in Domain.values}
DEFAULTS[Domain.ECONOMY] = dict(
    BASE_WEIGHTS,
    investment_weight=20,
    note="默认规则：指标30、节点25、到期事项25、问题清零20、投资序时进度20；报表权重1。",
)
EDITABLE = ("card_weight", *ScoringRule.COMPONENT_FIELDS, "note")


def default_rule(domain: str) -> ScoringRule:
    return ScoringRule(domain=domain, **DEFAULTS[domain])


def current_rules() -> dict[str, ScoringRule]:
    """The rule of every card (one query): the saved row, or the default where none is saved."""
    saved = {rule.domain: rule for rule in ScoringRule.objects.all()}
    return {domain: saved.get(domain) or default_rule(domain) for domain in Domain.values}


def rules_data(rules: dict[str, ScoringRule]) -> list[dict]:
    """The rules as plain data (stored with a published quarter, shown on its page)."""
    return [
        {"domain": domain, **{field: getattr(rule, field) for field in EDITABLE}}
        for domain, rule in rules.items()
    ]


def ensure_default_rules(**kwargs) -> None:
    """Save the default rule of every card that has none (``post_migrate``; idempotent)."""
    ScoringRule.objects.bulk_create(
        [default_rule(domain) for domain in Domain.values], ignore_conflicts=True
    )


def lock_rules(domains=None) -> None:
    """``SELECT … FOR UPDATE`` the saved rules (of ``domains``, default all): publishing a
    quarter and entering an adjustment serialise on them."""
    rules = ScoringRule.objects.select_for_update().order_by("pk")
    if domains is not None:
        rules = rules.filter(domain__in=domains)
    list(rules.values_list("pk"))


def can_edit_rules(user) -> bool:
    return bool(user and user.is_active and user.is_supervisor)


@transaction.atomic
def scoring_rule_update(*, actor: User, rule: ScoringRule, **changes) -> ScoringRule:
    """The office changes a card's weights or note. A published quarter keeps the rules it
    was scored with (they are stored in its snapshot)."""
    if not can_edit_rules(actor):
        raise NotPermitted("只有督查办可以修改评分规则。")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: "不能修改该字段。" for name in sorted(unknown)})
    errors = {
        name: f"权重须为 0–{WEIGHT_MAX} 的整数。"
        for name, value in changes.items()
        if name != "note"
        and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= WEIGHT_MAX)
    }
    if errors:
        raise ValidationError(errors)
    rule = ScoringRule.objects.select_for_update().get(pk=rule.pk)
    before = audit.snapshot(rule)
    for name, value in changes.items():
        setattr(rule, name, value)
    if not any(getattr(rule, name) for name in ScoringRule.COMPONENT_FIELDS):
        raise ValidationError({"non_field_errors": "至少一项评分内容的权重须大于 0。"})
    rule.updated_by = actor
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:  # a constraint the checks above did not foresee
        raise ValidationError({"non_field_errors": "评分规则不合法。"}) from exc
    audit.record(
        actor=actor, action="update", instance=rule, before=before, after=audit.snapshot(rule)
    )
    return rule
