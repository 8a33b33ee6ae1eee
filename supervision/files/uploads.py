"""Reading an upload without letting it grow memory or disk past the caps.

``install(request)`` must run before anything reads ``request.POST``/``FILES`` (the CSRF
check does: cockpit views are ``csrf_exempt`` and call ``csrf_protect`` after installing).
Files spool to a temporary file after ``FILE_UPLOAD_MAX_MEMORY_SIZE``; a file past the
per-file cap stops the parse (the rest of the body is read and dropped, nothing is kept)
and the view answers with the clear message ``too_large(request)`` returns.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from supervision.files.services import max_size, too_large_message


class CappedUploadHandler(FileUploadHandler):
    """Runs first in the chain: counts each file's bytes and stops past the cap."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > max_size():
            self.request.upload_refused = too_large_message(self.file_name)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def install(request) -> None:
    """Put the cap first in ``request``'s upload handlers (a Django ``HttpRequest``)."""
    request.upload_refused = None
    if not any(isinstance(h, CappedUploadHandler) for h in request.upload_handlers):
        request.upload_handlers.insert(0, CappedUploadHandler(request))


def body_too_large(request) -> str | None:
    """The whole request's declared size past ``FILES_MAX_REQUEST_MB`` (checked before reading)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > settings.FILES_MAX_REQUEST_MB * 1024 * 1024:
        return f"请求大小超过上限 {settings.FILES_MAX_REQUEST_MB} MB。"
    return None


def too_large(request) -> str | None:
    return getattr(request, "upload_refused", None)
