"""drf-spectacular's settings (``SPECTACULAR_SETTINGS``): the OpenAPI document's title and
description, the Swagger UI served from the sidecar (no CDN), and the enum names clients see.
Plain data, imported by ``config.settings``."""

SCHEMA_SETTINGS = {
    "TITLE": "武隆督办 API",
    "DESCRIPTION": (
        "Wulong District supervision system, REST API v1 (contract: docs/API.md). "
        "Errors are `{code, message, errors?}`; GET of one object returns an `ETag` that "
        "PATCH takes back as `If-Match` (412 when stale); a POST with `Idempotency-Key` "
        "is answered once and replayed after."
    ),
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies leave out read-only fields (TaskRequest vs Task), so clients and
    # fuzzers generate only what the API accepts.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "supervision.choices.TaskStatus",
        "ExtensionStatusEnum": "supervision.choices.ExtensionStatus",
        "DepartmentKindEnum": "accounts.choices.DepartmentKind",
        "ReminderKindEnum": "supervision.choices.ReminderKind",
        "LevelEnum": "supervision.choices.ReminderLevel",
        "ProjectLevelEnum": "projects.choices.Level",
        "ComparisonEnum": "supervision.choices.Comparison",
        "TaskAssumedFieldEnum": "supervision.loop.models.TASK_ASSUMABLE",
        "IndicatorAssumedFieldEnum": "supervision.loop.indicators.INDICATOR_ASSUMABLE",
        "ProjectAssumedFieldEnum": "projects.models.PROJECT_ASSUMABLE",
        "MilestoneAssumedFieldEnum": "projects.models.MILESTONE_ASSUMABLE",
        "InterventionTypeEnum": "supervision.scorecards.choices.InterventionType",
        "TypeEnum": "supervision.files.choices.DocumentType",
    },
}
