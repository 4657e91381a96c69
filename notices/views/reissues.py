"""补（换）发: the holder's request, the city's review (claim, decide), the yearly summary."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.services.documents import render_pdf
from notices.enums import ReissueFileKind, ReissueKind
from notices.models import ReissueFile, ReissueRequest
from notices.services.reissues import (
    reissue_claim,
    reissue_decide,
    reissue_queue,
    reissue_refusal,
    reissue_submit,
    reissue_summary,
    required_files,
)
from reviews.permissions import reviewer_city_id
from verification_portal.shared.files import stored_file_response

from ._common import XLSX, _admin_only
from .certificates import _holders_certificate


@login_required
def reissue_request(request, pk: int):
    certificate = _holders_certificate(request, pk)
    refusal = reissue_refusal(certificate)
    errors = []
    if request.method == "POST" and not refusal:
        kind = request.POST.get("kind", "")
        if kind not in ReissueKind.values:
            errors = [_("请选择补（换）发的类型。")]
        else:
            files = {file_kind: request.FILES.getlist(file_kind) for file_kind in ReissueFileKind.values}
            try:
                reissue_submit(
                    certificate=certificate,
                    user=request.user,
                    kind=kind,
                    reason=request.POST.get("reason", ""),
                    files=files,
                )
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, _("补（换）发申请已提交，审核结果会通知您。"))
                return redirect("candidates:application", pk=certificate.application_id)
    return render(
        request,
        "notices/reissue_request.html",
        {
            "certificate": certificate,
            "refusal": refusal,
            "errors": errors,
            "kinds": ReissueKind.choices,
            "files": [
                (kind, ReissueFileKind(kind).label, count)
                for kind, count in required_files(ReissueKind.LOST)[1:]
            ],
        },
    )


@login_required
@require_GET
def reissue_form_pdf(request, pk: int):
    """补（换）发登记表, pre-filled from the certificate, to print, sign and scan."""
    certificate = _holders_certificate(request, pk)
    pdf = render_pdf(
        "notices/pdf/reissue_form.html", {"certificate": certificate, "today": timezone.localdate()}
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''reissue-form.pdf"
    return response


def _reviewer(request) -> None:
    if reviewer_city_id(request.user) is None:
        raise Http404


@login_required
def reissue_queue_view(request):
    _reviewer(request)
    return render(request, "notices/reissue_queue.html", {"requests": reissue_queue(user=request.user)})


@login_required
def reissue_review(request, pk: int):
    _reviewer(request)
    item = get_object_or_404(ReissueRequest.objects.select_related("certificate__round"), pk=pk)
    if reviewer_city_id(request.user) != item.certificate.round.city_id:
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("action") == "claim":
                reissue_claim(request=item, user=request.user)
            else:
                reissue_decide(
                    request=item,
                    user=request.user,
                    approve=request.POST.get("approve") == "1",
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("已处理。"))
                return redirect("notices:reissue_queue")
        except (ValidationError, PermissionDenied) as error:
            for message in getattr(error, "messages", [_("无权操作。")]):
                messages.error(request, message)
        return redirect("notices:reissue_review", pk=pk)
    holds = (
        item.claimed_by_id == request.user.pk and item.claimed_until and item.claimed_until > timezone.now()
    )
    return render(request, "notices/reissue_review.html", {"item": item, "holds": holds})


@login_required
@require_GET
def reissue_file(request, pk: int):
    _reviewer(request)
    stored = get_object_or_404(ReissueFile.objects.select_related("request__certificate__round"), pk=pk)
    if reviewer_city_id(request.user) != stored.request.certificate.round.city_id:
        raise Http404
    return stored_file_response(
        stored.file, filename=stored.original_name, content_type=stored.content_type, inline=True
    )


@login_required
@require_POST
def reissue_summary_view(request):
    _admin_only(request)
    try:
        year = int(request.POST.get("year", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    response = HttpResponse(reissue_summary(year=year), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''reissues-{year}.xlsx"
    return response
