import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus
from candidates.models import Application, AuditEvent, Material, Message
from candidates.services.applications import application_submit
from candidates.services.materials import material_upload
from reviews.models import Decision
from reviews.services.claims import application_claim
from reviews.services.decisions import application_decide, material_verdict_record
from tests import factories
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def judge(application, user, **bad):
    """Claim, and record a verdict on every item: ok unless named in ``bad`` (kind -> reason)."""
    application_claim(application=application, user=user)
    for material in Material.objects.filter(application=application):
        reason = bad.get(material.kind)
        material_verdict_record(material=material, user=user, ok=reason is None, reason=reason or "")
    application.refresh_from_db()


def test_pass_with_every_item_judged(submitted, reviewer):
    judge(submitted, reviewer)
    decision = application_decide(application=submitted, user=reviewer, kind="pass")
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.PASSED
    assert submitted.claimed_by is None
    assert decision.reviewer == reviewer and decision.claimed_at is not None
    event = AuditEvent.objects.filter(action="application.transition").latest("id")
    assert (event.data["to"], event.actor, event.data["decision"]) == ("passed", reviewer, decision.pk)
    assert Message.objects.get(recipient=submitted.candidate.user).subject == "人工核查通过"


def test_pass_refused_without_verdicts_or_with_a_bad_item(submitted, reviewer):
    application_claim(application=submitted, user=reviewer)
    with pytest.raises(ValidationError) as error:
        application_decide(application=submitted, user=reviewer, kind="pass")
    assert {e.code for e in error.value.error_list} == {"verdicts"}, error.value.messages
    for material in Material.objects.filter(application=submitted):
        material_verdict_record(
            material=material, user=reviewer, ok=material.kind != "work_years", reason="stamp_missing"
        )
    with pytest.raises(ValidationError) as error:
        application_decide(application=submitted, user=reviewer, kind="pass")
    assert error.value.code == "failing"
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.CITY_REVIEW
    assert not Decision.objects.exists()


def test_decision_without_claim_or_on_anothers_claim_refused(submitted, reviewer, second_reviewer):
    with pytest.raises(ValidationError) as error:
        application_decide(application=submitted, user=reviewer, kind="pending", reason="需向单位核实")
    assert error.value.code == "not_claimed"
    application_claim(application=submitted, user=second_reviewer)
    with pytest.raises(ValidationError) as error:
        application_decide(application=submitted, user=reviewer, kind="pending", reason="需向单位核实")
    assert error.value.code == "claimed"
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.CITY_REVIEW and not Decision.objects.exists()


def test_decision_on_already_decided_item_refused(submitted, reviewer):
    judge(submitted, reviewer)
    stale = Application.objects.get(pk=submitted.pk)
    application_decide(application=submitted, user=reviewer, kind="pass")
    with pytest.raises(ValidationError) as error:
        application_decide(application=stale, user=reviewer, kind="pending", reason="x")
    assert error.value.code == "stale"
    assert Decision.objects.count() == 1


def test_supplement_reopens_only_failing_items(submitted, reviewer):
    judge(submitted, reviewer, work_years="stamp_missing")
    deadline = timezone.now() + datetime.timedelta(days=3)
    application_decide(
        application=submitted,
        user=reviewer,
        kind="supplement",
        reason="工作年限证明缺少公章",
        deadline=deadline,
    )
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUPPLEMENT and submitted.fix_deadline == deadline
    assert list(
        Material.objects.filter(application=submitted, reopened=True).values_list("kind", flat=True)
    ) == ["work_years"]
    message = Message.objects.get(recipient=submitted.candidate.user)
    assert "工作年限证明" in message.body and "提交补正" in message.body

    candidate = submitted.candidate.user
    with pytest.raises(ValidationError) as error:  # not reopened
        material_upload(
            application=submitted,
            kind="application_form",
            files=[upload("x.pdf", pdf_bytes(1))],
            actor=candidate,
        )
    assert error.value.code == "locked"
    material_upload(
        application=submitted, kind="work_years", files=[upload("v2.pdf", pdf_bytes(1))], actor=candidate
    )
    application_submit(application=submitted, actor=candidate)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.CITY_REVIEW
    assert not Material.objects.filter(application=submitted, reopened=True).exists()
    # The fixed item needs a fresh verdict: the earlier one judged other files.
    application_claim(application=submitted, user=reviewer)
    with pytest.raises(ValidationError) as error:
        application_decide(application=submitted, user=reviewer, kind="pass")
    assert "工作年限证明" in " ".join(error.value.messages)


