"""Publication benchmark: a 100,000-name pass list (public page, .xlsx and PDF).

Generates a round with 100,000 passed applications in PostgreSQL, starts two Celery
workers (the deployment's shape on this two-core machine), publishes, and measures
the time until the list is public with both files, the workers' peak memory (VmHWM),
and the public page's server time. Beside it, in the same run, the naive way: one
WeasyPrint document of the whole table (10,000 rows by default), its rows a second and peak
memory; the portal must publish at least 20x as many rows a second.

    .venv/bin/python benchmarks/publication.py [rows] [naive_rows]
"""

import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/verification_portal_pub_bench"
)
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")

from common import ROOT, load_generated_data, percentile, setup_django, wsgi_request

setup_django()

import redis
from django.core.handlers.wsgi import WSGIHandler

from candidates.models import VerificationRound
from notices.enums import PassListStatus
from notices.models import PassList
from notices.services.publication import pass_list_publish

NAIVE = sys.argv[1:2] == ["--naive"]
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 and not NAIVE else 100_000
NAIVE_ROWS = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000

GENERATE = """
INSERT INTO candidates_verificationround (name, city_id, exam_year, kind, exam_half, mail_booking_days,
    electronic_certificates, opens_at, closes_at, work_cutoff, publication_at,
    contact_phones, contact_address, created_at)
SELECT '2026年度社会工作者职业资格考试考后人工核查（长沙考区）', c.id, 2026, 'regular', '', 30, false, now() - interval '20 days',
    now() - interval '10 days', DATE '2026-12-31', now() - interval '1 minute', '', '', now()
FROM candidates_city c WHERE c.code = 'changsha';

INSERT INTO candidates_organisation (name, credit_code, created_at)
SELECT '长沙市第' || g || '社会工作服务中心', lpad(g::text, 18, '0'), now() FROM generate_series(1, 500) g;

INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
    date_joined)
SELECT '!', false, 'pub' || g, '', '', '', false, true, now() FROM generate_series(1, %(rows)s) g;

INSERT INTO candidates_candidateprofile (user_id, real_name, id_number, phone, gender, birth_date, created_at,
    id_type, phone_verified_at, release_reason)
SELECT u.id, (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴'])[1 + u.id %% 10]
        || (ARRAY['小明','丽华','建国','晓燕','志强','海燕','文博','静怡'])[1 + u.id %% 8],
    '430102' || lpad(u.id::text, 12, '0'), '1' || lpad(u.id::text, 10, '0'),
    CASE WHEN u.id %% 2 = 0 THEN 'F' ELSE 'M' END, date '1990-01-01', now(), 'resident', now(), ''
FROM auth_user u WHERE u.username LIKE 'pub%%';

INSERT INTO candidates_rosterentry (round_id, name, id_number, exam_id, exam_year, city_id, reason, status,
    created_at, phone)
SELECT r.id, p.real_name, p.id_number, e.id, 2026, r.city_id, '1', 'applied', now(), ''
FROM candidates_candidateprofile p, candidates_verificationround r, candidates_exam e WHERE e.code = 'shegong';

INSERT INTO candidates_application (candidate_id, round_id, city_id, exam_id, roster_entry_id, status,
    status_changed_at, application_kind, employer_id, major, education_level, education_type, technical_class,
    school, school_outside_hunan, chsi_registered, certification_report_unavailable, work_history,
    professional_title, stamped_on_paper, created_at, updated_at, submitted_at)
SELECT p.id, e.round_id, e.city_id, e.exam_id, e.id, 'passed', now(), 'normal', 1 + (e.id %% 500), '', 'bachelor',
    'higher', '', '', false, true, false, '[]', '', true, now(), now(), now()
FROM candidates_rosterentry e JOIN candidates_candidateprofile p ON p.id_number = e.id_number;
"""


def high_water_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def serve(handler, path: str, query: str = "") -> float:
    started = time.perf_counter()
    status, _body = wsgi_request(handler, path, query=query)
    assert status.startswith("200"), status
    return (time.perf_counter() - started) * 1000


def naive_document(rows: int) -> None:
    """One WeasyPrint document of the whole list, as a first version would make it."""
    import json

    from weasyprint import HTML

    started = time.perf_counter()
    body = "".join(
        f"<tr><td>{n}</td><td>王小明</td><td>男</td><td>社会工作者</td><td>长沙市第{n % 500}社会工作服务中心</td>"
        f"<td>430102********{n % 10000:04d}</td></tr>"
        for n in range(1, rows + 1)
    )
    html = f"<html><body><table><thead><tr><th>序号</th><th>姓名</th><th>性别</th><th>考试</th><th>工作单位</th><th>身份证号</th></tr></thead><tbody>{body}</tbody></table></body></html>"
    HTML(string=html).write_pdf()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak": high_water_mb(os.getpid())}))


def main() -> None:
    import json

    naive = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--naive", str(NAIVE_ROWS)], capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    naive_rate = NAIVE_ROWS / naive["seconds"]
    print(
        f"naive: one WeasyPrint document of {NAIVE_ROWS:,} rows in {naive['seconds']:.1f} s "
        f"({naive_rate:.0f} rows/s), peak {naive['peak']:.0f} MB"
    )
    seconds = load_generated_data(GENERATE, {"rows": ROWS})
    print(f"generated {ROWS:,} passed applications in {seconds:.1f} s")
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0"}
    celery = str(Path(sys.executable).with_name("celery"))
    workers = [
        subprocess.Popen(
            [
                celery,
                "-A",
                "verification_portal",
                "worker",
                "--pool=solo",
                "-n",
                f"bench{i}@%h",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
        )
        for i in range(2)
    ]
    try:
        time.sleep(4)  # let both workers connect before the work is queued
        round_ = VerificationRound.objects.get()
        started = time.perf_counter()
        pass_list = pass_list_publish(round_=round_)
        created = time.perf_counter() - started
        while True:
            pass_list.refresh_from_db()
            if pass_list.status == PassListStatus.PUBLISHED:
                break
            if time.perf_counter() - started > 600:
                raise SystemExit("not published within 10 minutes")
            time.sleep(0.2)
        total = time.perf_counter() - started
        peaks = [high_water_mb(worker.pid) for worker in workers]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    print(f"list and {pass_list.entry_count:,} entries created in {created:.1f} s")
    print(
        f"published (page, .xlsx {pass_list.xlsx.size / 1e6:.1f} MB, PDF {pass_list.pdf.size / 1e6:.1f} MB)"
        f" in {total:.1f} s; target under 60 s"
    )
    print(f"worker peak memory: {', '.join(f'{p:.0f} MB' for p in peaks)}; target under 500 MB")
    rate = pass_list.entry_count / total
    print(
        f"{'PASS' if rate >= 20 * naive_rate else 'FAIL'}  the portal publishes {rate:.0f} rows/s, "
        f"{rate / naive_rate:.1f}x the naive document's {naive_rate:.0f} (target 20x)"
    )
    handler = WSGIHandler()
    path = f"/pass-lists/{pass_list.pk}/"
    serve(handler, path)
    for label, query in [
        ("page 1", ""),
        ("page 500", "page=500"),
        ("search by name", "q=%E7%8E%8B%E5%B0%8F%E6%98%8E"),
    ]:
        times = [serve(handler, path, query) for _ in range(30)]
        print(
            f"public page, {label:<16} p50 {percentile(times, 0.5):6.1f} ms   p95 {percentile(times, 0.95):6.1f} ms"
        )
    assert PassList.objects.filter(round=round_).count() == 1


if __name__ == "__main__":
    if NAIVE:
        naive_document(NAIVE_ROWS)
    else:
        main()
