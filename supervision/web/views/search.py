"""全局搜索: the header's box, one page of grouped results (``search/?q=``)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from core import clock
from supervision.search import GROUPS, search_all


@login_required
def search(request):
    q = request.GET.get("q", "")
    today = clock.today()
    context = {"q": q, "today": today, "groups": [], "error": ""}
    status = 200
    if q.strip():
        try:
            found = search_all(q, today=today)
        except ValidationError as exc:
            context["error"], status = "；".join(exc.messages), 400
        else:
            lists = {"projects": reverse("web:projects")}
            sources = {"problems": "&source=problem", "proposals": ""}
            context["groups"] = [
                {
                    "key": key,
                    "label": label,
                    **found[key],
                    "link": f"{lists.get(key, reverse('web:tasks'))}?{urlencode({'q': q.strip()})}"
                    f"{sources.get(key, '')}",
                }
                for key, label in GROUPS.items()
            ]
            context["total"] = sum(group["count"] for group in context["groups"])
    return render(request, "web/search.html", context, status=status)
