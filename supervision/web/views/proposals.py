"""建议提案办理“四率” per 主办 unit and overall, and the 建议提案办理台账 (Excel) with the
same filters (``supervision.kinds.stats``: counted in the database)."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render

from core import clock
from supervision.excel.exports import XLSX
from supervision.excel.proposals import export_proposal_ledger
from supervision.kinds.stats import proposal_stats
from supervision.web.kind_forms import ProposalStatsForm

RATES = (
    ("on_time_rate", "按时办结率", "按时销号 ÷ 应办结（已销号或已过时限）"),
    ("meeting_rate", "见面沟通率", "已见面沟通 ÷ 已答复"),
    ("satisfaction_rate", "满意率", "满意和基本满意 ÷ 已测评"),
    ("resolution_rate", "解决率", "A 类答复 ÷ 已答复"),
)


def _filters(request):
    form = ProposalStatsForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, {k: v for k, v in form.cleaned_data.items() if v}
    return form, {}


@login_required
def proposal_stats_page(request):
    today = clock.today()
    form, filters = _filters(request)
    result = proposal_stats(today=today, **filters)
    query = request.GET.urlencode() if filters else ""
    context = {
        "form": form,
        "overall": result["overall"],
        "rows": result["by_department"],
        "rates": [(label, hint, getattr(result["overall"], key)) for key, label, hint in RATES],
        "query": query,
        "today": today,
    }
    status = 400 if form.errors else 200
    return render(request, "web/kinds/proposal_stats.html", context, status=status)


@login_required
def proposal_ledger(request):
    """建议提案办理台账 (.xlsx) for the page's filters."""
    today = clock.today()
    _, filters = _filters(request)
    out = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 — FileResponse closes it
    export_proposal_ledger(today=today, out=out, **filters)
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=f"建议提案办理台账-{today}.xlsx", content_type=XLSX
    )
