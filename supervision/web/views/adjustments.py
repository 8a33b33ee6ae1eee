"""八张报表: the office's 加分/扣分 (list, enter, 冲销 by an opposite entry) and 评分规则
(list, edit). The services are the API's (``supervision.scorecards.adjustments``/``rules``);
an entry is append-only, so a wrong one is cancelled by a second with the opposite points."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Department
from core import clock
from supervision.choices import Domain
from supervision.scorecards.adjustments import score_adjustment_create
from supervision.scorecards.models import WEIGHT_MAX, ScoreAdjustment, ScoringRule
from supervision.scorecards.periods import period_of
from supervision.scorecards.rules import EDITABLE, ensure_default_rules, scoring_rule_update
from supervision.web.forms import TEXTAREA, CockpitForm
from supervision.web.views.common import Refusal, attempt, paginate
from supervision.web.views.kinds import forbid_unless_supervisor, refused_page

COUNTER_PREFIX = "冲销第 {pk} 号登记"
COUNTER_RE = re.compile(r"^冲销第 (\d+) 号登记")


def _units():
    return Department.objects.filter(is_active=True).order_by("code")


class AdjustmentForm(CockpitForm):
    department = forms.ModelChoiceField(label="单位", queryset=_units())
    period = forms.CharField(label="季度", max_length=6, help_text="如 2024Q2")
    domain = forms.ChoiceField(label="报表", choices=Domain.choices)
    points = forms.DecimalField(
        label="分值", max_digits=5, decimal_places=2, help_text="正数加分，负数扣分"
    )
    reason = forms.CharField(label="理由", max_length=2000, widget=TEXTAREA)


class AdjustmentFilterForm(CockpitForm):
    period = forms.CharField(label="季度", max_length=6, required=False)
    domain = forms.ChoiceField(
        label="报表", choices=[("", "全部"), *Domain.choices], required=False
    )
    department = forms.ModelChoiceField(
        label="单位", queryset=_units(), required=False, empty_label="全部"
    )


class CounterForm(CockpitForm):
    note = forms.CharField(label="冲销说明", max_length=500, required=False)


def _adjustments_page(request, form: AdjustmentForm, status: int = 200, refusal=None):
    filters = AdjustmentFilterForm(request.GET or None)
    rows = ScoreAdjustment.objects.select_related("department", "created_by").order_by(
        "-created_at", "-id"
    )
    if filters.is_bound and filters.is_valid():
        rows = rows.filter(**{k: v for k, v in filters.cleaned_data.items() if v})
    elif filters.is_bound:
        status = max(status, 400)
    page = paginate(request, rows)
    countered = {
        int(match[1])
        for reason in ScoreAdjustment.objects.filter(reason__startswith="冲销第 ").values_list(
            "reason", flat=True
        )
        if (match := COUNTER_RE.match(reason))
    }
    for row in page:
        row.countered = row.pk in countered
        row.is_counter = bool(COUNTER_RE.match(row.reason))
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "refusal": refusal,
        "query": request.GET.urlencode(),
    }
    return render(request, "web/scorecards/adjustments.html", context, status=status)


@login_required
def adjustment_index(request):
    """加分/扣分: the entries (newest first, by quarter/card/unit) and the form to enter one."""
    refusal = forbid_unless_supervisor(request, "登记加分、扣分")
    if refusal:
        return refused_page(request, refusal)
    if request.method != "POST":
        form = AdjustmentForm(initial={"period": period_of(clock.today())})
        return _adjustments_page(request, form)
    form = AdjustmentForm(request.POST)
    if not form.is_valid():
        return _adjustments_page(request, form, 400)
    created, refusal = attempt(
        lambda: score_adjustment_create(actor=request.user, **form.cleaned_data), form=form
    )
    if refusal is not None:
        return _adjustments_page(request, form, refusal.status, refusal)
    kind = "加分" if created.points > 0 else "扣分"
    messages.success(
        request,
        f"已登记{kind}：{created.department} {created.period} "
        f"{created.get_domain_display()} {created.points:+} 分。",
    )
    return redirect("web:report-card-adjustments")


@login_required
@require_POST
def adjustment_counter(request, pk: int):
    """冲销: enter the opposite points on the same unit, quarter and card (the entry itself
    stays, as the API keeps entries append-only)."""
    refusal = forbid_unless_supervisor(request, "冲销加分、扣分")
    if refusal:
        return refused_page(request, refusal)
    if not ScoreAdjustment.objects.filter(pk=pk).exists():
        raise Http404("该加减分登记不存在。")
    back = reverse("web:report-card-adjustments")
    form = CounterForm(request.POST)
    prefix = COUNTER_PREFIX.format(pk=pk)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    with transaction.atomic():
        # The check and the counter entry under the entry's row lock: a double click (two
        # requests at once) writes one counter entry, not two.
        original = (
            ScoreAdjustment.objects.select_for_update(of=("self",))
            .select_related("department")
            .get(pk=pk)
        )
        if ScoreAdjustment.objects.filter(reason__startswith=prefix).exists():
            messages.error(request, f"第 {pk} 号登记已冲销，不能重复冲销。")
            return redirect(back)
        note = form.cleaned_data["note"]
        reason = f"{prefix}（原理由：{original.reason}）" + (f"；{note}" if note else "")
        created, refusal = attempt(
            lambda: score_adjustment_create(
                actor=request.user,
                department=original.department,
                period=original.period,
                domain=original.domain,
                points=-original.points,
                reason=reason,
            )
        )
    if refusal is not None:
        messages.error(request, f"未能冲销：{refusal.message}")
    else:
        messages.success(
            request,
            f"已冲销第 {pk} 号登记：{original.department} {original.period} "
            f"{original.get_domain_display()} 登记 {created.points:+} 分。",
        )
    return redirect(back)


# --- 评分规则 -----------------------------------------------------------------------------


class RuleForm(CockpitForm):
    card_weight = forms.IntegerField(label="报表权重（总分中）", min_value=0, max_value=WEIGHT_MAX)
    indicators_weight = forms.IntegerField(label="指标序时达标", min_value=0, max_value=WEIGHT_MAX)
    nodes_weight = forms.IntegerField(label="节点按期完成", min_value=0, max_value=WEIGHT_MAX)
    closure_weight = forms.IntegerField(label="到期事项按期办结", min_value=0, max_value=WEIGHT_MAX)
    problems_weight = forms.IntegerField(label="问题清零", min_value=0, max_value=WEIGHT_MAX)
    investment_weight = forms.IntegerField(label="投资序时进度", min_value=0, max_value=WEIGHT_MAX)
    note = forms.CharField(label="说明", max_length=2000, required=False, widget=TEXTAREA)


def _rules() -> list[ScoringRule]:
    rules = list(ScoringRule.objects.select_related("updated_by"))
    if len(rules) < len(Domain.values):  # a fresh database: save the defaults first
        ensure_default_rules()
        rules = list(ScoringRule.objects.select_related("updated_by"))
    order = {domain: n for n, domain in enumerate(Domain.values)}
    return sorted(rules, key=lambda rule: order.get(rule.domain, len(order)))


@login_required
def rule_index(request):
    """评分规则: every card's weights and note, each with its edit link."""
    refusal = forbid_unless_supervisor(request, "修改评分规则")
    if refusal:
        return refused_page(request, refusal)
    return render(request, "web/scorecards/rules.html", {"rules": _rules()})


