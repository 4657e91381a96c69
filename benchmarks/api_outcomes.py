"""Throughput of the API's outcomes endpoint: a province's system pulling every outcome.

Builds the queue benchmark's applications in PostgreSQL (200,000 by default), registers a
client for every city, and pages through /api/v1/outcomes by cursor with the WSGI handler
in-process (no network), in one run for several page sizes, beside the floor of reading the
same rows with one plain SQL query. Prints rows/s, pages and the share of the floor.

    .venv/bin/python benchmarks/api_outcomes.py [rows]
"""

import sys
import time

from common import load_generated_data, setup_django

setup_django()

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from review_queue import GENERATE

from candidates.models import Application
from notices.enums import ApiScope
from notices.services.api_clients import api_client_create

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000


def pull(client: Client, headers: dict, limit: int) -> tuple[int, int, float]:
    rows = pages = 0
    cursor = ""
    started = time.perf_counter()
    while True:
        answer = client.get(
            f"/api/v1/outcomes?limit={limit}" + (f"&cursor={cursor}" if cursor else ""), **headers
        )
        assert answer.status_code == 200, answer.content[:300]
        page = answer.json()
        if not page["items"]:
            return rows, pages, time.perf_counter() - started
        rows, pages, cursor = rows + len(page["items"]), pages + 1, page["next_cursor"]


def floor() -> tuple[int, float]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, a.status, a.status_changed_at, p.real_name, p.id_number FROM candidates_application a"
            " JOIN candidates_candidateprofile p ON p.id = a.candidate_id WHERE a.status <> 'draft'"
            " ORDER BY a.status_changed_at, a.id"
        )
        count = len(cursor.fetchall())
    return count, time.perf_counter() - started


def main() -> None:
    seconds = load_generated_data(GENERATE, {"rows": ROWS})
    print(f"generated {Application.objects.count():,} applications in {seconds:.1f} s")
    settings.PORTAL_API_FEED_SETTLE_SECONDS = 0
    admin = get_user_model().objects.create(username="bench_admin", is_superuser=True, is_staff=True)
    _client, token = api_client_create(
        user=admin, name="bench", scopes=[ApiScope.RESULTS_READ], all_cities=True, per_minute=100_000
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    pull(client, headers, 1000)  # warm caches and the connection
    count, floor_seconds = floor()
    floor_rate = count / floor_seconds
    print(
        "\n| variant | rows | pages | seconds | rows/s | share of the floor |\n| --- | --- | --- | --- | --- | --- |"
    )
    print(
        f"| floor: one SQL query, rows fetched | {count:,} | 1 | {floor_seconds:.2f} | {floor_rate:,.0f} | 100% |"
    )
    for limit in (100, 500, 1000):
        rows, pages, elapsed = pull(client, headers, limit)
        print(
            f"| /api/v1/outcomes limit={limit} | {rows:,} | {pages} | {elapsed:.2f} | {rows / elapsed:,.0f}"
            f" | {100 * rows / elapsed / floor_rate:.0f}% |"
        )


if __name__ == "__main__":
    main()