def test_supplement_after_deadline_refused(submitted, reviewer):
    judge(submitted, reviewer, work_years="blurred")
    deadline = timezone.now() + datetime.timedelta(days=1)
    application_decide(
        application=submitted, user=reviewer, kind="supplement", reason="模糊", deadline=deadline
    )
    submitted.refresh_from_db()
    late = deadline + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        application_submit(application=submitted, actor=submitted.candidate.user, now=late)
    assert error.value.code == "deadline"
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUPPLEMENT


def test_supplement_needs_a_failing_item_and_a_future_deadline(submitted, reviewer):
    judge(submitted, reviewer)
    with pytest.raises(ValidationError) as error:
        application_decide(
            application=submitted, user=reviewer, kind="supplement", reason="x", deadline=timezone.now()
        )
    assert error.value.code == "nothing"


def test_fail_takes_two_reviewers(submitted, reviewer, second_reviewer):
    judge(submitted, reviewer)
    application_decide(
        application=submitted,
        user=reviewer,
        kind="fail",
        reason_code="work_years",
        reason="工作年限不足 3 年",
    )
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.FAIL_PROPOSED
    assert not Message.objects.exists()  # nothing is final yet
    with pytest.raises(ValidationError) as error:
        application_claim(application=submitted, user=reviewer)
    assert error.value.code == "same_reviewer"
    application_claim(application=submitted, user=second_reviewer)
    application_decide(application=submitted, user=second_reviewer, kind="fail_confirm")
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.FAILED
    message = Message.objects.get(recipient=submitted.candidate.user)
    assert "从事相关专业工作年限不足" in message.body and "工作年限不足 3 年" in message.body


def test_second_reviewer_can_send_a_fail_back(submitted, reviewer, second_reviewer):
    judge(submitted, reviewer)
    application_decide(
        application=submitted, user=reviewer, kind="fail", reason_code="major", reason="专业不符"
    )
    submitted.refresh_from_db()
    application_claim(application=submitted, user=second_reviewer)
    application_decide(
        application=submitted, user=second_reviewer, kind="fail_reject", reason="专业属于相近专业"
    )
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.CITY_REVIEW


def test_fail_needs_a_reason(submitted, reviewer):
    judge(submitted, reviewer)
    with pytest.raises(ValidationError):
        application_decide(application=submitted, user=reviewer, kind="fail", reason="不符合")
    with pytest.raises(ValidationError):
        application_decide(application=submitted, user=reviewer, kind="fail", reason_code="major")
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.CITY_REVIEW


def test_pending_conditions(submitted, reviewer):
    application_claim(application=submitted, user=reviewer)
    application_decide(application=submitted, user=reviewer, kind="pending", reason="待学信网回复")
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.PENDING_CONDITIONS
    assert "报考条件待核查" in Message.objects.get().subject


def test_decision_audit_and_message_commit_together_or_not_at_all(submitted, reviewer):
    """The database refuses the message insert: the decision and its audit event vanish too."""
    judge(submitted, reviewer)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_message() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'message store down'; END $$ LANGUAGE plpgsql;"
            "CREATE TRIGGER refuse_message BEFORE INSERT ON candidates_message "
            "FOR EACH ROW EXECUTE FUNCTION refuse_message();"
        )
    events_before = AuditEvent.objects.count()
    with pytest.raises(DatabaseError):
        application_decide(application=submitted, user=reviewer, kind="pass")
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.CITY_REVIEW
    assert submitted.claimed_by == reviewer
    assert not Decision.objects.exists()
    assert AuditEvent.objects.count() == events_before
    assert not Message.objects.exists()


