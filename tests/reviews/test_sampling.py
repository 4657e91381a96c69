"""抽查: the sample is what anyone recomputes from the published list and seed, changes with
the seed, takes each stratum's share, and never gives a case to a reviewer who decided it."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from candidates.enums import ApplicationStatus
from candidates.models import AuditEvent
from notices.models import Notice
from reviews import sampling
from reviews.models import Decision, SampleCase
from reviews.services.sampling import sample_check, sample_commit, sample_draw, sample_publish, sample_resolve
from tests import factories

pytestmark = pytest.mark.django_db

LINES = "".join(f"{n},{'长沙' if n % 3 else '株洲'}|社会工作者\n" for n in range(1, 101))


def test_the_selection_is_recomputable_and_follows_the_seed():
    first = sampling.select(LINES, seed="20261203-07-19-23", rate_percent=10)
    assert first == sampling.select(LINES, seed="20261203-07-19-23", rate_percent=10)
    assert first != sampling.select(LINES, seed="20261203-07-19-24", rate_percent=10)
    by_stratum = {}
    for _case, stratum in first:
        by_stratum[stratum] = by_stratum.get(stratum, 0) + 1
    assert by_stratum == {"长沙|社会工作者": 7, "株洲|社会工作者": 4}  # ceil(67 × 10%), ceil(33 × 10%)


@pytest.fixture
def decided():
    """Twelve decided cases in one city, decided by reviewer A; reviewers B and C may check."""
    city = factories.CityFactory()
    decider, b, c = (factories.CityReviewerFactory(city=city).user for _ in range(3))
    factories.CityReviewerFactory(city=city, handles_second_checks=False)  # not trusted with checks
    round_ = factories.RoundFactory(city=city)
    cases = []
    for n in range(12):
        application = factories.ApplicationFactory(
            roster_entry__round=round_, status=ApplicationStatus.PASSED if n % 4 else ApplicationStatus.FAILED
        )
        Decision.objects.create(application=application, reviewer=decider, kind="pass")
        cases.append(application)
    return cases, decider, {b.pk, c.pk}


def test_commit_draw_check_and_publish(decided, tmp_path):
    _cases, decider, checkers = decided
    admin = factories.UserFactory(is_superuser=True)
    draw = sample_commit(
        user=admin, rate_percent=25, strata=["outcome"], seed_rule="12 月 5 日福彩 3D 开奖号码"
    )
    commitment = Notice.objects.get(title=f"抽查承诺（第 {draw.pk} 号）")
    assert draw.case_digest in commitment.body and "12 月 5 日福彩 3D" in commitment.body
    drawn = sample_draw(draw=draw, user=admin, seed="385")
    assert {c.checker_id for c in drawn} <= checkers and decider.pk not in {c.checker_id for c in drawn}
    assert len(drawn) == 1 + 3  # ceil(3 × 25%) failed, ceil(9 × 25%) passed
    # Anyone recomputes it from the published list and seed.
    published = tmp_path / "list.txt"
    published.write_text(draw.case_lines, encoding="utf-8")
    out = io.StringIO()
    call_command("recompute_sample", str(published), seed="385", rate=25, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"list sha256 {draw.case_digest}"
    assert [int(line.split(",")[0]) for line in lines[1:]] == [c.application_id for c in drawn]
    with pytest.raises(ValidationError):
        sample_draw(draw=draw, user=admin, seed="386")  # drawn once
    # The checker confirms or disputes; a dispute needs its reason and goes to the administrator.
    first, second = drawn[0], drawn[1]
    checker = factories.UserFactory._meta.model.objects.get(pk=first.checker_id)
    with pytest.raises(ValidationError):
        sample_check(case=first, user=checker, agrees=False, note="")
    sample_check(case=first, user=checker, agrees=False, note="工作年限证明缺公章")
    sample_resolve(case=SampleCase.objects.get(pk=first.pk), user=admin, resolution="已要求原核查人员补正")
    other = factories.UserFactory._meta.model.objects.get(pk=second.checker_id)
    sample_check(case=second, user=other, agrees=True)
    notice = sample_publish(draw=draw, user=admin)
    masked = (
        first.application.candidate.id_number[:6] + "********" + first.application.candidate.id_number[14:]
    )
    assert (
        "有异议 1 件" in notice.body
        and masked in notice.body
        and first.application.candidate.id_number not in notice.body
    )
    actions = set(AuditEvent.objects.filter(action__startswith="sample.").values_list("action", flat=True))
    assert actions == {"sample.commit", "sample.draw", "sample.check", "sample.resolve", "sample.publish"}
