import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from candidates.enums import EVENTS, ApplicationStatus, Event, RosterStatus
from candidates.models import Application, AuditEvent, Message, RosterEntry
from candidates.services.applications import (
    StaleApplication,
    TransitionError,
    application_start,
    application_submit,
    application_transition,
)
from candidates.services.materials import material_upload
from candidates.services.notify import EVENT_MESSAGES
from tests import factories
from tests.files import jpeg_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def upload_all_required(application):
    for requirement in application.required_materials():
        material_upload(
            application=application,
            kind=requirement.code,
            files=[upload(f"{requirement.code}.pdf", pdf_bytes(1))],
            actor=application.candidate.user,
        )


# Starting an application


def test_start_creates_draft_with_audit_event(candidate):
    entry = factories.RosterEntryFactory(id_number=candidate.id_number, name=candidate.real_name)
    application = application_start(candidate=candidate, entry=entry)
    assert application.status == ApplicationStatus.DRAFT
    assert application.roster_entry == entry and application.round == entry.round
    event = AuditEvent.objects.get(action="application.start")
    assert event.actor == candidate.user and event.application == application


def test_start_twice_returns_the_same_application(candidate):
    entry = factories.RosterEntryFactory(id_number=candidate.id_number, name=candidate.real_name)
    first = application_start(candidate=candidate, entry=entry)
    assert application_start(candidate=candidate, entry=entry) == first
    assert Application.objects.count() == 1


def test_start_refused_for_someone_elses_roster_entry(candidate):
    entry = factories.RosterEntryFactory()
    with pytest.raises(PermissionDenied):
        application_start(candidate=candidate, entry=entry)
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (datetime.timedelta(minutes=1), datetime.timedelta(days=3), "尚未开始"),
        (-datetime.timedelta(days=3), -datetime.timedelta(minutes=1), "已于"),
    ],
)
def test_start_refused_outside_the_window(candidate, opens, closes, message):
    now = timezone.now()
    round_ = factories.RoundFactory(opens_at=now + opens, closes_at=now + closes)
    entry = factories.RosterEntryFactory(
        round=round_, id_number=candidate.id_number, name=candidate.real_name
    )
    with pytest.raises(ValidationError) as error:
        application_start(candidate=candidate, entry=entry, now=now)
    assert message in error.value.messages[0]
    assert not Application.objects.exists()


def test_start_refused_for_person_who_failed_the_conditions_before(candidate):
    exam = factories.ExamFactory()
    failed = factories.ApplicationFactory(
        candidate=candidate,
        roster_entry__exam=exam,
        roster_entry__id_number=candidate.id_number,
        status=ApplicationStatus.FAILED,
    )
    supplementary = factories.RoundFactory(kind="supplementary", parent=failed.round)
    entry = factories.RosterEntryFactory(
        round=supplementary, id_number=candidate.id_number, name=candidate.real_name, exam=exam
    )
    with pytest.raises(ValidationError) as error:
        application_start(candidate=candidate, entry=entry)
    assert "不再受理" in error.value.messages[0]
    assert Application.objects.count() == 1


def test_failing_another_exam_does_not_bar_this_one(candidate):
    factories.ApplicationFactory(
        candidate=candidate, roster_entry__id_number=candidate.id_number, status=ApplicationStatus.FAILED
    )
    entry = factories.RosterEntryFactory(id_number=candidate.id_number, name=candidate.real_name)
    assert application_start(candidate=candidate, entry=entry).status == ApplicationStatus.DRAFT


# Submitting


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (-datetime.timedelta(minutes=1), False),  # one minute before the window opens
        (datetime.timedelta(0), True),  # the opening minute
        (datetime.timedelta(days=1), True),  # inside
        (datetime.timedelta(days=2) - datetime.timedelta(minutes=1), True),  # the last minute
        (datetime.timedelta(days=2), False),  # the closing time itself
        (datetime.timedelta(days=2, minutes=1), False),  # one minute after
    ],
)
def test_submit_only_inside_the_window(application, offset, accepted):
    opens = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(days=1)
    application.round.opens_at = opens
    application.round.closes_at = opens + datetime.timedelta(days=2)
    application.round.save()
    upload_all_required(application)
    now = opens + offset
    if accepted:
        application_submit(application=application, actor=application.candidate.user, now=now)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.CITY_REVIEW
        assert application.submitted_at == now
    else:
        with pytest.raises(ValidationError) as error:
            application_submit(application=application, actor=application.candidate.user, now=now)
        assert error.value.code == "window"
        application.refresh_from_db()
        assert application.status == ApplicationStatus.DRAFT
        assert application.submitted_at is None


