from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates import permissions, rules
from candidates.enums import ApplicationStatus, DocumentKind, Event, RoundKind, events_from
from candidates.files import stored_file_response
from candidates.forms import (
    DeclarationForm,
    LoginForm,
    MaterialUploadForm,
    PasswordResetCodeForm,
    PasswordResetRequestForm,
    PhoneCodeForm,
    RegistrationForm,
    SelfCheckForm,
    WorkPeriodFormSet,
    add_service_errors,
    work_history_initial,
)
from candidates.jobs import enqueue_on_commit
from candidates.models import CandidateProfile, RosterEntry, VerificationRound
from candidates.selectors import (
    application_checklist,
    application_for_user,
    application_timeline,
    applications_for_candidate,
    failure_notice_for,
    material_version_for_user,
    messages_for,
    organisations_matching,
    roster_options_for_candidate,
    status_label_for,
)
from candidates.services.accounts import (
    candidate_password_reset,
    candidate_password_reset_request,
    candidate_phone_code_resend,
    candidate_phone_verify,
    candidate_register,
    staff_totp_device,
    staff_totp_verify,
)
from candidates.services.applications import (
    application_declare,
    application_edit_refusal,
    application_start,
    application_submit,
    declaration_problems,
)
from candidates.services.audit import audit_record
from candidates.services.documents import document_current
from candidates.services.materials import material_upload, material_version_retire, reopened_kinds
from verification_portal.client import client_address


def _candidate_or_404(request):
    profile = permissions.candidate_of(request.user)
    if profile is None:
        raise Http404
    return profile


@require_GET
def home(request):
    now = timezone.now()
    rounds = (
        VerificationRound.objects.filter(closes_at__gte=now - timezone.timedelta(days=30))
        .select_related("city")
        .prefetch_related("exams")
        .order_by("opens_at")
    )
    return render(request, "candidates/home.html", {"rounds": rounds, "now": now, "RoundKind": RoundKind})


@require_GET
def self_check(request):
    """个人自审: which materials a given education and application kind need. No login."""
    form = SelfCheckForm(request.GET or None)
    requirements = None
    special_case = education_missing = False
    if form.is_bound and form.is_valid():
        declaration = form.declaration()
        requirements = rules.required_materials(declaration)
        special_case = rules.special_case_applies(declaration)
        education_missing = rules.education_proof_undetermined(declaration)
    return render(
        request,
        "candidates/self_check.html",
        {
            "form": form,
            "requirements": requirements,
            "special_case": special_case,
            "education_missing": education_missing,
            "share_query": urlencode({k: v for k, v in request.GET.items() if v}),
        },
    )


PENDING_PROFILE = "pending_candidate_profile"


def register(request):
    if request.user.is_authenticated:
        return redirect("candidates:dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profile = candidate_register(
                real_name=data["real_name"],
                id_number=data["id_number"],
                phone=data["phone"],
                password=data["password1"],
                email=data["email"],
                client_address=client_address(request),
            )
        except ValidationError as error:
            add_service_errors(form, error, field="password1")
        else:
            request.session[PENDING_PROFILE] = profile.pk
            messages.success(request, _("验证码已发送到您的手机，请在 5 分钟内输入以完成注册。"))
            return redirect("candidates:verify_phone")
    return render(request, "candidates/register.html", {"form": form})


