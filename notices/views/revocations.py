"""撤销核查通过: one administrator proposes (reason, evidence), another confirms or rejects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candidates.enums import IntegrityKind
from candidates.models import Application
from reviews.models import Revocation
from reviews.services.revocations import revocation_decide, revocation_propose

from ._common import _admin_only


@login_required
def revocation_propose_view(request, pk: int):
    _admin_only(request)
    application = get_object_or_404(Application.objects.select_related("candidate", "round"), pk=pk)
    errors = []
    if request.method == "POST":
        try:
            revocation_propose(
                application=application,
                user=request.user,
                kind=request.POST.get("kind")
                if request.POST.get("kind") in IntegrityKind.values
                else IntegrityKind.OTHER,
                reason=request.POST.get("reason", ""),
                evidence=request.FILES.get("evidence"),
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("撤销提议已提交，须由另一名管理员确认。"))
            return redirect("notices:revocations")
    return render(
        request,
        "notices/manage/revocation_propose.html",
        {"application": application, "kinds": IntegrityKind.choices, "errors": errors},
    )


@login_required
def revocations(request):
    _admin_only(request)
    waiting = Revocation.objects.filter(confirmed__isnull=True).select_related(
        "application__candidate", "application__round", "proposed_by"
    )
    decided = Revocation.objects.filter(confirmed__isnull=False).select_related("application__candidate")[:50]
    return render(request, "notices/manage/revocations.html", {"waiting": waiting, "decided": decided})


@login_required
@require_POST
def revocation_decide_view(request, pk: int):
    _admin_only(request)
    revocation = get_object_or_404(Revocation, pk=pk)
    try:
        revocation_decide(
            revocation=revocation,
            user=request.user,
            confirm=request.POST.get("confirm") == "1",
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已处理撤销提议。"))
    return redirect("notices:revocations")
