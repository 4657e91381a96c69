from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from candidates import rules
from candidates.enums import RoundKind
from candidates.forms import (
    SelfCheckForm,
)
from candidates.selectors import rounds_on_home


@require_GET
def home(request):
    now = timezone.now()
    rounds = rounds_on_home(now=now)
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
