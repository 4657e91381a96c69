import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.enums import ApplicationStatus
from candidates.models import Application, Material
from reviews.models import EligibilityRule, MaterialVerdict
from reviews.selectors import queue_changed
from reviews.services.claims import application_claim
from tests import factories

pytestmark = pytest.mark.django_db


def review_urls(application):
    material = Material.objects.filter(application=application).first()
    return {
        "get": [reverse("reviews:review", args=[application.pk])],
        "post": [
            reverse("reviews:claim", args=[application.pk]),
            reverse("reviews:release", args=[application.pk]),
            reverse("reviews:decide", args=[application.pk]),
            reverse("reviews:verdict", args=[application.pk, material.pk]),
        ],
    }


def test_reviewer_of_another_city_sees_nothing(submitted, client_for):
    outsider = factories.CityReviewerFactory().user
    client = client_for(outsider)
    assert submitted.reference not in client.get(reverse("reviews:queue")).content.decode()
    urls = review_urls(submitted)
    for url in urls["get"]:
        assert client.get(url).status_code == 404
    for url in urls["post"]:
        assert client.post(url, {"kind": "pass", "ok": "1"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.CITY_REVIEW and submitted.claimed_by is None
    assert not MaterialVerdict.objects.exists()


@pytest.mark.parametrize("role", ["candidate", "hr", "none"])
def test_other_roles_cannot_open_the_workspace(submitted, client_for, role):
    user = {
        "candidate": lambda: submitted.candidate.user,
        "hr": lambda: factories.EmployerHRFactory(organisation=submitted.employer).user,
        "none": factories.UserFactory,
    }[role]()
    client = client_for(user)
    assert client.get(reverse("reviews:queue")).status_code == 404
    for url in review_urls(submitted)["get"]:
        assert client.get(url).status_code == 404


def test_review_page_shows_facts_and_prejudgement(submitted, reviewer, client_for):
    EligibilityRule.objects.create(
        exam=submitted.roster_entry.exam, education_level="bachelor", required_years=3
    )
    page = client_for(reviewer).get(reverse("reviews:review", args=[submitted.pk])).content.decode()
    assert "本科，需 3 年，申报" in page and "符合" in page
    assert "领取并处理" in page
    assert "单位未开通在线初审" in page
    assert "依据：未注明依据，请核对报考条件原文" in page


def test_review_page_shows_level_specialty_score_and_the_rule_for_the_level(submitted, reviewer, client_for):
    entry = submitted.roster_entry
    entry.level, entry.specialty, entry.score, entry.admission_number = (
        "中级",
        "社会工作实务",
        "72.5",
        "2526010203",
    )
    entry.save()
    exam = entry.exam
    EligibilityRule.objects.create(exam=exam, education_level="bachelor", required_years=2, demo=True)
    EligibilityRule.objects.create(
        exam=exam,
        exam_level="中级",
        education_level="bachelor",
        required_years=40,
        related_major_required=True,
        source="测试文件〔2026〕1号 第三条",
    )
    page = client_for(reviewer).get(reverse("reviews:review", args=[submitted.pk])).content.decode()
    assert "中级 · 社会工作实务" in page and "72.5" in page and "准考证号 2526010203" in page
    # The rule for the roster's level wins over the exam's rule for every level.
    assert "本科，需 40 年" in page and "不足" in page and "依据：测试文件〔2026〕1号 第三条" in page
    assert "须相关专业学历：请核对所学专业" in page
    assert f"符合：在{entry.city.name}报名，由本市核查" in page
    # Another level falls back to the general rule, which is demo data and says so.
    entry.level = "初级"
    entry.save()
    page = client_for(reviewer).get(reverse("reviews:review", args=[submitted.pk])).content.decode()
    assert "本科，需 2 年" in page and "依据：演示数据，非正式报考条件" in page
    # A roster entry from another city (属地报名) is flagged.
    entry.city = factories.CityFactory(name="株洲")
    entry.save()
    page = client_for(reviewer).get(reverse("reviews:review", args=[submitted.pk])).content.decode()
    assert "不符：名单报名地为株洲" in page


def test_work_the_item_through_the_pages_and_save_and_next(make_submitted, client_for):
    first = make_submitted()
    second = make_submitted(roster_entry__round__city=first.round.city)
    Application.objects.filter(pk=second.pk).update(status_changed_at=first.status_changed_at)
    reviewer = factories.CityReviewerFactory(city=first.round.city).user
    client = client_for(reviewer)
    response = client.post(reverse("reviews:claim_next"))
    assert response["Location"] == reverse("reviews:review", args=[first.pk])
    for material in Material.objects.filter(application=first):
        client.post(reverse("reviews:verdict", args=[first.pk, material.pk]), {"ok": "1"})
    page = client.get(reverse("reviews:review", args=[first.pk])).content.decode()
    assert page.count("已审：合格") == 3
    response = client.post(reverse("reviews:decide", args=[first.pk]), {"kind": "pass", "and_next": "1"})
    assert response["Location"] == reverse("reviews:review", args=[second.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ApplicationStatus.PASSED
    assert second.claimed_by == reviewer


def test_decision_refused_on_item_held_by_another_reviewer_page(
    submitted, reviewer, second_reviewer, client_for
):
    application_claim(application=submitted, user=second_reviewer)
    client = client_for(reviewer)
    response = client.post(
        reverse("reviews:decide", args=[submitted.pk]), {"kind": "pending", "reason": "x"}, follow=True
    )
    assert "正由其他核查人员处理" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.CITY_REVIEW


def queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("reviews:queue"))
    assert response.status_code == 200
    return len(context.captured_queries)


def test_queue_query_count_does_not_grow_with_items(make_submitted, client_for):
    first = make_submitted()
    city = first.round.city
    reviewer = factories.CityReviewerFactory(city=city).user
    client = client_for(reviewer)
    application_claim(application=first, user=reviewer)
    client.get(reverse("reviews:queue"))  # the city's exams are kept after the first view
    queue_changed(city_id=city.pk)
    one = queue_queries(client)
    for _ in range(49):
        factories.ApplicationFactory(
            roster_entry__round=first.round, status=ApplicationStatus.CITY_REVIEW, claimed_by=reviewer
        )
    fifty = queue_queries(client)  # the saves changed the queue's version: all is read again
    page = client.get(reverse("reviews:queue")).content.decode()
    assert page.count('href="/review/') >= 50
    assert one == fifty
    # Viewed again with nothing changed, the kept table, counts and figures are used, and the
    # account kept with its roles and second factor: nothing is read.
    assert queue_queries(client) == 0


def test_a_verdict_saves_in_place_and_shows_when_the_files_change(submitted, reviewer, client_for):
    from candidates.services.materials import material_store
    from tests.files import pdf_bytes, upload

    application_claim(application=submitted, user=reviewer)
    client = client_for(reviewer)
    material = submitted.materials.first()
    url = reverse("reviews:verdict", args=[submitted.pk, material.pk])
    answer = client.post(
        url, {"ok": "0", "reason": "blurred", "note": "第 2 页模糊"}, headers={"accept": "application/json"}
    )
    assert answer.json() == {"ok": True, "text": "已审：不合格（扫描件模糊不清） · 第 2 页模糊"}
    refused = client.post(url, {}, headers={"accept": "application/json"})
    assert refused.status_code == 400 and refused.json()["errors"] == ["请选择合格或不合格。"]
    page = client.get(reverse("reviews:review", args=[submitted.pk])).content.decode()
    assert f'id="ok-{material.pk}-0" checked' in page and 'value="第 2 页模糊"' in page
    # A new file after the verdict: the old verdict is shown as no longer applying.
    material_store(
        application=submitted,
        kind=material.kind,
        files=[upload("新.pdf", pdf_bytes(1))],
        actor=submitted.candidate.user,
    )
    page = client.get(reverse("reviews:review", args=[submitted.pk])).content.decode()
    assert "上次审核后文件有变化" in page and f'id="ok-{material.pk}-0" checked' not in page


def test_search_the_citys_applications_sort_and_the_rounds_exams(make_submitted, client_for):
    first = make_submitted()
    second = make_submitted(roster_entry__round=first.round)
    Application.objects.filter(pk=first.pk).update(
        status_changed_at=first.status_changed_at - datetime.timedelta(days=2)
    )
    reviewer = factories.CityReviewerFactory(city=first.round.city).user
    client = client_for(reviewer)
    url = reverse("reviews:queue")
    by_reference = client.get(url, {"q": first.reference.lower()}).context["table"].rows
    assert [row.reference for row in by_reference] == [first.reference]
    by_id = client.get(url, {"q": first.candidate.id_number}).context["table"].rows
    assert [row.reference for row in by_id] == [first.reference]
    by_name = client.get(url, {"q": f" {first.candidate.real_name} "}).context["table"].rows
    assert [row.reference for row in by_name] == [first.reference]
    # Longest waiting first, or the newest first.
    assert [row.reference for row in client.get(url).context["table"].rows] == [
        first.reference,
        second.reference,
    ]
    newest = client.get(url, {"sort": "newest"}).context["table"].rows
    assert [row.reference for row in newest] == [second.reference, first.reference]
    # A decided application is found too; another city's never.
    Application.objects.filter(pk=first.pk).update(status=ApplicationStatus.PASSED)
    assert len(client.get(url, {"q": first.reference}).context["table"].rows) == 1
    stranger = make_submitted()
    assert client.get(url, {"q": stranger.reference}).context["table"].rows == []
    # The exam filter lists the city's rounds' exams, not every exam there is.
    first.round.exams.add(first.exam)
    factories.ExamFactory(name="别处的考试")
    page = client.get(url).content.decode()
    assert first.exam.name in page and "别处的考试" not in page


def test_the_queues_exam_filter_follows_the_citys_rounds(client_for):
    """The exams are kept per city, and dropped when a round is saved or its exams change from
    either side."""
    application = factories.ApplicationFactory(status=ApplicationStatus.CITY_REVIEW)
    client = client_for(factories.CityReviewerFactory(city=application.city).user)

    def exams() -> set[str]:
        return {
            label
            for _value, label in client.get(reverse("reviews:queue"))
            .context["table"]
            .filter_choices["exam"][1:]
        }

    before = exams()
    assert before == set(application.round.exams.values_list("name", flat=True))
    application.round.exams.add(factories.ExamFactory(name="一级建造师"))
    assert exams() == before | {"一级建造师"}
    another = factories.ExamFactory(name="二级建造师")
    another.rounds.add(application.round)
    assert "二级建造师" in exams()
    factories.RoundFactory(city=application.city, exams=[factories.ExamFactory(name="监理工程师")])
    assert "监理工程师" in exams()
