from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.forms import IdentityReleaseForm
from candidates.models import CandidateProfile
from candidates.services.accounts import candidate_identity_release
from notices.forms import ReviewerInviteForm, ReviewerUpdateForm
from notices.models import (
    DossierExport,
)
from notices.selectors import (
    candidates_matching,
)
from notices.services.dossier import dossier_request
from verification_portal.shared.forms import add_service_errors

from ._common import _admin_only, _download_when_ready


@login_required
@require_GET
def candidate_search(request):
    _admin_only(request)
    query = request.GET.get("q", "").strip()
    return render(
        request, "notices/manage/candidates.html", {"q": query, "found": candidates_matching(query=query)}
    )


@login_required
def candidate_release_view(request, pk: int):
    """Release an ID number held by the wrong person (audited, with the reason)."""
    _admin_only(request)
    candidate = get_object_or_404(CandidateProfile.objects.select_related("user"), pk=pk)
    form = IdentityReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate_identity_release(
                profile=candidate, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error, field="reason")
        else:
            messages.success(
                request,
                _("已解除该账号对身份证号 {id_number} 的占用，其申请已作废。本人现在可以注册。").format(
                    id_number=candidate.id_number
                ),
            )
            return redirect(f"{reverse('notices:candidates')}?q={candidate.id_number}")
    return render(request, "notices/manage/candidate_release.html", {"candidate": candidate, "form": form})


@login_required
@require_POST
def candidate_dossier_view(request, pk: int):
    _admin_only(request)
    candidate = get_object_or_404(CandidateProfile, pk=pk)
    export = dossier_request(candidate=candidate, user=request.user)
    return redirect("notices:dossier_download", pk=export.pk)


@login_required
@require_GET
def dossier_download(request, pk: int):
    _admin_only(request)
    export = get_object_or_404(DossierExport.objects.select_related("candidate"), pk=pk)
    return _download_when_ready(
        request, export, filename=f"dossier-{export.candidate.id_number}.zip", content_type="application/zip"
    )


@login_required
def reviewers(request):
    """The cities' reviewers: who they are, whether they may confirm fails and handle appeals,
    open invitations; invite one, change one."""
    from reviews.selectors import reviewers_for_administrators
    from reviews.services.staff import reviewer_invite

    _admin_only(request)
    form = ReviewerInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reviewer_invite(
            user=request.user,
            city=data["city"],
            email=data["email"],
            name=data["name"],
            handles_second_checks=data["handles_second_checks"],
        )
        messages.success(
            request, _("已向 {email} 发送邀请，对方设置用户名和密码后即可登录。").format(email=data["email"])
        )
        return redirect("notices:reviewers")
    listed, invitations = reviewers_for_administrators()
    context = {"form": form, "reviewers": listed, "invitations": invitations}
    return render(request, "notices/manage/reviewers.html", context)


@login_required
@require_POST
def reviewer_change(request, pk: int):
    from reviews.models import CityReviewer
    from reviews.services.staff import reviewer_update

    _admin_only(request)
    reviewer = get_object_or_404(CityReviewer.objects.select_related("user", "city"), pk=pk)
    form = ReviewerUpdateForm(request.POST)
    form.is_valid()  # two booleans: an unticked box is False, never an error
    reviewer_update(
        user=request.user,
        reviewer=reviewer,
        handles_second_checks=form.cleaned_data["handles_second_checks"],
        active=form.cleaned_data["active"],
    )
    name = reviewer.user.get_full_name() or reviewer.user.username
    messages.success(request, _("已更新{name}的权限。").format(name=name))
    return redirect("notices:reviewers")
