"""Fraud signals benchmark: the cost a page of fingerprinting (pHash 64 and 256 bits and the
seal's region; full-size JPEG opened in Pillow's draft mode versus fully decoded, in one run),
and the time to check one new upload against 500,000 stored pages (indexed pHash bands and
file digests: no all-pairs loop).

    .venv/bin/python benchmarks/fraud_signals.py [stored pages]
"""

import io
import statistics
import sys
import time

from common import setup_django

setup_django()

from common import load_generated_data
from django.db import connection
from PIL import Image, ImageDraw

from benchmarks.review_queue import GENERATE
from candidates.models import Material, MaterialPage, MaterialVersion
from reviews.services.fraud import fraud_signals_for_version
from reviews.signals import page_hashes

PAGES = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
APPLICATIONS = 5_000  # candidates holding the stored pages (100 pages each at 500,000)

STORE = """
INSERT INTO candidates_material (application_id, kind, reopened, created_at)
SELECT a.id, 'application_form', false, now() FROM candidates_application a;

INSERT INTO candidates_materialversion (material_id, number, batch, part, parts, file, original_name, sha256, size,
    content_type, page_count, uploaded_by_id, uploaded_at, preview, preview_status)
SELECT m.id, 1, 1, 1, 1, 'x', 'x.pdf', md5(m.id::text) || md5((m.id * 7)::text), 1, 'application/pdf', 1,
    (SELECT user_id FROM candidates_candidateprofile ORDER BY id LIMIT 1), now(), '', 'ready'
FROM candidates_material m;

INSERT INTO candidates_materialpage (version_id, number, image, width, height, phash, band0, band1, band2, band3,
    fine_hash, stamp_hash, stamp_fine)
SELECT v.id, g, 'x', 1240, 1754, h, (h >> 48) & 65535, (h >> 32) & 65535, (h >> 16) & 65535, h & 65535,
    md5(v.id::text || g) || md5(g::text), NULL, ''
FROM candidates_materialversion v
CROSS JOIN generate_series(1, %(per)s) g
CROSS JOIN LATERAL (SELECT ('x' || substr(md5(v.id::text || '-' || g), 1, 16))::bit(64)::bigint AS h) r;
"""


def scan_page() -> bytes:
    image = Image.new("RGB", (2480, 3508), (245, 245, 245))  # A4 at 300 dpi
    draw = ImageDraw.Draw(image)
    for y in range(300, 3300, 120):
        draw.line((200, y, 2280, y), fill=(0, 0, 0), width=4)
    draw.ellipse((1700, 2700, 2200, 3200), outline=(220, 20, 20), width=16)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def per_page(data: bytes, *, draft: bool, runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        image = Image.open(io.BytesIO(data))
        if draft:
            image.draft("RGB", (1240, 1754))  # decode at half size straight from the JPEG's DCT
        page_hashes(image.convert("RGB"))
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    data = scan_page()
    full, draft = per_page(data, draft=False), per_page(data, draft=True)
    print(f"fingerprint a page (A4 300 dpi JPEG): full decode {full:.1f} ms, draft mode {draft:.1f} ms")
    seconds = load_generated_data(GENERATE, {"rows": APPLICATIONS})
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(STORE, {"per": PAGES // APPLICATIONS})
        cursor.execute("VACUUM ANALYZE")
    stored = MaterialPage.objects.count()
    print(
        f"stored {stored:,} pages for {APPLICATIONS:,} candidates in {seconds + time.perf_counter() - started:.1f} s"
    )
    # One new upload of two pages by a new candidate's application; one page shares a band.
    material = Material.objects.order_by("-pk").first()
    version = MaterialVersion.objects.create(
        material=material, number=2, file="y", original_name="y.pdf", sha256="f" * 64, size=1,
        content_type="application/pdf", uploaded_by_id=material.application.candidate.user_id,
    )  # fmt: skip
    sample = MaterialPage.objects.order_by("pk")[PAGES // 2]
    for number, (phash, fine) in enumerate(
        [(sample.phash, sample.fine_hash), (123456789, "0" * 64)], start=1
    ):
        bands = [(phash >> s) & 0xFFFF for s in (48, 32, 16, 0)]
        MaterialPage.objects.create(
            version=version, number=number, image="y", width=1, height=1, phash=phash,
            band0=bands[0], band1=bands[1], band2=bands[2], band3=bands[3], fine_hash=fine,
        )  # fmt: skip
    times = []
    for _ in range(10):
        started = time.perf_counter()
        fraud_signals_for_version(version=version)
        times.append(time.perf_counter() - started)
    print(
        f"check one new 2-page upload against {stored:,} stored pages: median {statistics.median(times) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
