"""Reviewer queue benchmark: 200,000 applications in PostgreSQL across 14 cities.

Measures, for a reviewer of one city, the queue page's server time (the full Django
request through the WSGI handler, as a server calls it: middleware, session, queries,
template; DEBUG off) and its query count,
unfiltered and with each filter, and the time of a claim (one conditional UPDATE plus
its audit row). Data is generated in PostgreSQL with generate_series.

    make bench-queue        # or: .venv/bin/python benchmarks/review_queue.py [rows]
"""

import sys
import time

from common import load_generated_data, percentile, setup_django, wsgi_request

setup_django()

from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Application, City, Exam
from reviews.models import CityReviewer
from reviews.services.claims import application_claim, application_release

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
REQUESTS = 60
CLAIMS = 300

GENERATE = """
INSERT INTO candidates_verificationround (name, city_id, exam_year, kind, exam_half, mail_booking_days,
    electronic_certificates, opens_at, closes_at, work_cutoff, contact_phones,
    contact_address, created_at)
SELECT '2026 bench ' || c.code, c.id, 2026, 'regular', '', 30, false, now() - interval '10 days',
    now() + interval '10 days', DATE '2026-12-31', '', '', now()
FROM candidates_city c;

INSERT INTO candidates_organisation (name, credit_code, created_at)
SELECT 'Bench employer ' || g, lpad(g::text, 18, '0'), now() FROM generate_series(1, 2000) g;

INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
    date_joined)
SELECT '!', false, 'bench' || g, '', '', '', false, true, now() FROM generate_series(1, %(rows)s) g;

INSERT INTO candidates_candidateprofile (user_id, real_name, id_number, phone, gender, birth_date, created_at,
    id_type, phone_verified_at, release_reason)
SELECT u.id, 'Candidate ' || u.id, '9' || lpad(u.id::text, 17, '0'), '1' || lpad(u.id::text, 10, '0'), 'M',
    date '1990-01-01',
    now(), 'resident', now(), ''
FROM auth_user u WHERE u.username LIKE 'bench%%';

WITH rounds AS (
    SELECT id, city_id, row_number() OVER (ORDER BY id) - 1 AS n FROM candidates_verificationround
), exam AS (SELECT id FROM candidates_exam ORDER BY id LIMIT 1)
INSERT INTO candidates_rosterentry (round_id, name, id_number, exam_id, exam_year, city_id, reason, status,
    created_at, phone)
SELECT r.id, p.real_name, p.id_number, (SELECT id FROM exam), 2026, r.city_id, '1', 'applied', now(), ''
FROM candidates_candidateprofile p
JOIN rounds r ON r.n = p.id %% 14;

INSERT INTO candidates_application (candidate_id, round_id, city_id, exam_id, roster_entry_id, status,
    status_changed_at, application_kind, employer_id, major, education_level, education_type, technical_class,
    school,
    school_outside_hunan, chsi_registered, certification_report_unavailable, work_history, professional_title,
    stamped_on_paper, created_at, updated_at, submitted_at)
SELECT p.id, e.round_id, e.city_id, e.exam_id, e.id,
    (ARRAY['city_review','city_review','city_review','pending_conditions','passed','passed','failed',
           'employer_review','supplement','fail_proposed'])[1 + (e.id %% 10)],
    now() - (e.id %% 43200) * interval '1 minute',
    'normal', 1 + (e.id %% 2000), 'Major', 'bachelor', 'higher', '', 'School', false, true, false, '[]', '',
    true, now(), now(), now()
FROM candidates_rosterentry e JOIN candidates_candidateprofile p ON p.id_number = e.id_number;
"""


def generate() -> None:
    seconds = load_generated_data(GENERATE, {"rows": ROWS})
    print(f"generated {Application.objects.count():,} applications in {seconds:.1f} s")


def serve(handler: WSGIHandler, path: str, query: str, cookie: str) -> None:
    status, body = wsgi_request(handler, path, query=query, cookie=cookie)
    if not status.startswith("200"):
        raise SystemExit(f"queue page answered {status}: {body[:200]!r}")


def measure_queue(handler: WSGIHandler, cookie: str, query: str) -> tuple[float, float, int]:
    path = reverse("reviews:queue")
    serve(handler, path, query, cookie)  # warm-up
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        serve(handler, path, query, cookie)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as context:
        serve(handler, path, query, cookie)
    return percentile(times, 0.5), percentile(times, 0.95), len(context.captured_queries)


def page_query(city: City, page: int) -> str:
    """The link the queue's "next" gives to page ``page``: the cursor of the row before it."""
    from candidates.enums import BACKLOG_STATUSES
    from reviews.pagination import encode

    row = (
        Application.objects.filter(city=city, status__in=BACKLOG_STATUSES)
        .order_by("status_changed_at", "pk")
        .values("pk", "status_changed_at")[(page - 1) * 50 - 1]
    )
    return f"?after={encode(row, '')}&page={page}"


def main() -> None:
    generate()
    city = City.objects.get(code="changsha")
    user = get_user_model().objects.create(username="bench_reviewer", first_name="Bench")
    CityReviewer.objects.create(user=user, city=city)
    in_city = Application.objects.filter(round__city=city).count()
    print(f"city {city.code}: {in_city:,} applications")
    client = Client()
    client.force_login(user, backend="candidates.auth.UsernameBackend")
    from tests.conftest import verify_second_factor

    verify_second_factor(client, user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    handler = WSGIHandler()
    exam = Exam.objects.order_by("id").first()
    print(f"{'queue page':<34}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
    for label, query in [
        ("all pending", ""),
        ("status = pending conditions", "?status=pending_conditions"),
        ("exam", f"?exam={exam.pk}"),
        ("employer name", "?employer=employer%2017"),
        ("waiting > 7 days", "?waiting=7"),
        ("page 20 (by its cursor)", page_query(city, 20)),
    ]:
        p50, p95, queries = measure_queue(handler, cookie, query)
        print(f"{label:<34}{p50:>9.1f}{p95:>9.1f}{queries:>9}")

    items = list(
        Application.objects.filter(round__city=city, status="city_review")
        .order_by("?")
        .values_list("pk", flat=True)[:CLAIMS]
    )
    times = []
    for pk in items:
        application = Application.objects.select_related("round").get(pk=pk)
        started = time.perf_counter()
        application_claim(application=application, user=user)
        times.append((time.perf_counter() - started) * 1000)
        application_release(application=application, user=user)
    print(f"{'claim':<34}{percentile(times, 0.5):>9.1f}{percentile(times, 0.95):>9.1f}")
    print("targets: queue p95 < 50 ms with a query count that does not grow; claim < 20 ms")


if __name__ == "__main__":
    main()
