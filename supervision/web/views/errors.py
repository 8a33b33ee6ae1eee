"""Chinese error pages (400, 403, 404, 500) for the cockpit; the API's JSON error shape
(``{"code", "message"}``) for paths under ``/api/``.

Rendered without the request's context processors for 500 (the error may come from them),
with a link home and, for 403 and 404, the view's own message when it gave one in Chinese.
"""

from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

ERRORS = {
    400: ("bad_request", "请求有误", "请求的内容无法处理，请返回上一页检查后重试。"),
    403: (
        "permission_denied",
        "无权访问",
        "您没有访问该页面或执行该操作的权限；如需权限，请联系督查办。",
    ),
    404: (
        "not_found",
        "页面不存在",
        "您访问的页面不存在或已被删除，请检查地址，或从首页重新进入。",
    ),
    500: (
        "server_error",
        "系统出错了",
        "服务器处理请求时出错，错误已记录。请稍后重试；反复出现请联系督查办。",
    ),
}


def _own_message(exception) -> str:
    """The view's message (``Http404("督办事项不存在。")``), not the resolver's internals."""
    if exception is None or not exception.args:
        return ""
    message = exception.args[0]
    return message if isinstance(message, str) and not message.isascii() else ""


def _respond(request, status: int, exception=None) -> HttpResponse:
    code, title, text = ERRORS[status]
    detail = _own_message(exception)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": code, "message": detail or f"{title}。"},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    context = {"status": status, "title": title, "text": text, "detail": detail}
    body = loader.get_template("web/error.html").render(context)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _respond(request, 400, exception)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _respond(request, 403, exception)


@requires_csrf_token
def not_found(request, exception=None):
    return _respond(request, 404, exception if isinstance(exception, Http404) else None)


@requires_csrf_token
def server_error(request):
    return _respond(request, 500)


def csrf_failure(request, reason=""):
    """A form posted from a page left open too long (or without its cookie): say what to do."""
    context = {
        "status": 403,
        "title": "页面已过期",
        "text": "表单校验失败（页面打开时间过长或浏览器禁用了 Cookie）。请刷新页面后重新提交。",
        "detail": "",
    }
    return HttpResponse(loader.get_template("web/error.html").render(context), status=403)
