"""接口调用方: administrators register the province's systems and revoke their tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candidates.models import City, VerificationRound
from notices.enums import ApiScope
from notices.models import ApiClient
from notices.services.api_clients import api_client_create, api_client_revoke

from ._common import _admin_only


@login_required
def api_clients(request):
    """The list, and the form registering one more; a new token is shown on this answer
    only (it is not kept)."""
    _admin_only(request)
    token, errors, posted = None, [], {}
    if request.method == "POST":
        posted = request.POST
        try:
            per_minute = int(request.POST.get("per_minute") or 600)
        except ValueError:
            per_minute = 0
        try:
            _client, token = api_client_create(
                user=request.user,
                name=request.POST.get("name", "")[:200],
                scopes=request.POST.getlist("scopes"),
                cities=list(City.objects.filter(pk__in=_ids(request.POST.getlist("cities")))),
                all_cities=request.POST.get("all_cities") == "on",
                rounds=list(VerificationRound.objects.filter(pk__in=_ids(request.POST.getlist("rounds")))),
                per_minute=per_minute,
            )
            posted = {}
        except ValidationError as error:
            errors = error.messages
    return render(
        request,
        "notices/manage/api_clients.html",
        {
            "clients": ApiClient.objects.prefetch_related("cities").select_related("created_by"),
            "scopes": ApiScope.choices,
            "cities": City.objects.order_by("sort_order", "pk"),
            "rounds": VerificationRound.objects.select_related("city").order_by("-opens_at")[:50],
            "token": token,
            "errors": errors,
            "posted": posted,
        },
        status=200 if not errors else 400,
    )


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()][:100]


@login_required
@require_POST
def api_client_revoke_view(request, pk: int):
    _admin_only(request)
    client = api_client_revoke(user=request.user, client=get_object_or_404(ApiClient, pk=pk))
    messages.success(request, _("已停用“{name}”的令牌。").format(name=client.name))
    return redirect("notices:api_clients")