def test_submit_refused_until_checklist_complete_and_draft_kept(application):
    material_upload(
        application=application,
        kind="application_form",
        files=[upload("form.jpg", jpeg_bytes())],
        actor=application.candidate.user,
    )
    with pytest.raises(ValidationError) as error:
        application_submit(application=application, actor=application.candidate.user)
    assert any("工作年限证明" in m for m in error.value.messages)
    assert any("备案表" in m for m in error.value.messages)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.materials.get(kind="application_form").versions.count() == 1


def test_submit_refused_without_declaration(candidate):
    entry = factories.RosterEntryFactory(id_number=candidate.id_number, name=candidate.real_name)
    application = application_start(candidate=candidate, entry=entry)
    with pytest.raises(ValidationError) as error:
        application_submit(application=application, actor=candidate.user)
    assert error.value.messages == ["请先填写并保存申报信息。"]


def test_submit_goes_to_city_when_employer_has_no_hr_account(application):
    upload_all_required(application)
    application_submit(application=application, actor=application.candidate.user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CITY_REVIEW
    assert application.stamped_on_paper is True
    assert RosterEntry.objects.get(pk=application.roster_entry_id).status == RosterStatus.APPLIED
    event = AuditEvent.objects.get(action="application.transition")
    assert event.data["from"] == "draft" and event.data["to"] == "city_review"
    assert event.data["declaration"]["school"] == "湖南师范大学"
    assert {m["kind"] for m in event.data["materials"]} == {
        "application_form",
        "work_years",
        "edu_chsi_record",
    }


def test_submit_goes_to_employer_when_it_has_hr_accounts(application):
    factories.EmployerHRFactory(organisation=application.employer)
    upload_all_required(application)
    application_submit(application=application, actor=application.candidate.user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.EMPLOYER_REVIEW
    assert application.stamped_on_paper is False


def test_submit_by_another_user_is_refused(application):
    upload_all_required(application)
    other = factories.CandidateFactory()
    with pytest.raises(PermissionDenied):
        application_submit(application=application, actor=other.user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_submitted_application_is_read_only(application):
    upload_all_required(application)
    application_submit(application=application, actor=application.candidate.user)
    application.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        material_upload(
            application=application,
            kind="work_years",
            files=[upload("late.pdf", pdf_bytes(1))],
            actor=application.candidate.user,
        )
    assert error.value.code == "locked"
    with pytest.raises(ValidationError):
        application_submit(application=application, actor=application.candidate.user)


# The event table

CASES = [(event, status) for event in Event for status in ApplicationStatus]


@pytest.mark.parametrize(("event", "source"), CASES, ids=[f"{e}@{s}" for e, s in CASES])
def test_every_event_fires_exactly_from_the_statuses_in_the_table(event, source):
    application = factories.ApplicationFactory(status=source)
    actor = factories.UserFactory()
    move = EVENTS[event]
    if source in move.sources:
        words = {"deadline": timezone.now() + datetime.timedelta(days=3), "items": ["工作年限证明"]}
        application_transition(
            application=application, event=event, actor=actor, reason="test", message=words
        )
        application.refresh_from_db()
        assert application.status == move.target
        # The event's message went to the candidate with the move, or none when it has none.
        told = Message.objects.filter(recipient=application.candidate.user, application=application)
        assert told.count() == (1 if event in EVENT_MESSAGES else 0)
        audit = AuditEvent.objects.get(action="application.transition")
        assert (audit.data["event"], audit.data["from"], audit.data["to"], audit.actor) == (
            event,
            source,
            move.target,
            actor,
        )
    else:
        with pytest.raises(TransitionError):
            application_transition(application=application, event=event, actor=actor)
        application.refresh_from_db()
        assert application.status == source
        assert not AuditEvent.objects.filter(action="application.transition").exists()


def test_the_readme_diagram_is_the_event_table():
    """The workflow diagram in the README is generated from EVENTS and must stay equal to it."""
    from pathlib import Path

    from django.core.management import call_command

    out = io.StringIO()
    call_command("workflow_diagram", stdout=out)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert out.getvalue().strip() in readme


def test_transition_on_a_stale_copy_changes_nothing():
    application = factories.ApplicationFactory(status=ApplicationStatus.CITY_REVIEW)
    stale_copy = Application.objects.get(pk=application.pk)
    application_transition(application=application, event=Event.DECIDE_PASS, actor=factories.UserFactory())
    with pytest.raises(StaleApplication) as error:
        application_transition(
            application=stale_copy, event=Event.REQUEST_SUPPLEMENT, actor=factories.UserFactory()
        )
    assert "已被他人更新" in error.value.messages[0]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PASSED
    assert AuditEvent.objects.filter(action="application.transition").count() == 1
