from accounts.models import User
from core.errors import NotPermitted
from projects.models import Project

# What the lead department's owners may change on their own project (API.md).
OWNER_PROJECT_FIELDS = {"stage", "description"}


def is_project_owner(user: User, project: Project) -> bool:
    return user.is_owner and user.department_id == project.lead_department_id


def require_project_writer(user: User, project: Project) -> None:
    """Supervision office, or an owner of the project's lead department."""
    if not (user.is_supervisor or is_project_owner(user, project)):
        raise NotPermitted("只有督查办或该项目牵头单位可以填报、修改。")


def require_project_fields(user: User, project: Project, fields: set[str]) -> None:
    if user.is_supervisor:
        return
    require_project_writer(user, project)
    extra = fields - OWNER_PROJECT_FIELDS
    if extra:
        raise NotPermitted(
            f"牵头单位只能修改阶段和项目说明，不能修改：{'、'.join(sorted(extra))}。"
        )


def require_project_office(user: User) -> None:
    """Creating or deleting a project is the supervision office's."""
    if not user.is_supervisor:
        raise NotPermitted("只有督查办可以新建或删除重点项目。")
