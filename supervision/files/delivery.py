"""Sending a stored file: always as an attachment (``Content-Disposition: attachment`` with an
RFC 5987 UTF-8 file name), never rendered in the page, sandboxed if a browser tried.

``FILES_DELIVERY``: ``stream`` (the embedded default: Django streams it in chunks),
``accel`` (nginx serves it: ``X-Accel-Redirect`` to ``FILES_ACCEL_PREFIX`` + the storage
key on the file system, or + the path and query of a short-lived signed URL of the S3 store,
which nginx's internal ``/protected-files/`` location proxies to MinIO: see
``deploy/nginx/default.conf``) or ``redirect`` (a signed URL of the S3 store valid ``FILES_SIGNED_URL_SECONDS``).
"""

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
}


def send_file(fieldfile, *, filename: str, content_type: str):
    disposition = content_disposition_header(True, filename)
    mode = settings.FILES_DELIVERY
    if mode == "redirect":
        response = HttpResponseRedirect(
            fieldfile.storage.url(
                fieldfile.name,
                parameters={
                    "ResponseContentDisposition": disposition,
                    "ResponseContentType": content_type,
                },
            )
        )
    elif mode == "accel":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = _accel_target(fieldfile, content_type)
        response["Content-Disposition"] = disposition
    else:
        response = FileResponse(
            fieldfile.storage.open(fieldfile.name, "rb"),
            content_type=content_type,
            as_attachment=True,
            filename=filename,
        )
    for header, value in SAFE_HEADERS.items():
        response[header] = value
    return response


def _accel_target(fieldfile, content_type: str) -> str:
    if not getattr(fieldfile.storage, "querystring_auth", False):  # the file system
        return settings.FILES_ACCEL_PREFIX + quote(fieldfile.name)
    signed = urlsplit(
        fieldfile.storage.url(fieldfile.name, parameters={"ResponseContentType": content_type})
    )
    return settings.FILES_ACCEL_PREFIX + signed.path.lstrip("/") + "?" + signed.query


def send_bytes(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A generated file (e.g. the 督办单 PDF), sent the same way."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    for header, value in SAFE_HEADERS.items():
        response[header] = value
    return response
