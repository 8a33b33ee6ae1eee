"""Refuse an API request whose declared body is too large before anything reads it."""

from django.conf import settings
from django.http import JsonResponse


class ApiBodyLimitMiddleware:
    """``/api/`` requests with a ``Content-Length`` over ``API_MAX_BODY_BYTES`` → 413 in the
    API's JSON error format (non-file bodies are capped lower still by Django's
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``, answered 413 by the API's exception handler)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.API_MAX_BODY_BYTES
            if request.path.startswith("/api/v1/attachments/"):  # 佐证材料: their own cap
                limit = settings.FILES_MAX_REQUEST_MB * 1024 * 1024
            if length > limit:
                return JsonResponse(
                    {
                        "code": "request_too_large",
                        "message": f"请求体过大，上限 {limit / 1024 / 1024:.1f} MB。",
                    },
                    status=413,
                    json_dumps_params={"ensure_ascii": False},
                )
        return self.get_response(request)
