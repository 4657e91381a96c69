"""In English, what was stored reads in English too: the candidate's messages (kept as message
ids with their values) and the dashboard's charts."""

import pytest
from django.urls import reverse
from django.utils import translation

from candidates.enums import ApplicationStatus
from candidates.models import Message
from candidates.services.notify import notify_pending
from notices.selectors import round_dashboards
from tests import factories

pytestmark = pytest.mark.django_db


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def test_a_stored_message_reads_in_the_readers_language(client_for):
    application = factories.ApplicationFactory()
    notify_pending(application, reason="单位证明缺少公章")
    message = Message.objects.get(application=application)
    assert message.subject == "报考条件待核查" and "单位证明缺少公章" in message.body  # as mailed
    assert message.parts["body"][0][1] == {"reason": "单位证明缺少公章"}
    client = client_for(application.candidate.user)
    english(client)
    page = client.get(reverse("candidates:dashboard")).content.decode()
    with translation.override("en"):
        assert message.shown_subject != "报考条件待核查" and message.shown_subject in page
        assert (
            "单位证明缺少公章" in message.shown_body
            and "核查人员可能与您或您的单位联系" not in message.shown_body
        )
    with translation.override("zh-hans"):
        assert message.shown_subject == "报考条件待核查"


def test_the_dashboards_charts_in_english(client_for):
    round_ = factories.RoundFactory()
    factories.ApplicationFactory(roster_entry__round=round_, status=ApplicationStatus.CITY_REVIEW)
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    english(admin)
    page = admin.get(reverse("notices:dashboard")).content.decode()
    assert len(round_dashboards(city_id=round_.city_id)) == 1
    with translation.override("en"):
        label = translation.gettext("人工核查中")
    assert label != "人工核查中" and f">{label}</text>" in page and ">人工核查中</text>" not in page