def verify_phone(request):
    """The second step of registration (and of the first login of an account made before
    phones were verified): the SMS code sent to the account's phone."""
    profile = CandidateProfile.objects.filter(
        pk=request.session.get(PENDING_PROFILE) or 0, phone_verified_at__isnull=True, released_at__isnull=True
    ).first()
    if profile is None:
        messages.info(request, _("请先注册或登录。"))
        return redirect("candidates:login")
    form = PhoneCodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            candidate_phone_code_resend(profile=profile, client_address=client_address(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("验证码已重新发送。"))
        return redirect("candidates:verify_phone")
    if request.method == "POST" and form.is_valid():
        try:
            candidate_phone_verify(profile=profile, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error, field="code")
        else:
            del request.session[PENDING_PROFILE]
            login(request, profile.user, backend="candidates.auth.IdNumberOrPhoneBackend")
            messages.success(request, _("手机号码已验证，注册完成。请在下方查看您需要参加的核查。"))
            return redirect("candidates:dashboard")
    return render(
        request,
        "candidates/verify_phone.html",
        {"form": form, "masked_phone": f"{profile.phone[:3]}****{profile.phone[7:]}"},
    )


RESET_PHONE = "password_reset_phone"


def password_reset_request(request):
    """Candidates reset their password with a code sent to their phone. The answer is the
    same whether the number holds an account or not."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            candidate_password_reset_request(phone=phone, client_address=client_address(request))
        except ValidationError as error:
            add_service_errors(form, error, field="phone")
        else:
            request.session[RESET_PHONE] = phone
            messages.success(request, _("如该号码已注册，验证码已发送，5 分钟内有效。"))
            return redirect("candidates:password_reset_code")
    return render(request, "registration/candidate_reset_request.html", {"form": form})


def password_reset_code(request):
    phone = request.session.get(RESET_PHONE)
    if not phone:
        return redirect("candidates:password_reset")
    form = PasswordResetCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate_password_reset(
                phone=phone, code=form.cleaned_data["code"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            add_service_errors(form, error, field="code")
        else:
            del request.session[RESET_PHONE]
            messages.success(request, _("密码已重置，请用新密码登录。"))
            return redirect("candidates:login")
    return render(
        request,
        "registration/candidate_reset_code.html",
        {"form": form, "masked_phone": f"{phone[:3]}****{phone[7:]}"},
    )


def _qr_svg(data: str) -> str:
    import base64

    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@login_required
def second_factor(request):
    """Staff confirm a TOTP code after the password (and set up the authenticator the first time)."""
    if not permissions.is_staff_member(request.user):
        raise Http404
    device = staff_totp_device(user=request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("candidates:dashboard")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("candidates:dashboard")
    error = None
    if request.method == "POST":
        if staff_totp_verify(request=request, token=request.POST.get("token", "")):
            return redirect(next_url)
        error = _("验证码不正确或已过期，请输入验证器应用中当前显示的 6 位数字。")
    context = {"device": device, "error": error, "next": next_url}
    if not device.confirmed:
        from base64 import b32encode

        context["qr"] = _qr_svg(device.config_url)
        context["secret"] = b32encode(device.bin_key).decode()
    return render(request, "registration/otp.html", context)


class PortalLoginView(LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        if form.has_error(NON_FIELD_ERRORS, "unverified"):
            profile = form.get_user().candidate
            self.request.session[PENDING_PROFILE] = profile.pk
            try:
                candidate_phone_code_resend(profile=profile, client_address=client_address(self.request))
            except ValidationError as error:
                messages.error(self.request, " ".join(error.messages))
            else:
                messages.info(self.request, _("您的手机号码尚未验证，验证码已发送到注册时的手机号码。"))
            return redirect("candidates:verify_phone")
        return super().form_invalid(form)


@login_required
def dashboard(request):
    profile = permissions.candidate_of(request.user)
    if profile is None:
        # Staff land in their own workspace.
        if getattr(request.user, "city_reviewer", None):
            return redirect("reviews:queue")
        if getattr(request.user, "employer_hr", None):
            return redirect("reviews:employer_home")
        if request.user.is_superuser:
            return redirect("notices:manage")
        return render(request, "candidates/staff_home.html", {})
    return render(
        request,
        "candidates/dashboard.html",
        {
            "profile": profile,
            "options": roster_options_for_candidate(candidate=profile),
            "applications": applications_for_candidate(user=request.user),
            "messages_list": messages_for(user=request.user),
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
def employer_search(request):
    """The employer picker on the declaration page: by name or credit code."""
    if permissions.candidate_of(request.user) is None:
        raise Http404
    return JsonResponse({"results": organisations_matching(query=request.GET.get("q", ""))})


@login_required
@require_POST
def application_start_view(request, entry_id: int):
    profile = _candidate_or_404(request)
    entry = get_object_or_404(
        RosterEntry.objects.select_related("round"), pk=entry_id, id_number=profile.id_number
    )
    try:
        application = application_start(candidate=profile, entry=entry)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("candidates:dashboard")
    messages.success(request, _("已创建申请。请先填写申报信息。"))
    return redirect("candidates:declare", pk=application.pk)


@login_required
def application_detail(request, pk: int):
    application = application_for_user(user=request.user, pk=pk)
    checklist = application_checklist(application=application)
    is_owner = permissions.is_applicant(request.user, application)
    edit_refusal = application_edit_refusal(application=application) if is_owner else None
    events = set(events_from(application.status))
    if not is_owner or edit_refusal:
        open_kinds = set()
    elif application.is_editable:
        open_kinds = {item.requirement.code for item in checklist}
    else:
        open_kinds = reopened_kinds(application=application)
    return render(
        request,
        "candidates/application_detail.html",
        {
            "application": application,
            "checklist": checklist,
            "timeline": application_timeline(application=application, checklist=checklist),
            "problems": declaration_problems(application),
            "missing": [item for item in checklist if not item.complete],
            "upload_form": MaterialUploadForm(),
            "can_edit": permissions.can_edit_application(request.user, application) and not edit_refusal,
            "edit_refusal": edit_refusal,
            "first_submission": bool(events & {Event.SUBMIT_TO_CITY, Event.SUBMIT_TO_EMPLOYER}),
            "awaiting_employer_fix": Event.RESUBMIT_TO_EMPLOYER in events,
            "awaiting_supplement": Event.SUBMIT_SUPPLEMENT in events,
            "status_label": status_label_for(application),
            "failure": failure_notice_for(application),
            "is_applicant": is_owner,
            "open_kinds": open_kinds,
            "can_submit": permissions.can_submit(request.user, application) and not edit_refusal,
            "supplement_items": [item for item in checklist if item.requirement.code in open_kinds]
            if application.status == ApplicationStatus.SUPPLEMENT
            else [],
            "can_appeal": permissions.can_appeal(request.user, application),
            "messages_list": messages_for(user=request.user, application=application) if is_owner else [],
            "form_document": document_current(application=application, kind=DocumentKind.APPLICATION_FORM),
            "receipt": document_current(application=application, kind=DocumentKind.RECEIPT),
            "now": timezone.now(),
        },
    )


@login_required
def application_declare_view(request, pk: int):
    application = application_for_user(user=request.user, pk=pk)
    if not permissions.is_applicant(request.user, application):
        raise Http404
    if not application.is_editable:
        messages.info(request, _("申请已提交，申报信息不能再修改。"))
        return redirect("candidates:application", pk=pk)
    refusal = application_edit_refusal(application=application)
    if refusal:
        messages.error(request, refusal)
        return redirect("candidates:application", pk=pk)
    form = DeclarationForm(request.POST or None, instance=application)
    formset = WorkPeriodFormSet(
        request.POST or None, prefix="work", initial=work_history_initial(application.work_history)
    )
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            data = {**form.cleaned_data, "work_history": formset.history()}
            try:
                application_declare(application=application, actor=request.user, data=data)
            except ValidationError as error:
                if hasattr(error, "error_dict") and "work_history" in error.error_dict:
                    formset.non_form_errors().extend(error.message_dict["work_history"])
                else:
                    add_service_errors(form, error)
            else:
                messages.success(request, _("申报信息已保存。请按材料清单上传扫描件。"))
                return redirect("candidates:application", pk=pk)
    return render(
        request,
        "candidates/declare.html",
        {"application": application, "form": form, "formset": formset},
    )


@login_required
@require_POST
def material_upload_view(request, pk: int, kind: str):
    application = application_for_user(user=request.user, pk=pk)
    if not permissions.is_applicant(request.user, application):
        raise Http404
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = MaterialUploadForm(request.POST, request.FILES)
    target = reverse("candidates:application", kwargs={"pk": pk}) + f"#item-{kind}"
    errors: list[str] = []
    if form.is_valid():
        try:
            versions = material_upload(
                application=application, kind=kind, files=form.cleaned_data["files"], actor=request.user
            )
        except ValidationError as error:
            errors = error.messages
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    if errors:
        if wants_json:
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        for message in errors:
            messages.error(request, message)
        return HttpResponseRedirect(target)
    message = _("已上传 {count} 个文件。").format(count=len(versions))
    if wants_json:
        messages.success(request, message)
        return JsonResponse({"ok": True, "redirect": target})
    messages.success(request, message)
    return HttpResponseRedirect(target)


@login_required
@require_POST
def material_retire_view(request, version_id: int):
    version = material_version_for_user(user=request.user, pk=version_id)
    application = version.material.application
    if not permissions.is_applicant(request.user, application):
        raise Http404
    try:
        material_version_retire(version=version, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("已移除文件“{name}”（原文件仍保存在系统中）。").format(name=version.original_name)
        )
    return redirect(
        reverse("candidates:application", kwargs={"pk": application.pk}) + f"#item-{version.material.kind}"
    )


@login_required
@require_POST
def application_submit_view(request, pk: int):
    application = application_for_user(user=request.user, pk=pk)
    if not permissions.is_applicant(request.user, application):
        raise Http404
    first = application.status == ApplicationStatus.DRAFT
    statements = {
        key.removeprefix("statement-"): value
        for key, value in request.POST.items()
        if key.startswith("statement-")
    }
    try:
        application_submit(application=application, actor=request.user, statements=statements)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("申报成功。可下载申报回执留存。") if first else _("已重新提交，请等待处理结果。")
        )
    return redirect("candidates:application", pk=pk)


def _record_staff_view(request, version, what: str) -> None:
    application = version.material.application
    if not permissions.is_applicant(request.user, application):
        audit_record(
            actor=request.user,
            action=f"material.{what}",
            target=version,
            application=application,
            data={"kind": version.material.kind, "version": version.number},
        )


@login_required
@require_GET
def material_file(request, version_id: int):
    version = material_version_for_user(user=request.user, pk=version_id)
    _record_staff_view(request, version, "view")
    return stored_file_response(
        version.file,
        filename=version.original_name,
        content_type=version.content_type,
        inline=version.content_type != "application/pdf" or "inline" in request.GET,
    )


@login_required
@require_GET
def material_preview(request, version_id: int):
    version = material_version_for_user(user=request.user, pk=version_id)
    if not version.preview:
        raise Http404
    _record_staff_view(request, version, "preview")
    return stored_file_response(
        version.preview, filename=f"preview-{version.pk}.jpg", content_type="image/jpeg", inline=True
    )


@login_required
@require_GET
def material_page(request, version_id: int, number: int):
    version = material_version_for_user(user=request.user, pk=version_id)
    page = version.pages.filter(number=number).first()
    if page is None:
        raise Http404
    _record_staff_view(request, version, "page")
    return stored_file_response(
        page.image, filename=f"page-{version.pk}-{number}.jpg", content_type="image/jpeg", inline=True
    )


@login_required
@require_GET
def application_document(request, pk: int, kind: str):
    application = application_for_user(user=request.user, pk=pk)
    if kind not in DocumentKind.values:
        raise Http404
    document = document_current(application=application, kind=kind)
    if document is None:
        if kind == DocumentKind.WORK_YEARS_PROOF or (
            kind == DocumentKind.RECEIPT and application.submitted_at is None
        ):
            raise Http404
        if kind == DocumentKind.APPLICATION_FORM and not application.declared_at:
            messages.error(request, _("请先填写并保存申报信息，再下载报名表。"))
            return redirect("candidates:application", pk=pk)
        enqueue_on_commit("candidates.render_document", application_id=application.pk, kind=kind)
        return render(
            request,
            "candidates/document_pending.html",
            {"application": application, "kind": DocumentKind(kind)},
        )
    label = DocumentKind(kind).label
    return stored_file_response(
        document.file,
        filename=f"{label}-{application.reference}.pdf",
        content_type="application/pdf",
        inline=False,
    )
