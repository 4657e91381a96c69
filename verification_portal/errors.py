"""The portal's own error answers: Chinese, with the way back, JSON for the upload script.

They render a standalone template without context processors, so an error page never needs
the database (the 500 page must work when the database is what failed)."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


class NulByteInRequest(Exception):
    """A NUL byte in a query or form value."""


API_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 500: "server_error"}


def _answer(request, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):  # the API's one error shape (notices.api)
        return JsonResponse(
            {"error": {"code": API_CODES.get(status, "error"), "message": message, "details": None}},
            status=status,
        )
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": False, "errors": [message]}, status=status)
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    html = render_to_string(
        "errors/error.html", {"status": status, "title": title, "message": message, "back": back}
    )
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    from django.conf import settings

    if isinstance(exception, NulByteInRequest):
        message = _("提交的内容中含有无效字符（空字符），未保存任何内容。请删除后重新输入。")
    elif isinstance(exception, TooManyFilesSent):
        message = _("一次最多上传 {count} 个文件，请分几次上传。已上传的文件不受影响。").format(
            count=settings.DATA_UPLOAD_MAX_NUMBER_FILES
        )
    elif isinstance(exception, TooManyFieldsSent):
        message = _("提交的内容项目过多（超过 {count} 项），未保存。请返回重新填写后提交。").format(
            count=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        )
    elif isinstance(exception, RequestDataTooBig):
        message = _("提交的内容过大，未保存。文件请用上传按钮上传。")
    else:
        message = _("请求无法处理（内容不完整或含有无效字符），未保存任何内容。请返回后重试。")
    return _answer(request, 400, _("请求有误"), message)


def permission_denied(request, exception=None):
    return _answer(request, 403, _("无权访问"), _("您没有权限进行此操作。如需帮助，请联系所在市州人社局。"))


def page_not_found(request, exception=None):
    return _answer(
        request, 404, _("页面不存在"), _("页面不存在，或您没有权限查看。请检查地址，或从首页重新进入。")
    )


def server_error(request):
    return _answer(
        request,
        500,
        _("系统繁忙"),
        _("系统暂时出错，您的操作可能未完成。请稍后重试；如多次出现，请联系所在市州人社局。"),
    )
