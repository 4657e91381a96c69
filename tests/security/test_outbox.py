"""Every job the portal queues happens at least once and has its effect once: recorded in
the outbox with the change, sent after the commit, and, when the broker refused the
connection, sent by the periodic catch-up once it is back."""

import datetime

import pytest
from celery import current_app
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from candidates.enums import ApplicationStatus, DocumentKind
from candidates.models import GeneratedDocument, Message, OutboxJob
from candidates.services.applications import application_submit
from notices.enums import PassListStatus
from notices.models import PassList, ReminderSent
from notices.services.publication import pass_list_publish
from notices.services.reminders import reminders_send
from reviews.enums import EmployerCheck
from reviews.services.decisions import application_decide
from reviews.services.employer import employer_approve
from tests import factories
from tests.conftest import upload_checklist
from tests.reviews.test_decisions import judge
from tests.security.test_faults import broker_down  # noqa: F401 - the fixture
from verification_portal.shared.jobs import outbox_flush

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def broker_back_and_catch_up():
    """The broker is reachable again (eager here); the catch-up runs twice."""
    current_app.conf.task_always_eager = True
    later = timezone.now() + datetime.timedelta(minutes=3)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the jobs these jobs queue, after commit
        first = outbox_flush(now=later)
    with TestCase.captureOnCommitCallbacks(execute=True):
        second = outbox_flush(now=later)
    assert second == {"sent": 0, "failed": 0}
    assert not OutboxJob.objects.filter(sent_at__isnull=True).exists()
    return first


def test_an_approval_while_the_broker_refuses(broker_down, django_capture_on_commit_callbacks):  # noqa: F811
    hr = factories.EmployerHRFactory()
    application = factories.ApplicationFactory(employer=hr.organisation)
    application.candidate.user.email = "c@example.com"
    application.candidate.user.save()
    upload_checklist(application)
    application_submit(application=application, actor=application.candidate.user)
    with django_capture_on_commit_callbacks(execute=True):
        employer_approve(application=application, user=hr.user, checks=list(EmployerCheck.values))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CITY_REVIEW  # the approval itself stands
    assert not GeneratedDocument.objects.filter(kind=DocumentKind.WORK_YEARS_PROOF).exists()
    assert OutboxJob.objects.filter(task="reviews.render_work_years_proof", sent_at__isnull=True).exists()
    pending = OutboxJob.objects.get(task="reviews.render_work_years_proof")
    assert pending.attempts == 1 and pending.last_error
    broker_back_and_catch_up()
    assert (
        GeneratedDocument.objects.filter(application=application, kind=DocumentKind.WORK_YEARS_PROOF).count()
        == 1
    )
    approved = Message.objects.get(recipient=application.candidate.user, subject__contains="初审已通过")
    assert approved.emailed_at is not None
    assert [m.subject for m in mail.outbox].count(f"[考后人工核查] {approved.subject}") == 1


def test_a_decision_while_the_broker_refuses(make_submitted, broker_down, django_capture_on_commit_callbacks):  # noqa: F811
    application = make_submitted()
    application.candidate.user.email = "c@example.com"
    application.candidate.user.save()
    reviewer = factories.CityReviewerFactory(city=application.round.city).user
    judge(application, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(application=application, user=reviewer, kind="pass")
    message = Message.objects.get(
        recipient=application.candidate.user, application=application, subject__contains="通过"
    )
    assert message.emailed_at is None and mail.outbox == []
    broker_back_and_catch_up()
    message.refresh_from_db()
    assert message.emailed_at is not None
    assert len([m for m in mail.outbox if message.subject in m.subject]) == 1


def test_a_publication_while_the_broker_refuses(broker_down, django_capture_on_commit_callbacks):  # noqa: F811
    round_ = factories.RoundFactory(publication_at=timezone.now() - datetime.timedelta(minutes=1))
    for _ in range(3):
        factories.ApplicationFactory(roster_entry__round=round_, status=ApplicationStatus.PASSED)
    with django_capture_on_commit_callbacks(execute=True):
        pass_list = pass_list_publish(round_=round_)
    pass_list.refresh_from_db()
    assert pass_list.status == PassListStatus.GENERATING and not pass_list.xlsx and not pass_list.pdf
    broker_back_and_catch_up()
    pass_list = PassList.objects.get(pk=pass_list.pk)
    assert pass_list.status == PassListStatus.PUBLISHED and pass_list.xlsx and pass_list.pdf
    assert pass_list.entries.count() == 3
    assert PassList.objects.filter(round=round_).count() == 1


def test_a_reminder_run_while_the_broker_refuses(broker_down, django_capture_on_commit_callbacks):  # noqa: F811
    now = timezone.now()
    round_ = factories.RoundFactory(
        opens_at=now - datetime.timedelta(days=5), closes_at=now + datetime.timedelta(hours=20)
    )
    candidate = factories.CandidateFactory(user__email="c@example.com")
    factories.RosterEntryFactory(round=round_, id_number=candidate.id_number, name=candidate.real_name)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=now) == 2
    assert mail.outbox == [] and ReminderSent.objects.filter(sent_at__isnull=True).count() == 2
    broker_back_and_catch_up()
    assert len(mail.outbox) == 1 and "尚未申报" in mail.outbox[0].body
    assert not ReminderSent.objects.filter(sent_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=now) == 0  # the next run queues nothing again
    assert len(mail.outbox) == 1
