"""Upload benchmark: server time and peak memory of one scan upload request.

Runs the real request path (WSGI handler, multipart parsing, spooling to a
temporary file, inspection by content, SHA-256, storage, audit row, enqueueing the
preview on Redis) against PostgreSQL, for scans of 1, 10 and 20 MB, JPEG and PDF.
Peak memory is Python's traced allocations during the request, measured with
tracemalloc after the request body has been built; if the file were read into
memory, the peak would grow with the file size.

    make bench            # or: DATABASE_URL=... REDIS_URL=... .venv/bin/python benchmarks/upload_scan.py
"""

import io
import os
import statistics
import time
import tracemalloc

from common import fresh_database, percentile, setup_django, wsgi_request

os.environ["PORTAL_MATERIAL_MAX_FILES"] = "1000"
setup_django(eager=False)

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from django.test.client import encode_multipart
from PIL import Image

from candidates.models import MaterialVersion
from tests import factories

SIZES_MB = [1, 10, 19]
RUNS = 7
BOUNDARY = "BenchBoundary7MA4YWxkTrZu0gW"


def noise_image(target_bytes: int) -> Image.Image:
    # Random pixels compress poorly, like a colour scan of a stamped page: about 0.95 bytes a pixel at q90.
    pixels = int(target_bytes / 0.95)
    width = int((pixels * 4 / 3) ** 0.5)
    height = int(width * 3 / 4)
    return Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))


def scan(kind: str, megabytes: int) -> tuple[str, bytes]:
    image = noise_image(megabytes * 1024 * 1024)
    out = io.BytesIO()
    if kind == "jpeg":
        image.save(out, "JPEG", quality=90)
        return "scan.jpg", out.getvalue()
    image.save(out, "PDF", quality=90, resolution=300)
    return "scan.pdf", out.getvalue()


def login_cookies(user) -> str:
    client = Client()
    client.force_login(user, backend="candidates.auth.UsernameBackend")
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken={'a' * 32}"


def main():
    fresh_database()
    handler = WSGIHandler()
    application = factories.ApplicationFactory()
    path = f"/applications/{application.pk}/materials/work_years/upload/"
    cookies = login_cookies(application.candidate.user)

    print(f"{'scan':<12}{'size MB':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'peak MiB':>10}")
    for kind in ("jpeg", "pdf"):
        for megabytes in SIZES_MB:
            name, data = scan(kind, megabytes)
            body = encode_multipart(BOUNDARY, {"files": SimpleUploadedFile(name, data)})
            times, peaks = [], []
            for run in range(RUNS + 1):
                tracemalloc.start()
                tracemalloc.reset_peak()
                started = time.perf_counter()
                status, content = wsgi_request(
                    handler,
                    path,
                    method="POST",
                    cookie=cookies,
                    body=body,
                    headers={
                        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
                        "HTTP_ACCEPT": "application/json",
                        "HTTP_X_CSRFTOKEN": "a" * 32,
                    },
                )
                elapsed = time.perf_counter() - started
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                if not status.startswith("200"):
                    raise SystemExit(f"upload failed: {status} {content[:300]!r}")
                if run == 0:
                    continue  # warm-up: imports and connections
                times.append(elapsed * 1000)
                peaks.append(peak / 1048576)
            p95 = percentile(times, 0.95)
            print(
                f"{kind:<12}{len(data) / 1048576:>9.1f}{statistics.median(times):>9.1f}"
                f"{p95:>9.1f}{max(times):>9.1f}{max(peaks):>10.2f}"
            )
    stored = MaterialVersion.objects.filter(material__application=application).count()
    print(f"stored versions: {stored}; target: server time < 300 ms for 10 MB, peak flat across sizes")
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # drop the queued preview jobs


if __name__ == "__main__":
    main()
