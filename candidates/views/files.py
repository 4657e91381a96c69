from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates import permissions
from candidates.forms import (
    MaterialUploadForm,
)
from candidates.selectors import (
    application_for_user,
    material_version_for_user,
)
from candidates.services.materials import material_upload, material_version_retire
from verification_portal.shared.audit import audit_record
from verification_portal.shared.files import stored_file_response


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