@login_required
def rule_edit(request, domain: str):
    refusal = forbid_unless_supervisor(request, "修改评分规则")
    if refusal:
        return refused_page(request, refusal)
    if domain not in Domain.values:
        raise Http404("没有这张报表。")
    _rules()
    rule = ScoringRule.objects.get(domain=domain)
    label = Domain(domain).label
    if request.method != "POST":
        form = RuleForm(initial={name: getattr(rule, name) for name in EDITABLE})
        return _rule_page(request, rule, label, form)
    form = RuleForm(request.POST)
    if not form.is_valid():
        return _rule_page(request, rule, label, form, 400)
    changed = {
        name: value for name, value in form.cleaned_data.items() if value != getattr(rule, name)
    }
    if not changed:
        messages.info(request, f"{label}报表的评分规则没有改动。")
        return redirect("web:report-card-rules")
    text = "；".join(
        f"{form.fields[name].label} {getattr(rule, name) if name != 'note' else '（已改）'}"
        + (f" → {value}" if name != "note" else "")
        for name, value in changed.items()
    )
    _, refusal = attempt(
        lambda: scoring_rule_update(actor=request.user, rule=rule, **changed), form=form
    )
    if refusal is not None:
        return _rule_page(request, rule, label, form, refusal.status, refusal)
    messages.success(request, f"已修改{label}报表的评分规则：{text}。已发布的季度不受影响。")
    return redirect("web:report-card-rules")


def _rule_page(request, rule, label, form, status=200, refusal: Refusal | None = None):
    context = {"rule": rule, "label": label, "form": form, "refusal": refusal}
    return render(request, "web/scorecards/rule_edit.html", context, status=status)
