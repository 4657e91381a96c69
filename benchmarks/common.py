"""Shared set-up for the benchmarks: Django on a fresh PostgreSQL database ending in _bench."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(*, eager: bool = False) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verification_portal.settings")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/verification_portal_bench"
    )
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1" if eager else "0"
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-private-"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Measure as production runs: DEBUG off (cached templates, no query log).
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-" + "x" * 40)
    os.environ.setdefault("PORTAL_AUDIT_KEY", "benchmark-only-audit-key-" + "y" * 40)
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    import django

    django.setup()


def fresh_database() -> None:
    """Drop and recreate the benchmark database, then migrate; never the development one."""
    import psycopg
    from django.core.management import call_command
    from django.db import connections

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    if not name.endswith("_bench"):
        raise SystemExit(f"refusing to recreate {name}: the benchmark database name must end in _bench")
    connections.close_all()
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    call_command("migrate", verbosity=0)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def wsgi_request(
    handler,
    path: str,
    *,
    method: str = "GET",
    query: str = "",
    cookie: str = "",
    body: bytes = b"",
    headers=None,
) -> tuple[str, bytes]:
    """One request through Django's WSGI handler, as a server makes it (no test-client
    instrumentation). Returns the status line and the body."""
    import io

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query.lstrip("?"),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": cookie,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **(headers or {}),
    }
    statuses = []
    response = handler(environ, lambda status, _headers, _exc=None: statuses.append(status))
    content = b"".join(response)
    response.close()  # as a server does: closes spooled uploads, returns the connection
    return statuses[0], content


def load_generated_data(sql: str, params: dict) -> float:
    """A fresh database with the reference data and the rows ``sql`` generates; returns seconds."""
    import time

    from django.core.management import call_command
    from django.db import connection

    fresh_database()
    call_command("load_reference", verbosity=0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    return time.perf_counter() - started
