"""The embedded default (SQLite) serves concurrent requests that write, without "database is
locked": 20 clients of one reviewer loading scans in parallel (each view writes an audit row),
with the periodic jobs running."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import json, threading
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from django.test import Client
    from django.db import connection
    from django.utils import timezone
    from candidates.models import Application, AuditEvent, PageText
    from verification_portal.shared.audit import audit_chain_verify
    from candidates.services.materials import material_upload
    from tests import factories
    from tests.files import jpeg_bytes, upload

    # A reviewer's page with several scans: each scan the browser loads writes an audit row.
    application = factories.ApplicationFactory()
    versions = material_upload(
        application=application, kind="work_years", actor=application.candidate.user,
        files=[upload(f"p{n}.jpg", jpeg_bytes()) for n in range(4)],
    )
    Application.objects.filter(pk=application.pk).update(status="city_review", submitted_at=timezone.now())
    reviewer = factories.CityReviewerFactory(city=application.city).user
    statuses, errors = [], []
    barrier = threading.Barrier(21)

    def view(n):
        try:
            client = Client()
            client.force_login(reviewer)
            barrier.wait(timeout=30)
            for kind in ("preview", "file"):
                url = f"/files/{versions[n % 4].pk}/" + ("preview/" if kind == "preview" else "")
                statuses.append(client.get(url).status_code)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    def periodic():
        try:
            barrier.wait(timeout=30)
            for _ in range(3):
                call_command("run_periodic", "--once")
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=view, args=(n,)) for n in range(20)]
    threads.append(threading.Thread(target=periodic))
    for t in threads: t.start()
    for t in threads: t.join(timeout=120)
    report = audit_chain_verify()
    print(json.dumps({
        "statuses": statuses, "errors": errors,
        "views": AuditEvent.objects.filter(action__in=["material.preview", "material.view"]).count(),
        "ocr": list(PageText.objects.values_list("status", flat=True)),
        "chain": report.problem, "journal": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0],
    }))
    """
)


def test_twenty_parallel_writing_requests_on_the_embedded_default(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "AWS_STORAGE_BUCKET_NAME")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "verification_portal.settings",
            "PORTAL_VAR_DIR": str(tmp_path),
            "PORTAL_STAFF_OTP_REQUIRED": "false",
            "LOG_LEVEL": "ERROR",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["statuses"] == [200] * 40  # no "database is locked"
    assert outcome["views"] == 40  # every view recorded
    # The periodic process read the four blank pages (OCR) meanwhile, writing beside the views.
    assert outcome["ocr"] == ["unreadable"] * 4
    assert outcome["chain"] is None  # one unbroken chain: the writers queued, none was refused
    assert outcome["journal"] == "wal"


SEARCH = textwrap.dedent(
    """
    import json, re
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from django.test import Client
    from django.utils import timezone
    from candidates.enums import ApplicationStatus
    from notices.services.publication import pass_list_publish
    from tests import factories

    round_ = factories.RoundFactory(publication_at=timezone.now())
    people = [
        ("王小明", "长沙市第一社会工作服务中心"), ("张三", "湘潭市民政局"), ("李50%_三", "株洲市\\\\中心"),
    ]
    ids = []
    for name, employer in people:
        application = factories.ApplicationFactory(
            roster_entry__round=round_, candidate__real_name=name,
            candidate__id_number=factories.make_id_number(),
            employer=factories.OrganisationFactory(name=employer), status=ApplicationStatus.PASSED,
        )
        ids.append(application.candidate.id_number)
    pass_list = pass_list_publish(round_=round_)
    client = Client()
    url = f"/pass-lists/{pass_list.pk}/"

    def names(**query):
        response = client.get(url, query)
        assert response.status_code == 200, response.status_code
        return sorted(re.findall(r'<td class="name">(.*?)</td>', response.content.decode()))

    print(json.dumps({
        "all": names(), "wang": names(q="王"), "middle": names(q="社会工作服务"),
        "percent": names(q="50%"), "underscore": names(q="%_三"), "backslash": names(q="市\\\\中"),
        "last4": names(last4=ids[1][-4:].lower()), "last3": names(last4=ids[1][-3:]),
        "none": names(q="赵"), "page_far": names(page="999"),
    }))
    """
)


def test_a_public_lists_search_on_the_embedded_default(tmp_path):
    """The search is written as SQL (notices.selectors.FoundEntries): on SQLite too it finds a
    name by its start, three characters anywhere, the last four of an ID, and takes % _ and \\
    as the characters they are."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "AWS_STORAGE_BUCKET_NAME")
    }
    env.update({"DJANGO_SETTINGS_MODULE": "verification_portal.settings", "PORTAL_VAR_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-c", SEARCH], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["all"] == sorted(["王小明", "张三", "李50%_三"])
    assert found["wang"] == ["王小明"] and found["middle"] == ["王小明"]
    assert found["percent"] == ["李50%_三"] and found["underscore"] == ["李50%_三"]
    assert found["backslash"] == ["李50%_三"]
    assert found["last4"] == ["张三"] and found["last3"] == ["张三"]
    assert found["none"] == [] and found["page_far"] == found["all"]
