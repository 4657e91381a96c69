"""The public list's pages on publication day: a page of the whole list is rendered once and
kept, yet shows a new list of the round, a renamed round and the end of the objection period
on the next view; a search finds three characters anywhere and one or two at the start of
the name or the employer, and the last four characters of the ID number."""

import datetime
import html
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus
from notices.enums import PassListStatus
from notices.models import PassList
from notices.services.publication import (
    pass_list_publish,
    pass_list_publish_supplementary,
    pass_list_transition,
)
from tests import factories
from tests.html import without_csrf_tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    round_ = factories.RoundFactory(
        name="2026年度社会工作者考后核查", publication_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    people = [
        ("王小明", "长沙市第一社会工作服务中心"),
        ("张三", "湘潭市民政局"),
        ("李张三", "株洲市第二社会工作服务中心"),
        ("赵小红", "张家界市社会福利院"),
    ]
    applications = [
        factories.ApplicationFactory(
            roster_entry__round=round_,
            candidate__real_name=name,
            candidate__id_number=factories.make_id_number(),
            employer=factories.OrganisationFactory(name=employer),
            status=ApplicationStatus.PASSED,
        )
        for name, employer in people
    ]
    with django_capture_on_commit_callbacks(execute=True):
        pass_list = pass_list_publish(round_=round_)
    pass_list.refresh_from_db()
    return pass_list, applications


def names(response) -> list[str]:
    """The names in the list's table, as the page shows them."""
    return [
        html.unescape(name) for name in re.findall(r'<td class="name">(.*?)</td>', response.content.decode())
    ]


def test_a_whole_page_is_kept_and_costs_no_query(published, client, django_assert_num_queries):
    pass_list, _ = published
    url = reverse("notices:pass_list", args=[pass_list.pk])
    first = client.get(url).content.decode()
    with django_assert_num_queries(0):  # the list and the page are kept under their versions
        again = client.get(url).content.decode()
    assert without_csrf_tokens(again) == without_csrf_tokens(first) and "王小明" in again
    entry = pass_list.entries.get(name="王小明")
    assert f'<a href="{reverse("notices:report", args=[pass_list.pk, entry.pk])}">举报' in again


def test_a_kept_page_shows_a_new_list_a_renamed_round_and_the_end_of_objections(
    published, client, django_capture_on_commit_callbacks
):
    pass_list, _applications = published
    url = reverse("notices:pass_list", args=[pass_list.pk])
    assert "补充公示" not in client.get(url).content.decode()
    late = factories.ApplicationFactory(
        roster_entry__round=pass_list.round,
        candidate__real_name="钱补充",
        candidate__id_number=factories.make_id_number(),
        status=ApplicationStatus.PASSED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        supplementary = pass_list_publish_supplementary(round_=pass_list.round, wait=False)
    assert supplementary is not None and late.pk
    supplementary.refresh_from_db()
    page = client.get(url).content.decode()
    assert reverse("notices:pass_list", args=[supplementary.pk]) in page
    round_ = pass_list.round
    round_.name = "2026年度社会工作者职业资格考后人工核查（更正）"
    round_.save(update_fields=["name"])
    assert "（更正）" in client.get(url).content.decode()
    # The objection period ends (no save: its time comes) two seconds after the last view.
    pass_list.objection_ends_at = timezone.now() + datetime.timedelta(seconds=2)
    pass_list.save(update_fields=["objection_ends_at"])
    assert ">举报<span" in client.get(url).content.decode()
    time.sleep(max(0.0, (pass_list.objection_ends_at - timezone.now()).total_seconds()) + 0.2)
    page = client.get(url).content.decode()
    assert (
        "王小明" in page
        and reverse("notices:report", args=[pass_list.pk, pass_list.entries.first().pk]) not in page
    )


def test_a_withdrawn_list_is_gone_at_once(published, client):
    pass_list, _ = published
    url = reverse("notices:pass_list", args=[pass_list.pk])
    assert client.get(url).status_code == 200
    pass_list_transition(pass_list=pass_list, to=PassListStatus.SUPERSEDED, now=timezone.now())
    assert client.get(url).status_code == 404
    assert client.get(url, {"q": "王小明"}).status_code == 404


def test_a_search_fills_the_kept_frame_with_its_own_rows_and_addresses(
    published, client, django_assert_num_queries
):
    pass_list, _ = published
    url = reverse("notices:pass_list", args=[pass_list.pk])
    client.get(url, {"q": "张三"})  # the frame is kept
    with django_assert_num_queries(1):  # the search itself
        page = client.get(url, {"q": "王小明"})
    html = page.content.decode()
    assert names(page) == ["王小明"] and "张三" not in html and 'value="王小明"' in html
    # The language and care-mode forms return to this search, escaped.
    hostile = client.get(url, {"q": '"><script>x</script>'}).content.decode()
    assert "<script>x" not in hostile and "&lt;script&gt;x" in hostile
    assert html.count(f'name="next" value="{url}?q=%E7%8E%8B%E5%B0%8F%E6%98%8E"') == 2
    assert "keptcsrf" not in html  # every mark filled in


def test_search_three_characters_anywhere_one_or_two_at_the_start(published, client):
    pass_list, applications = published
    url = reverse("notices:pass_list", args=[pass_list.pk])
    assert names(client.get(url, {"q": "小明"})) == []  # two characters: the start only
    assert names(client.get(url, {"q": "张三"})) == ["张三"]  # not 李张三
    assert sorted(names(client.get(url, {"q": "王"}))) == ["王小明"]
    assert sorted(names(client.get(url, {"q": "王小明"}))) == ["王小明"]
    assert sorted(names(client.get(url, {"q": "李张三"}))) == ["李张三"]
    assert sorted(names(client.get(url, {"q": "社会工作服务中心"}))) == ["李张三", "王小明"]
    assert sorted(names(client.get(url, {"q": "张家界"}))) == ["赵小红"]  # the employer's start
    assert sorted(names(client.get(url, {"q": "湘潭"}))) == ["张三"]
    id_number = applications[3].candidate.id_number
    assert names(client.get(url, {"last4": id_number[-4:].lower()})) == ["赵小红"]
    assert names(client.get(url, {"last4": id_number[-3:]})) == ["赵小红"]
    page = client.get(url, {"q": "<b>王"})
    assert page.status_code == 200 and "&lt;b&gt;王" in page.content.decode()


def test_a_search_finding_more_than_a_page_is_counted_and_paged(published, client):
    from notices.models import PassListEntry

    pass_list, applications = published
    PassListEntry.objects.bulk_create(
        PassListEntry(
            pass_list=pass_list,
            position=10 + n,
            application=applications[0],
            name=f"欧阳{n:03d}",
            gender="男",
            exam="社会工作者",
            employer="岳阳市社会工作协会",
            masked_id="430102********0000",
        )
        for n in range(130)
    )
    url = reverse("notices:pass_list", args=[pass_list.pk])
    first = client.get(url, {"q": "欧阳"})
    assert len(names(first)) == 100 and "第 1 / 2 页" in first.content.decode()
    second = client.get(url, {"q": "欧阳", "page": "2"})
    assert names(second) == [f"欧阳{n:03d}" for n in range(100, 130)]
    assert names(client.get(url, {"q": "欧阳", "page": "x"})) == names(first)
    few = client.get(url, {"q": "岳阳市社会工作协会", "last4": "0000"})
    assert len(names(few)) == 100 and "第 1 / 2 页" in few.content.decode()


def test_a_new_lists_search_reads_the_trigram_indexes_at_once(published):
    """Publication (the list's .xlsx step, which the list waits for before it is public)
    merges the new rows into the trigram indexes and analyses the table: a search of a list
    just published is planned on the indexes, not a read of every row (left in the indexes'
    pending lists, the rows cost every search a scan of them until a vacuum)."""
    from django.db import connection

    from notices.selectors import FoundEntries
    from notices.services.publication import pass_list_render_xlsx

    pass_list, applications = published
    big = PassList.objects.create(round=pass_list.round, series=9, version=1, heartbeat_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO notices_passlistentry (pass_list_id, position, application_id, name, gender, exam,"
            " employer, masked_id)"
            " SELECT %s, g, %s, substr('王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗', 1 + g %% 20, 1)"
            " || substr('伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平', 1 + (g / 20) %% 20, 1)"
            " || substr('刚桂英华玉兰萍红鹏辉建新宇浩晨欣怡婷雪琳', 1 + (g / 400) %% 20, 1),"
            " '男', '社会工作者', '长沙市第' || (g %% 300) || '社会工作服务中心', '430102********0000'"
            " FROM generate_series(1, 30000) g",
            [big.pk, applications[0].pk],
        )
        big.entry_count = 30000
        pass_list_render_xlsx(pass_list=big)
        sql, params = FoundEntries(pass_list_id=big.pk, query="赵明雪").sql(start=0, stop=101)
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "pass_entry_name_trgm" in plan and "Seq Scan" not in plan, plan
    assert [e["name"] for e in FoundEntries(pass_list_id=big.pk, query="赵明雪")[:101]][:1] == ["赵明雪"]


def test_files_saved_while_a_list_is_built_keep_its_pages_a_status_does_not(
    published, client, django_assert_num_queries
):
    """Publication saves a list's PDF chunk by chunk: none of those saves changes a public
    page, so none throws the kept pages away (a list of 100,000 names saves ~50)."""
    pass_list, _ = published
    url = reverse("notices:pass_list", args=[pass_list.pk])
    client.get(url)
    pass_list.pdf_chunks = {**(pass_list.pdf_chunks or {}), "99": "chunk"}
    pass_list.save(update_fields=["pdf_chunks"])
    with django_assert_num_queries(0):
        client.get(url)
    pass_list_transition(pass_list=pass_list, to=PassListStatus.SUPERSEDED, now=timezone.now())
    assert client.get(url).status_code == 404


def test_a_page_past_the_last_shows_the_last_and_is_not_kept(published, client):
    from django.core.cache import cache

    pass_list, _ = published
    url = reverse("notices:pass_list", args=[pass_list.pk])
    kept_before = set(cache.keys(f"*kept-page:pass-list:{pass_list.pk}:*"))
    far = client.get(url, {"page": "999"})
    assert far.status_code == 200 and len(names(far)) == 4
    odd = client.get(url, {"page": "abc"})
    assert odd.status_code == 200 and len(names(odd)) == 4
    kept = set(cache.keys(f"*kept-page:pass-list:{pass_list.pk}:*")) - kept_before
    assert not kept, kept  # no address but the pager's own fills the cache
    client.get(url, {"page": "1"})
    assert len(set(cache.keys(f"*kept-page:pass-list:{pass_list.pk}:*")) - kept_before) == 1


def test_a_kept_page_and_a_kept_frame_cost_one_read_of_the_cache(published, client, monkeypatch):
    from django.core.cache import cache

    pass_list, _ = published
    url = reverse("notices:pass_list", args=[pass_list.pk])
    client.get(url)
    client.get(url, {"q": "张三"})
    reads = []
    for name in ("get", "get_many"):
        real = getattr(cache, name)
        monkeypatch.setattr(
            cache, name, lambda *a, _real=real, _name=name, **k: reads.append(_name) or _real(*a, **k)
        )
    assert "王小明" in client.get(url).content.decode()
    assert names(client.get(url, {"q": "王小明"})) == ["王小明"]
    assert reads == ["get_many", "get_many"], reads
