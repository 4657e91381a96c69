"""抽查 pages: administrators commit, draw and publish; second reviewers check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reviews.models import SampleCase, SampleDraw
from reviews.permissions import reviewer_city_id
from reviews.services.sampling import (
    STRATA,
    checks_for,
    sample_check,
    sample_commit,
    sample_draw,
    sample_publish,
    sample_resolve,
)

from ._common import _admin_only


def _errors(request, error) -> None:
    for message in getattr(error, "messages", [_("无权操作。")]):
        messages.error(request, message)


@login_required
def samples(request):
    _admin_only(request)
    if request.method == "POST":
        action, draw_id = request.POST.get("action"), request.POST.get("draw")
        try:
            if action == "commit":
                sample_commit(
                    user=request.user,
                    rate_percent=int(request.POST.get("rate") or 0),
                    strata=[s for s in request.POST.getlist("strata") if s in STRATA],
                    seed_rule=request.POST.get("seed_rule", ""),
                )
                messages.success(request, _("已冻结案件清单并发布抽查承诺。"))
            elif action == "draw":
                cases = sample_draw(
                    draw=get_object_or_404(SampleDraw, pk=draw_id),
                    user=request.user,
                    seed=request.POST.get("seed", ""),
                )
                messages.success(request, _("已抽取 {count} 件并分配复查人员。").format(count=len(cases)))
            elif action == "publish":
                sample_publish(draw=get_object_or_404(SampleDraw, pk=draw_id), user=request.user)
                messages.success(request, _("抽查结果已发布为公告。"))
            elif action == "resolve":
                sample_resolve(
                    case=get_object_or_404(SampleCase, pk=request.POST.get("case")),
                    user=request.user,
                    resolution=request.POST.get("resolution", ""),
                )
                messages.success(request, _("已处理。"))
        except (ValidationError, PermissionDenied, ValueError) as error:
            _errors(request, error)
        return redirect("notices:samples")
    draws = SampleDraw.objects.prefetch_related("cases__application__candidate", "cases__checker")[:20]
    return render(request, "notices/manage/samples.html", {"draws": draws, "strata": STRATA.items()})


@login_required
def sample_checks(request):
    if reviewer_city_id(request.user) is None:
        from django.http import Http404

        raise Http404
    return render(request, "notices/sample_checks.html", {"cases": checks_for(user=request.user)})


@login_required
@require_POST
def sample_check_view(request, pk: int):
    case = get_object_or_404(SampleCase, pk=pk)
    try:
        sample_check(
            case=case,
            user=request.user,
            agrees=request.POST.get("agrees") == "1",
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    else:
        messages.success(request, _("已提交复查意见。"))
    return redirect("notices:sample_checks")
