from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path

from supervision.web.forms import LoginForm
from supervision.web.views import (
    account,
    dashboard,
    files,
    homes,
    inbox,
    kind_ops,
    kinds,
    nodes,
    phases,
    projects,
    proposals,
    reports,
    search,
    tasks,
    units,
)
from supervision.web.views import scorecards as cards

app_name = "web"

urlpatterns = [
    path("favicon.ico", lambda request: redirect(static("web/favicon.ico")), name="favicon"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("password/", account.PasswordChange.as_view(), name="password-change"),
    path("", homes.home, name="dashboard"),  # each role's home (the office: the district)
    path("district/", dashboard.dashboard, name="district"),
    path("search/", search.search, name="search"),
    path("unit/", homes.my_unit, name="my-unit"),
    path("unit/<int:pk>/", homes.unit_home, name="unit-home"),
    path("leader/<int:pk>/", homes.leader_home, name="leader-home"),
    path("rankings/", dashboard.rankings, name="rankings"),
    path("notices/", reports.notices, name="notices"),
    path("indicators/", reports.indicators, name="indicators"),
    path("indicators/<int:pk>/", phases.indicator_detail, name="indicator-detail"),
    path("projects/", projects.project_index, name="projects"),
    path("projects/<int:pk>/", projects.project_detail, name="project-detail"),
    path("projects/<int:pk>/investment/", projects.project_invest, name="project-invest"),
    path(
        "projects/<int:pk>/investment/correct/",
        projects.project_invest_correct,
        name="project-invest-correct",
    ),
    path("projects/<int:pk>/plan/", projects.project_plan, name="project-plan"),
    path(
        "projects/<int:pk>/milestones/complete/",
        projects.project_milestone_complete,
        name="project-milestone-complete",
    ),
    path("milestones/<int:pk>/", projects.milestone_redirect, name="milestone"),
    path("tasks/", tasks.task_index, name="tasks"),
    # kinds of 督办件 (before ``tasks/<pk>/<action>/``)
    path("tasks/new/", kinds.task_new, name="task-new"),
    path("tasks/new/<slug:source>/", kinds.task_create, name="task-create"),
    path("tasks/assign/", kind_ops.tasks_assign, name="tasks-assign"),
    path("tasks/import/", kind_ops.task_import, name="task-import"),
    path("tasks/<int:pk>/edit/", kinds.task_edit, name="task-edit"),
    path("tasks/<int:pk>/instruct/", kind_ops.task_instruct, name="task-instruct"),
    path("tasks/<int:pk>/reply/", kind_ops.task_reply, name="task-reply"),
    path("tasks/<int:pk>/satisfaction/", kind_ops.task_satisfaction, name="task-satisfaction"),
    path("meetings/new/", kinds.meeting_new, name="meeting-new"),
    path("kinds/policies/", kind_ops.policy_index, name="kind-policies"),
    path("kinds/policies/<slug:source>/", kind_ops.policy_edit, name="kind-policy-edit"),
    path("proposals/", proposals.proposal_stats_page, name="proposal-stats"),
    path("proposals/ledger.xlsx", proposals.proposal_ledger, name="proposal-ledger"),
    path("projects/<int:pk>/instruct/", kind_ops.project_instruct, name="project-instruct"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task-detail"),
    path("tasks/<int:pk>/sheet.pdf", files.task_sheet, name="task-sheet"),
    path("tasks/<int:pk>/phase/<slug:action>/", phases.task_phase_action, name="task-phase"),
    path("tasks/<int:pk>/node/<slug:action>/", nodes.task_node_action, name="task-node"),
    path("tasks/<int:pk>/<slug:action>/", tasks.task_action, name="task-action"),
    path("report-cards/", cards.report_card_index, name="report-cards"),
    path("report-cards/publish/", cards.report_card_publish, name="report-cards-publish"),
    path("problems/", cards.problem_index, name="problems"),
    path(
        "problems/<int:pk>/follow-up/",
        cards.problem_follow_up_create,
        name="problem-follow-up",
    ),
    path("units/<int:pk>/", cards.unit_profile, name="unit-profile"),
    path("units/<int:pk>/interventions/", cards.unit_intervention, name="unit-intervention"),
    path("units/<int:pk>/urge-overdue/", units.unit_urge_overdue, name="unit-urge-overdue"),
    path("uploads/", files.upload, name="upload"),
    path("uploads/<int:pk>/delete/", files.upload_delete, name="upload-delete"),
    path("documents/", files.document_index, name="documents"),
    path("documents/generate/", files.document_generate, name="document-generate"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/reminders/<int:pk>/acknowledge/", inbox.reminder_ack, name="reminder-ack"),
    path("messages/", inbox.message_index, name="messages"),
    path("messages/read-all/", inbox.message_read_all, name="messages-read-all"),
    path("messages/settings/", inbox.message_settings, name="message-settings"),
    path("messages/<int:pk>/read/", inbox.message_read, name="message-read"),
]
