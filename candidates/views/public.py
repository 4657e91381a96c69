import hashlib
from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from candidates import rules
from candidates.enums import EducationLevel, RoundKind
from candidates.forms import (
    SelfCheckForm,
)
from candidates.selectors import rounds_on_home


@require_GET
def home(request):
    now = timezone.now()
    rounds = list(rounds_on_home(now=now))
    # The table is rendered once per version of what it shows (every shown field is in the key).
    shown = [
        (
            r.pk,
            r.name,
            r.kind,
            r.opens_at,
            r.closes_at,
            r.contact_phones,
            r.city.name,
            r.city.verification_phone,
            tuple((e.pk, e.name) for e in r.exams.all()),
        )
        for r in rounds
    ]
    rounds_key = hashlib.sha256(repr(shown).encode()).hexdigest()[:32]
    return render(
        request,
        "candidates/home.html",
        {"rounds": rounds, "now": now, "RoundKind": RoundKind, "rounds_key": rounds_key},
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
