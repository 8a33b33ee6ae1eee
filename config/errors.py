"""Domain errors shared by every app; the API maps them (``config.api.errors.exception_handler``)."""


class DomainError(Exception):
    """The request conflicts with the current state of the data (HTTP 409)."""

    code = "conflict"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotPermitted(DomainError):
    """The actor may not do this to this object (HTTP 403)."""

    code = "permission_denied"
