from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api.views import (
    ApiTokenViewSet,
    DepartmentViewSet,
    MeViewSet,
    TokenViewSet,
    UserViewSet,
)
from projects.api.views import InvestmentReportViewSet, MilestoneViewSet, ProjectViewSet
from supervision.api.dashboard import DashboardViewSet, RankingViewSet
from supervision.api.excel import (
    IndicatorExportViewSet,
    ProjectExportViewSet,
    ProposalExportViewSet,
    TaskExportViewSet,
    TaskImportViewSet,
)
from supervision.api.files import (
    AttachmentViewSet,
    DocumentViewSet,
    IgnoreFormatNegotiation,
    TaskSheetViewSet,
)
from supervision.api.interventions import InterventionExportViewSet, InterventionViewSet
from supervision.api.kinds import ProposalViewSet
from supervision.api.nodes import NodeViewSet
from supervision.api.phases import IndicatorValueViewSet, ReassignRequestViewSet
from supervision.api.problems import ProblemViewSet
from supervision.api.reminders import NotificationViewSet, ReminderViewSet, WebhookEndpointViewSet
from supervision.api.scorecards import (
    ReportCardViewSet,
    ScoreAdjustmentViewSet,
    ScoringRuleViewSet,
)
from supervision.api.search import SearchViewSet
from supervision.api.views import ExtensionViewSet, IndicatorViewSet, TaskViewSet

router = DefaultRouter()
router.register("me", MeViewSet, basename="me")
router.register("auth/tokens", ApiTokenViewSet, basename="auth-tokens")
router.register("departments", DepartmentViewSet, basename="department")
router.register("users", UserViewSet, basename="user")
router.register("projects", ProjectViewSet, basename="project")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("investment-reports", InvestmentReportViewSet, basename="investment-report")
router.register("tasks", TaskViewSet, basename="task")
router.register("extensions", ExtensionViewSet, basename="extension")
router.register("nodes", NodeViewSet, basename="node")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("indicators", IndicatorValueViewSet, basename="indicator-value")
router.register("reassign-requests", ReassignRequestViewSet, basename="reassign-request")
router.register("reminders", ReminderViewSet, basename="reminder")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("dashboard", DashboardViewSet, basename="dashboard")
router.register("search", SearchViewSet, basename="search")
router.register("rankings", RankingViewSet, basename="ranking")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("documents", DocumentViewSet, basename="document")
router.register("report-cards", ReportCardViewSet, basename="report-card")
router.register("scoring-rules", ScoringRuleViewSet, basename="scoring-rule")
router.register("score-adjustments", ScoreAdjustmentViewSet, basename="score-adjustment")
router.register("problems", ProblemViewSet, basename="problem")
router.register("interventions", InterventionViewSet, basename="intervention")

# Chinese error pages (the API's JSON shape under /api/): supervision/web/views/errors.py.
handler400 = "supervision.web.views.errors.bad_request"
handler403 = "supervision.web.views.errors.permission_denied"
handler404 = "supervision.web.views.errors.not_found"
handler500 = "supervision.web.views.errors.server_error"

admin.site.site_header = "武隆督办 · 后台管理"
admin.site.site_title = "武隆督办"
admin.site.index_title = "督查办后台"

urlpatterns = [
    path("", include("supervision.web.urls")),  # 督查驾驶舱 (the web cockpit)
    path("admin/", admin.site.urls),
    # Excel ledgers (supervision.api.excel): plain paths, before the router's patterns.
    path(
        "api/v1/exports/tasks.xlsx",
        TaskExportViewSet.as_view({"get": "export"}),
        name="export-tasks",
    ),
    path(
        "api/v1/exports/projects.xlsx",
        ProjectExportViewSet.as_view({"get": "export"}),
        name="export-projects",
    ),
    path(
        "api/v1/exports/indicators.xlsx",
        IndicatorExportViewSet.as_view({"get": "export"}),
        name="export-indicators",
    ),
    path(
        "api/v1/exports/proposals.xlsx",
        ProposalExportViewSet.as_view({"get": "export"}),
        name="export-proposals",
    ),
    path(
        "api/v1/exports/interventions.xlsx",
        InterventionExportViewSet.as_view({"get": "export"}),
        name="export-interventions",
    ),
    path(
        "api/v1/imports/tasks/template.xlsx",
        TaskImportViewSet.as_view({"get": "template"}),
        name="import-tasks-template",
    ),
    path(
        "api/v1/imports/tasks/",
        TaskImportViewSet.as_view({"post": "create"}),
        name="import-tasks",
    ),
    path(
        "api/v1/auth/token/",
        TokenViewSet.as_view({"post": "create", "delete": "revoke"}),
        name="auth-token",
    ),
    path(
        "api/v1/tasks/<str:pk>/sheet/",
        TaskSheetViewSet.as_view(
            {"get": "retrieve"}, content_negotiation_class=IgnoreFormatNegotiation
        ),
        name="task-sheet",
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar; its script is a separate URL (no inline script).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="web/api_docs.html"),
        name="api-docs",
    ),
]
