import datetime
import io
import re
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from candidates.enums import ApplicationStatus
from candidates.models import Application, Message
from notices.enums import PassListStatus, ReportStatus
from notices.models import PassList
from notices.services.publication import (
    pass_list_finalize_due,
    pass_list_publish,
    report_handle,
    report_submit,
)
from notices.tasks import task_publish_due
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def passed_round():
    round_ = factories.RoundFactory(publication_at=timezone.now() - datetime.timedelta(minutes=1))
    employer = factories.OrganisationFactory(name="长沙示范设计院")
    applications = [
        factories.ApplicationFactory(
            roster_entry__round=round_,
            candidate__real_name=name,
            candidate__id_number=factories.make_id_number(),
            employer=employer,
            status=ApplicationStatus.PASSED,
        )
        for name in ("王小明", "李小红", "张大山")
    ]
    factories.ApplicationFactory(roster_entry__round=round_, status=ApplicationStatus.FAILED)
    return round_, applications


def publish(round_, capture):
    with capture(execute=True):
        return pass_list_publish(round_=round_)


def test_publication_masks_ids_and_makes_both_files(passed_round, django_capture_on_commit_callbacks, client):
    round_, applications = passed_round
    pass_list = publish(round_, django_capture_on_commit_callbacks)
    pass_list.refresh_from_db()
    assert pass_list.status == PassListStatus.PUBLISHED and pass_list.entry_count == 3
    id_number = applications[0].candidate.id_number
    entry = pass_list.entries.get(application=applications[0])
    assert entry.masked_id == f"{id_number[:6]}********{id_number[14:]}"
    assert entry.employer == "长沙示范设计院" and entry.gender in ("男", "女")
    sheet = load_workbook(io.BytesIO(pass_list.xlsx.open("rb").read())).active
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert sorted(names) == sorted(a.candidate.real_name for a in applications)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pass_list.pdf.open("rb").read())).pages)
    assert "王小明" in text and entry.masked_id in text and id_number not in text
    assert "公示期为发布之日起 10 天" in text.replace("\n", "") and "举报编号" in text.replace("\n", "")
    page = client.get(reverse("notices:pass_list", args=[pass_list.pk])).content.decode()
    assert entry.masked_id in page and id_number not in page and "举报" in page
    # Found by the last four characters of the ID number, which the masked number shows.
    url = reverse("notices:pass_list", args=[pass_list.pk])
    found = client.get(url, {"last4": id_number[-4:].lower()}).content.decode()
    shown_ids = re.findall(r'class="nowrap">(.*?)</td>', found)
    assert reverse("notices:report", args=[pass_list.pk, entry.pk]) in found
    assert shown_ids and all(masked.endswith(id_number[-4:]) for masked in shown_ids)
    other_exam = pass_list.entries.exclude(pk=entry.pk).first()
    type(other_exam).objects.filter(pk=other_exam.pk).update(exam="经济专业技术资格")
    # A public list never changes in the portal; this test changed a row behind its back, so the
    # list's cached exams are dropped as a new version would.
    from django.core.cache import cache

    cache.clear()
    by_exam = client.get(url, {"exam": "经济专业技术资格"})
    reported = re.findall(r'href="[^"]*/(\d+)/report/"', by_exam.content.decode())
    assert reported == [str(other_exam.pk)]
    assert '<option value="经济专业技术资格" selected>' in by_exam.content.decode()


def test_publishing_twice_publishes_once(passed_round, django_capture_on_commit_callbacks):
    round_, _ = passed_round
    with django_capture_on_commit_callbacks(execute=True):
        task_publish_due()
        task_publish_due()
        pass_list_publish(round_=round_)
    assert PassList.objects.filter(round=round_).count() == 1


def test_not_published_before_its_time():
    round_ = factories.RoundFactory(publication_at=timezone.now() + datetime.timedelta(hours=1))
    assert pass_list_publish(round_=round_) is None
    task_publish_due()
    assert not PassList.objects.exists()