def test_reviewer_of_another_city_cannot_decide(submitted):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        application_decide(application=submitted, user=factories.CityReviewerFactory().user, kind="pass")


@pytest.fixture
def awaiting_supplement(submitted, reviewer):
    judge(submitted, reviewer, work_years="stamp_missing", application_form="blurred")
    application_decide(
        application=submitted,
        user=reviewer,
        kind="supplement",
        reason="证明缺章，报名表模糊",
        deadline=timezone.now() + datetime.timedelta(days=3),
    )
    submitted.refresh_from_db()
    return submitted


def test_a_supplement_without_a_new_file_or_a_statement_is_refused(awaiting_supplement):
    candidate = awaiting_supplement.candidate.user
    with pytest.raises(ValidationError) as error:
        application_submit(application=awaiting_supplement, actor=candidate)
    from candidates.rules import label_for

    assert sorted(error.value.messages) == sorted(
        f"“{label_for(kind)}”需要补正：请上传新的文件，或说明无需更换的理由。"
        for kind in ("work_years", "application_form")
    )
    awaiting_supplement.refresh_from_db()
    assert awaiting_supplement.status == ApplicationStatus.SUPPLEMENT
    # A new file for one item is not enough: the other still needs one, or a statement.
    material_upload(
        application=awaiting_supplement,
        kind="work_years",
        files=[upload("v2.pdf", pdf_bytes(1))],
        actor=candidate,
    )
    with pytest.raises(ValidationError, match="资格考试报名表"):
        application_submit(application=awaiting_supplement, actor=candidate)


def test_a_supplement_with_a_new_file_and_a_statement_goes_back_and_the_reviewer_sees_what_changed(
    awaiting_supplement, reviewer, client_for
):
    from candidates.models import MaterialNote

    candidate = awaiting_supplement.candidate.user
    material_upload(
        application=awaiting_supplement,
        kind="work_years",
        files=[upload("盖章版.pdf", pdf_bytes(1))],
        actor=candidate,
    )
    statement = "原报名表扫描件第 2 页已清晰，签名和公章均可辨认。"
    client = client_for(candidate)
    page = client.get(reverse("candidates:application", args=[awaiting_supplement.pk])).content.decode()
    assert 'name="statement-application_form"' in page
    response = client.post(
        reverse("candidates:submit", args=[awaiting_supplement.pk]), {"statement-application_form": statement}
    )
    assert response.status_code == 302
    awaiting_supplement.refresh_from_db()
    assert awaiting_supplement.status == ApplicationStatus.CITY_REVIEW
    note = MaterialNote.objects.get()
    assert note.text == statement and note.material.kind == "application_form" and note.author == candidate
    assert AuditEvent.objects.filter(action="material.note", target_id=str(note.pk)).exists()
    review = (
        client_for(reviewer).get(reverse("reviews:review", args=[awaiting_supplement.pk])).content.decode()
    )
    assert review.count("补正后有变化") == 2
    assert "新上传：盖章版.pdf（第 2 版" in review
    assert f"申请人说明：{statement}" in review


def test_decisions_fire_exactly_the_reviewer_events_and_the_queue_is_derived_from_them():
    from candidates.enums import BACKLOG_STATUSES, EVENTS, REVIEWER_EVENTS
    from reviews.services.decisions import DECISION_EVENTS

    assert set(DECISION_EVENTS.values()) == REVIEWER_EVENTS
    assert set(BACKLOG_STATUSES) == {s for e in REVIEWER_EVENTS for s in EVENTS[e].sources}
    assert set(BACKLOG_STATUSES) == {
        ApplicationStatus.CITY_REVIEW,
        ApplicationStatus.PENDING_CONDITIONS,
        ApplicationStatus.FAIL_PROPOSED,
        ApplicationStatus.APPEALED,
    }
