import datetime
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notices.models import Notice, NoticeAttachment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return factories.UserFactory(is_superuser=True)


def test_markdown_is_rendered_and_sanitised(client, author):
    notice = Notice.objects.create(
        title="关于2026年度社会工作者考后人工核查的公告",
        body=(
            "## 一、核查对象\n\n**成绩合格**人员。<script>alert(1)</script>\n\n"
            "[点我](javascript:alert(1)) <img src=x onerror=alert(1)>"
        ),
        created_by=author,
    )
    page = client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "<h2>一、核查对象</h2>" in page and "<strong>成绩合格</strong>" in page
    assert "<script>alert" not in page and "javascript:" not in page and "onerror" not in page


def test_scheduled_notice_appears_at_its_time(client, author):
    """Also on the kept list of notices: it is never kept past the next scheduled notice."""
    due = timezone.now() + datetime.timedelta(seconds=2)
    later = Notice.objects.create(title="补办公告", body="x", created_by=author, publish_at=due)
    assert "补办公告" not in client.get(reverse("notices:list")).content.decode()
    assert client.get(reverse("notices:detail", args=[later.pk])).status_code == 404
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 1.1)
    assert "补办公告" in client.get(reverse("notices:list")).content.decode()
    assert client.get(reverse("notices:detail", args=[later.pk])).status_code == 200


def test_notice_shows_its_round_and_attachments(client, author):
    round_ = factories.RoundFactory(contact_phones="0731-84907978", contact_address="芙蓉中路一段669号")
    notice = Notice.objects.create(title="公告", body="正文", created_by=author, round=round_)
    item = NoticeAttachment(
        notice=notice, kind="form_template", title="资格考试报名表模板", original_name="报名表.docx", size=4
    )
    item.file.save("x.docx", ContentFile(b"docx"), save=True)
    page = client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "0731-84907978" in page and "芙蓉中路一段669号" in page and "资格考试报名表模板" in page
    response = client.get(reverse("notices:attachment", args=[item.pk]))
    assert b"".join(response.streaming_content) == b"docx"


def test_cities_contact_table(client):
    call_command("load_reference", verbosity=0)
    page = client.get(reverse("notices:cities")).content.decode()
    assert page.count("<tr>") == 15  # header and the 14 prefectures
    assert "0743-8222653" in page and "湘西州" in page
