"""Certificates after the pass: the holder's booking, the administrators' register, mail,
pick-up, custody and hand-over."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.models import VerificationRound
from candidates.regions import cities_of, districts_of
from notices.enums import CertificateStatus
from notices.forms import CertificateCollectForm, MailBookingForm, SpreadsheetForm
from notices.models import Certificate
from notices.services.certificates import (
    certificate_collect,
    certificate_numbers_import,
    certificate_register_request,
    certificates_hand_over,
    custody_ending,
    mail_book,
    mail_booking_cancel,
    mail_bookings_export,
    tracking_numbers_import,
)
from verification_portal.shared.forms import add_service_errors

from ._common import XLSX, _admin_only


def _holders_certificate(request, pk: int) -> Certificate:
    certificate = get_object_or_404(
        Certificate.objects.select_related("application__candidate", "round__city"), pk=pk
    )
    if certificate.application.candidate.user_id != request.user.pk:
        raise Http404
    return certificate


@login_required
def certificate_book(request, pk: int):
    """预约邮寄 by the holder, inside the round's window; after it, where to collect instead."""
    certificate = _holders_certificate(request, pk)
    form = MailBookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mail_book(certificate=certificate, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已预约邮寄，运费到付。寄出后会通知您快递单号。"))
            return redirect("candidates:application", pk=certificate.application_id)
    return render(request, "notices/certificate_book.html", {"certificate": certificate, "form": form})


@login_required
@require_POST
def certificate_booking_cancel(request, pk: int):
    certificate = _holders_certificate(request, pk)
    try:
        mail_booking_cancel(certificate=certificate, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.info(request, _("已取消邮寄预约。"))
    return redirect("candidates:application", pk=certificate.application_id)


@require_GET
def regions(request):
    """The region pickers' lists: the cities of a province, or the districts of a city."""
    province, city = request.GET.get("province", ""), request.GET.get("city", "")
    return JsonResponse({"items": districts_of(province, city) if city else cities_of(province)})


@login_required
def round_certificates(request, pk: int):
    """A round's certificates for administrators: counts, the mail run, imports, registers."""
    _admin_only(request)
    round_ = get_object_or_404(VerificationRound.objects.select_related("city"), pk=pk)
    if request.method == "POST":
        _round_action(request, round_)
        return redirect("notices:round_certificates", pk=pk)
    certificates = Certificate.objects.filter(round=round_)
    counts = {status: 0 for status in CertificateStatus}
    for status in certificates.values_list("status", flat=True):
        counts[status] += 1
    query = request.GET.get("q", "").strip()[:40]
    listed = certificates.order_by("number", "pk")
    if query:
        listed = (
            listed.filter(holder_name=query)
            | listed.filter(holder_id_number=query.upper())
            | listed.filter(number=query)
        )
    return render(
        request,
        "notices/manage/certificates.html",
        {
            "round": round_,
            "counts": [(CertificateStatus(s).label, n) for s, n in counts.items()],
            "certificates": listed[:200],
            "query": query,
            "upload_form": SpreadsheetForm(),
            "custody_ending": custody_ending().filter(round=round_)[:200],
            "exports": round_.exports.exclude(kind="results")[:5],
        },
    )


def _round_action(request, round_) -> None:
    action = request.POST.get("action")
    try:
        if action in ("tracking", "numbers"):
            form = SpreadsheetForm(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, _("请选择 .xlsx 文件。"))
                return
            run = tracking_numbers_import if action == "tracking" else certificate_numbers_import
            done, problems = run(round_=round_, user=request.user, upload=form.cleaned_data["file"])
            messages.success(request, _("已处理 {count} 条。").format(count=done))
            for problem in problems[:20]:
                messages.error(request, problem)
        elif action == "register":
            certificate_register_request(round_=round_, user=request.user)
            messages.success(request, _("证书登记册正在生成，稍后在本页下载。"))
        elif action == "hand_over":
            export = certificates_hand_over(round_=round_, user=request.user)
            messages.success(
                request, _("已登记造册移交，移交清册正在生成（第 {pk} 号）。").format(pk=export.pk)
            )
        else:
            messages.error(request, _("未知操作。"))
    except (ValidationError, PermissionDenied) as error:
        for message in getattr(error, "messages", [_("无权操作。")]):
            messages.error(request, message)


@login_required
@require_GET
def round_bookings_export(request, pk: int):
    _admin_only(request)
    round_ = get_object_or_404(VerificationRound, pk=pk)
    data, _count = mail_bookings_export(round_=round_, user=request.user)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''bookings-{round_.pk}.xlsx"
    return response


@login_required
def certificate_detail(request, pk: int):
    """One certificate for administrators: its record, and the on-site pick-up."""
    _admin_only(request)
    certificate = get_object_or_404(Certificate.objects.select_related("round__city", "application"), pk=pk)
    form = CertificateCollectForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_collect(
                certificate=certificate,
                user=request.user,
                collected_by=form.cleaned_data["collected_by"],
                agent=form.cleaned_data["agent"],
                authorisation=form.cleaned_data["authorisation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记领取。"))
            return redirect("notices:certificate", pk=pk)
    return render(
        request,
        "notices/manage/certificate.html",
        {"certificate": certificate, "form": form, "bookings": certificate.bookings.all()},
    )


def _verify_allowed(request) -> bool:
    """A simple limit on lookups per client address per hour (no captcha): the cache counts."""
    from django.conf import settings
    from django.core.cache import cache

    from verification_portal.client import client_address

    key = f"certificate-verify:{client_address(request)}:{timezone.now():%Y%m%d%H}"
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
        count = 1
    except Exception:
        return True  # the cache is down: the check still answers
    return count <= settings.PORTAL_VERIFY_PER_HOUR


@require_GET
def certificate_verify(request):
    """证书核验: a certificate number with the holder's name (or the code the QR carries)
    answers valid, cancelled or not found, and shows no more than the certificate states."""
    from notices.selectors import certificate_check

    number = request.GET.get("number", "").strip()[:40]
    name = request.GET.get("name", "").strip()[:50]
    code = request.GET.get("code", "").strip()[:16]
    result = None
    if number and (name or code):
        if not _verify_allowed(request):
            return render(
                request, "notices/certificate_verify.html", {"limited": True, "number": number}, status=429
            )
        result = certificate_check(number=number, name=name, code=code)
    return render(
        request,
        "notices/certificate_verify.html",
        {"number": number, "name": name, "code": code, "result": result},
    )


@login_required
@require_GET
def certificate_pdf(request, pk: int):
    """The holder downloads the electronic certificate."""
    from verification_portal.shared.files import stored_file_response

    certificate = _holders_certificate(request, pk)
    if not certificate.pdf:
        raise Http404
    return stored_file_response(
        certificate.pdf,
        filename=f"电子证书-{certificate.number}.pdf",
        content_type="application/pdf",
        inline=False,
    )
