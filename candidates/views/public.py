from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from candidates import rules
from candidates.enums import EducationLevel, RoundKind
from candidates.forms import (
    SelfCheckForm,
)
from candidates.selectors import ROUNDS_VERSION, rounds_on_home, rounds_on_home_kept_seconds
from verification_portal.shared.kept import kept_page


@require_GET
def home(request):
    def context(_version: str) -> tuple[dict, int]:
        now = timezone.now()
        rounds = list(rounds_on_home(now=now))
        values = {"rounds": rounds, "now": now, "RoundKind": RoundKind}
        return values, rounds_on_home_kept_seconds(rounds=rounds, now=now)

    # What everyone opens first: kept under the version of the rounds, their exams and cities.
    return kept_page(
        request, key="home", versions=(ROUNDS_VERSION,), template="candidates/home.html", context=context
    )


@require_GET
def self_check(request):
    """个人自审: which materials a given education and application kind need. No login."""
    from reviews.selectors import eligibility_rule_for

    form = SelfCheckForm(request.GET or None)
    requirements = counted_level = rule = None
    special_case = special_case_possible = education_missing = False
    if form.is_bound and form.is_valid():
        declaration = form.declaration()
        requirements = rules.required_materials(declaration)
        special_case = rules.special_case_applies(declaration)
        special_case_possible = rules.special_case_possible(declaration) and not special_case
        education_missing = rules.education_proof_undetermined(declaration)
        level = form.counted_level()
        counted_level = EducationLevel(level).label if level else None
        exam = form.cleaned_data.get("exam")
        if exam and level:
            rule = eligibility_rule_for(
                exam_id=exam.pk, exam_level=form.cleaned_data.get("exam_level") or "", education_level=level
            )
    return render(
        request,
        "candidates/self_check.html",
        {
            "form": form,
            "requirements": requirements,
            "special_case": special_case,
            "special_case_possible": special_case_possible,
            "education_missing": education_missing,
            "counted_level": counted_level,
            "rule": rule,
            "share_query": urlencode({k: v for k, v in request.GET.items() if v}),
        },
    )
