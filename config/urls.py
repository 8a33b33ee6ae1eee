from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api.views import DepartmentViewSet, MeViewSet, TokenViewSet, UserViewSet
from projects.api.views import InvestmentReportViewSet, MilestoneViewSet, ProjectViewSet
from supervision.api.reminders import NotificationViewSet, ReminderViewSet, WebhookEndpointViewSet
from supervision.api.views import ExtensionViewSet, IndicatorViewSet, TaskViewSet

router = DefaultRouter()
router.register("me", MeViewSet, basename="me")
router.register("auth/token", TokenViewSet, basename="auth-token")
router.register("departments", DepartmentViewSet, basename="department")
router.register("users", UserViewSet, basename="user")
router.register("projects", ProjectViewSet, basename="project")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("investment-reports", InvestmentReportViewSet, basename="investment-report")
router.register("tasks", TaskViewSet, basename="task")
router.register("extensions", ExtensionViewSet, basename="extension")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("reminders", ReminderViewSet, basename="reminder")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")

admin.site.site_header = "武隆督办 · 后台管理"
admin.site.site_title = "武隆督办"
admin.site.index_title = "督查办后台"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
