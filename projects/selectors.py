from config import clock
from projects.models import Project


def project_list(*, today=None):
    """Projects with their derived figures, ready for a list (constant query count)."""
    return Project.objects.with_figures(today or clock.today()).select_related(
        "lead_department", "responsible_leader"
    )
