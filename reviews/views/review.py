from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.enums import ApplicationStatus as S
from candidates.models import Material
from candidates.selectors import application_checklist
from candidates.services.documents import document_current
from candidates.services.integrity import integrity_records_read
from reviews.enums import DecisionKind
from reviews.forms import (
    DecisionForm,
    MaterialVerdictForm,
)
from reviews.permissions import can_claim, holds_claim, may_handle
from reviews.selectors import (
    appeal_files,
    application_for_reviewer,
    changes_since_supplement,
    decision_history,
    eligible_handlers,
    employer_reviews_of,
    latest_verdicts,
    ocr_for_review,
    review_facts,
    review_materials,
)
from reviews.services.claims import application_claim_next
from reviews.services.decisions import application_decide, decisions_from, material_verdict_record

from ._common import (
    _errors_to_messages,
    _form_errors_to_messages,
    _reviewer_only,
)


def _allowed_decisions(application) -> list[str]:
    return decisions_from(application.status)


@login_required
@require_GET
def review(request, pk: int):
    _reviewer_only(request)
    application = application_for_reviewer(user=request.user, pk=pk)
    now = timezone.now()
    holds = holds_claim(request.user, application, now)
    latest = latest_verdicts(application=application)
    checklist = application_checklist(application=application)
    materials = review_materials(application=application)
    supplement_requested_at, changes = changes_since_supplement(application=application)
    ocr_check, ocr_items = ocr_for_review(application=application, checklist=checklist)
    return render(
        request,
        "reviews/review.html",
        {
            "application": application,
            "facts": review_facts(application=application),
            "signals": list(application.signals.select_related("other__round")),
            "ocr_check": ocr_check,
            "integrity": integrity_records_read(
                id_number=application.candidate.id_number, actor=request.user, application=application
            ),
            "checklist": [
                (
                    item,
                    materials.get(item.requirement.code),
                    *_current_or_stale(latest.get(item.requirement.code)),
                    changes.get(item.requirement.code),
                    ocr_items.get(item.requirement.code),
                )
                for item in checklist
            ],
            "supplement_requested_at": supplement_requested_at,
            "holds": holds,
            "claimed_by_other": application.is_claimed_by_other(request.user, now),
            "may_handle": may_handle(request.user, application),
            "handlers": eligible_handlers(application=application)
            if application.status in (S.FAIL_PROPOSED, S.APPEALED)
            else None,
            "claimable": can_claim(request.user, application, now),
            "verdict_form": MaterialVerdictForm(),
            "decision_form": DecisionForm(allowed=_allowed_decisions(application)),
            "history": decision_history(application=application),
            "employer_reviews": employer_reviews_of(application=application),
            "work_years_proof": document_current(application=application, kind="work_years_proof"),
            "appeal": application.appeals.first(),
            "appeal_files": appeal_files(application=application),
            "now": now,
        },
    )


@login_required
@require_POST
def verdict(request, pk: int, material_id: int):
    _reviewer_only(request)
    application = application_for_reviewer(user=request.user, pk=pk)
    material = get_object_or_404(Material, pk=material_id, application=application)
    form = MaterialVerdictForm(request.POST)
    wants_json = "application/json" in request.headers.get("Accept", "")
    errors: list[str] = []
    recorded = None
    if not form.is_valid():
        errors = [_("请选择合格或不合格。")]
    else:
        try:
            recorded = material_verdict_record(
                material=material,
                user=request.user,
                ok=form.cleaned_data["ok"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, PermissionDenied) as error:
            errors = list(getattr(error, "messages", [_("无权操作。")]))
    if wants_json:
        # Saved in place: the page keeps its zoom, rotation and page.
        if errors:
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        return JsonResponse({"ok": True, "text": verdict_text(recorded)})
    for message in errors:
        messages.error(request, message)
    return redirect(reverse("reviews:review", kwargs={"pk": pk}) + f"#material-{material.kind}")


def _current_or_stale(latest) -> tuple:
    """(verdict on the current files, None) or (None, the verdict the files changed after)."""
    if latest is None:
        return None, None
    verdict, current = latest
    return (verdict, None) if current else (None, verdict)


def verdict_text(verdict) -> str:
    """A verdict as the page shows it: 已审：合格, or 已审：不合格（reason） · note."""
    if verdict.ok:
        text = _("已审：合格")
    else:
        text = _("已审：不合格（{reason}）").format(reason=verdict.get_reason_display())
    return f"{text} · {verdict.note}" if verdict.note else text


@login_required
@require_POST
def decide(request, pk: int):
    _reviewer_only(request)
    application = application_for_reviewer(user=request.user, pk=pk)
    form = DecisionForm(request.POST, allowed=_allowed_decisions(application))
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("reviews:review", pk=pk)
    data = form.cleaned_data
    try:
        decision = application_decide(
            application=application,
            user=request.user,
            kind=data["kind"],
            reason_code=data["reason_code"],
            reason=data["reason"],
            deadline=data["deadline"],
        )
    except (ValidationError, PermissionDenied) as error:
        _errors_to_messages(request, error)
        return redirect("reviews:review", pk=pk)
    messages.success(
        request,
        _("已保存决定：{kind}（{name}）。").format(
            kind=DecisionKind(decision.kind).label, name=application.candidate.real_name
        ),
    )
    if "and_next" in request.POST:
        following = application_claim_next(user=request.user)
        if following is not None:
            return redirect("reviews:review", pk=following.pk)
        messages.info(request, _("队列中暂时没有可领取的申请。"))
    return redirect("reviews:queue")