def test_upheld_report_makes_a_new_version_without_the_person(
    passed_round, django_capture_on_commit_callbacks
):
    round_, applications = passed_round
    first = publish(round_, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    entry = first.entries.get(application=applications[1])
    report = report_submit(
        entry=entry, address="10.0.0.1", contact="13900001111", text="该人员工作年限造假，实际不足三年。"
    )
    admin = factories.UserFactory(is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        report_handle(report=report, user=admin, upheld=True, outcome="经向单位核实，工作年限不足。")
    report.refresh_from_db()
    assert report.status == ReportStatus.UPHELD and report.handled_by == admin
    assert Application.objects.get(pk=applications[1].pk).status == ApplicationStatus.FAILED
    assert Message.objects.filter(
        recipient=applications[1].candidate.user, subject__contains="不通过"
    ).exists()
    first.refresh_from_db()
    second = PassList.objects.get(round=round_, version=2)
    assert second.status == PassListStatus.PUBLISHED and first.status == PassListStatus.SUPERSEDED
    assert first.entries.count() == 3  # the old version is kept
    assert sorted(second.entries.values_list("name", flat=True)) == ["张大山", "王小明"]


def test_dismissed_report_changes_nothing(passed_round, django_capture_on_commit_callbacks):
    round_, applications = passed_round
    pass_list = publish(round_, django_capture_on_commit_callbacks)
    pass_list.refresh_from_db()
    report = report_submit(
        entry=pass_list.entries.first(),
        address="10.0.0.2",
        contact="x@example.com",
        text="怀疑学历不符合报考条件要求。",
    )
    report_handle(
        report=report, user=factories.UserFactory(is_superuser=True), upheld=False, outcome="学历核实无误。"
    )
    assert PassList.objects.filter(round=round_).count() == 1
    assert not Application.objects.filter(
        status=ApplicationStatus.FAILED, pk__in=[a.pk for a in applications]
    ).exists()


def test_reports_are_throttled_per_address(passed_round, django_capture_on_commit_callbacks, settings):
    settings.PORTAL_REPORTS_PER_HOUR = 2
    from django.core.cache import cache

    cache.clear()
    round_, _ = passed_round
    pass_list = publish(round_, django_capture_on_commit_callbacks)
    pass_list.refresh_from_db()
    entry = pass_list.entries.first()
    for _ in range(2):
        report_submit(entry=entry, address="10.9.9.9", contact="c", text="举报内容至少十个字的说明。")
    with pytest.raises(ValidationError) as error:
        report_submit(entry=entry, address="10.9.9.9", contact="c", text="举报内容至少十个字的说明。")
    assert error.value.code == "throttled"
    report_submit(entry=entry, address="10.9.9.10", contact="c", text="另一个地址的举报内容说明。")


def test_objection_period_ends_and_the_list_is_final(passed_round, django_capture_on_commit_callbacks):
    round_, _ = passed_round
    pass_list = publish(round_, django_capture_on_commit_callbacks)
    pass_list.refresh_from_db()
    later = pass_list.objection_ends_at + datetime.timedelta(seconds=1)
    with pytest.raises(ValidationError):
        report_submit(
            entry=pass_list.entries.first(),
            address="1.1.1.1",
            contact="c",
            text="公示期之后的举报内容",
            now=later,
        )
    assert pass_list_finalize_due(now=later) == 1
    pass_list.refresh_from_db()
    assert pass_list.status == PassListStatus.FINAL


def test_report_page(passed_round, django_capture_on_commit_callbacks, client, client_for):
    round_, _ = passed_round
    pass_list = publish(round_, django_capture_on_commit_callbacks)
    entry = pass_list.entries.first()
    url = reverse("notices:report", args=[pass_list.pk, entry.pk])
    response = client.post(url, {"contact": "", "text": "短"})
    form = response.context["form"]
    assert form.errors["contact"]
    response = client.post(url, {"contact": "13900001111", "text": "该人员工作年限不足三年，请核实。"})
    assert response.status_code == 302
    report = entry.reports.get()
    assert re.fullmatch(r"JB\d{8}[A-HJ-NP-Z2-9]{8}", report.reference)
    # The reporter is given the number, and with it sees the state, then the outcome.
    page = client.get(response["Location"]).content.decode()
    assert f"举报已收到，编号 {report.reference}" in page and "正在核实" in page
    from notices.services.publication import report_handle

    with django_capture_on_commit_callbacks(execute=True):
        report_handle(
            report=report,
            user=factories.UserFactory(is_superuser=True),
            upheld=False,
            outcome="经核实，工作年限符合要求。",
        )
    lookup = client.get(
        reverse("notices:report_lookup"), {"reference": report.reference.lower()}
    ).content.decode()
    assert "举报不属实" in lookup and "经核实，工作年限符合要求。" in lookup and entry.name not in lookup
    assert (
        "没有找到该编号的举报"
        in client.get(reverse("notices:report_lookup"), {"reference": "JB0"}).content.decode()
    )
    # The administrators' queue links the report to the application.
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    queue = admin.get(reverse("notices:reports")).content.decode()
    assert (
        reverse("notices:application_handle", args=[entry.application_id]) in queue
        and report.reference in queue
    )


def test_every_move_of_a_pass_list_is_audited(passed_round, django_capture_on_commit_callbacks):
    from candidates.models import AuditEvent
    from notices.services.publication import pass_list_finalize_due

    round_, _applications = passed_round
    first = publish(round_, django_capture_on_commit_callbacks)
    assert AuditEvent.objects.filter(action="pass_list.published", target_id=str(first.pk)).exists()
    first.refresh_from_db()
    report = report_submit(
        entry=first.entries.first(), address="10.0.0.9", contact="c", text="经查工作年限不足三年。"
    )
    with django_capture_on_commit_callbacks(execute=True):
        report_handle(
            report=report, user=factories.UserFactory(is_superuser=True), upheld=True, outcome="属实"
        )
    superseded = AuditEvent.objects.get(action="pass_list.superseded", target_id=str(first.pk))
    assert superseded.data["from"] == PassListStatus.PUBLISHED
    second = PassList.objects.get(round=round_, version=2)
    assert pass_list_finalize_due(now=second.objection_ends_at + datetime.timedelta(minutes=1)) == 1
    assert AuditEvent.objects.filter(action="pass_list.final", target_id=str(second.pk)).exists()


def test_a_pages_rows_are_kept_but_follow_the_objection_period_and_the_language(
    passed_round, django_capture_on_commit_callbacks, client
):
    """The rows of a page of a whole list are rendered once and kept (the list never changes);
    the report links go when the objection period ends, and English readers get English."""
    round_, _applications = passed_round
    pass_list = publish(round_, django_capture_on_commit_callbacks)
    url = reverse("notices:pass_list", args=[pass_list.pk])
    # The objection period ends (no save: its time comes) two seconds after these views.
    pass_list.objection_ends_at = timezone.now() + datetime.timedelta(seconds=2)
    pass_list.save(update_fields=["objection_ends_at"])
    first = client.get(url).content.decode()
    assert first.count(">举报<span") == 3
    assert client.get(url).content.decode().count(">举报<span") == 3  # from the kept rows
    time.sleep(max(0.0, (pass_list.objection_ends_at - timezone.now()).total_seconds()) + 0.2)
    assert ">举报<span" not in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert 'data-label="Gender"' in english


def test_the_pdf_parts_number_the_positions_across_the_whole_list(
    passed_round, django_capture_on_commit_callbacks, settings
):
    """The PDF is rendered in parts and merged: each page names the positions on it, which
    run on across the parts (a page number would start again in each part)."""
    settings.PORTAL_PDF_CHUNK_ROWS = 1
    round_, _applications = passed_round
    pass_list = publish(round_, django_capture_on_commit_callbacks)
    pass_list.refresh_from_db()
    assert sorted(pass_list.pdf_chunks) == ["0", "1", "2"]
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pass_list.pdf.open("rb").read())).pages]
    assert len(pages) == 3
    assert pages[0].startswith(f"{round_.name} · ") and "公示期为发布之日起" in pages[0]
    assert all("公示期为发布之日起" not in page for page in pages[1:])
    for position, page in enumerate(pages, start=1):
        entry = pass_list.entries.get(position=position)
        assert (
            f"第 {position}–{position} 名，共 3 名" in page and entry.name in page and entry.masked_id in page
        )
