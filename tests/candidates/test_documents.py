import io

import pytest
from pypdf import PdfReader

from candidates.enums import DocumentKind
from candidates.models import Application, GeneratedDocument
from candidates.services.applications import application_submit
from candidates.services.documents import document_render
from candidates.tasks import task_render_document
from tests.candidates.test_applications import upload_all_required

pytestmark = pytest.mark.django_db


def pdf_text(document: GeneratedDocument) -> str:
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    # Table cells wrap long values onto new lines; the words are what matters.
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def test_application_form_has_candidate_name_as_text(application):
    document = document_render(application=application, kind=DocumentKind.APPLICATION_FORM)
    text = pdf_text(document)
    assert application.candidate.real_name in text
    assert application.candidate.id_number in text
    assert "资格考试报名表" in text
    assert f"手机号码：{application.candidate.phone}" in text
    assert "湖南师范大学" in text


def test_application_form_rendered_once_per_declaration(application):
    first = document_render(application=application, kind=DocumentKind.APPLICATION_FORM)
    again = document_render(application=application, kind=DocumentKind.APPLICATION_FORM)
    assert first.pk == again.pk
    application.school = "中南大学"
    application.save()
    changed = document_render(application=application, kind=DocumentKind.APPLICATION_FORM)
    assert changed.pk != first.pk
    assert "中南大学" in pdf_text(changed)
    assert GeneratedDocument.objects.count() == 2  # the earlier version is kept


def test_receipt_after_submission(application, django_capture_on_commit_callbacks):
    upload_all_required(application)
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application=application, actor=application.candidate.user)
    application.refresh_from_db()
    receipt = GeneratedDocument.objects.get(application=application, kind=DocumentKind.RECEIPT)
    text = pdf_text(receipt)
    assert application.candidate.real_name in text
    assert application.reference in text
    assert "工作年限证明" in text
    assert application.candidate.id_number not in text  # masked on the receipt
    assert application.candidate.id_number[:6] + "********" in text


def test_no_receipt_for_a_draft(application):
    task_render_document(application_id=application.pk, kind=DocumentKind.RECEIPT)
    assert not GeneratedDocument.objects.exists()


def test_one_stamp_wording_everywhere_from_the_same_rule(application, client_for):
    """Paper stamp while the employer has no HR account; signed only once it reviews online:
    the checklist, the text beside the form's download and the form's footer say the same."""
    from django.urls import reverse

    from candidates import rules
    from tests import factories

    def says(expected: str, other: str):
        application = Application.objects.get(pk=pk)
        client = client_for(application.candidate.user)
        page = client.get(reverse("candidates:application", args=[application.pk])).content.decode()
        assert page.count(expected) >= 2 and other not in page  # checklist and beside the download
        footer = pdf_text(document_render(application=application, kind=DocumentKind.APPLICATION_FORM))
        assert expected.replace(" ", "") in footer.replace(" ", "") and other not in footer

    pk = application.pk
    paper, online = str(rules.STAMP_ON_PAPER), str(rules.STAMP_ONLINE)
    says(paper, online)
    factories.EmployerHRFactory(organisation=application.employer)
    says(online, paper)


def test_the_result_notice_states_the_outcome_the_reasons_and_the_appeal_route(client_for):
    """核查结果告知书: a PDF the candidate can print, for a pass or a fail."""
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from candidates.enums import ApplicationStatus
    from reviews.enums import DecisionKind
    from reviews.models import Decision
    from tests import factories

    failed = factories.ApplicationFactory(
        status=ApplicationStatus.FAILED,
        submitted_at=timezone.now(),
        roster_entry__round__appeal_closes_at=timezone.now() + datetime.timedelta(days=10),
    )
    Decision.objects.create(
        application=failed,
        reviewer=factories.UserFactory(),
        kind=DecisionKind.FAIL,
        reason_code="work_years",
        reason="工作年限不足 3 年。",
    )
    client = client_for(failed.candidate.user)
    page = client.get(reverse("candidates:application", args=[failed.pk])).content.decode()
    assert "下载核查结果告知书（PDF）" in page
    document = document_render(application=failed, kind=DocumentKind.RESULT_NOTICE)
    text = pdf_text(document)
    assert "核查结论 不通过" in text and "从事相关专业工作年限不足：工作年限不足 3 年" in text
    assert "提出申辩" in text and failed.reference in text
    response = client.get(reverse("candidates:document", args=[failed.pk, "result_notice"]))
    assert response["Content-Type"] == "application/pdf"
    # Not before a decision.
    draft = factories.ApplicationFactory(candidate=failed.candidate)
    assert client.get(reverse("candidates:document", args=[draft.pk, "result_notice"])).status_code == 404
    assert document_render(application=draft, kind=DocumentKind.RESULT_NOTICE) is None
