"""OCR benchmark: what reading the scans costs, and how many ``ocr`` workers a round needs.

Renders Chinese A4 pages as candidates upload them (a work-years proof with a red seal over
the text, a 学信网 备案表, a blurred page, a JPEG at q60, a page photographed 3° askew), turns
each into the page image the portal stores (at most 1,600 px), and in one run:
- reads them with the portal's engine (rapidocr + onnxruntime, one thread, as a worker runs)
  and, for comparison, with Debian's tesseract (chi_sim) when it is installed: CPU seconds a
  page and the share of lines read exactly;
- the blur check's cost a page (variance of the Laplacian at 1,200 px wide);
- memory of a worker process (resident set after the engine is loaded and after the pages);
- the round: CPU-hours for N persons x 5 pages, and the workers (one core each) that finish a
  deadline day's uploads within 24 hours, for the share of uploads that come on that day.

    .venv/bin/python benchmarks/ocr.py [pages] [persons] [deadline_day_share]
"""

import json
import math
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import percentile, setup_django

setup_django(eager=True)

from PIL import Image

from candidates import ocr
from candidates.quality import sharpness
from tests.factories import make_id_number
from tests.pages import chsi_record_lines, page, work_years_lines

ARGS = [] if sys.argv[1:2] == ["--worker"] else sys.argv[1:]
PAGES = int(ARGS[0]) if len(ARGS) > 0 else 10
PERSONS = int(ARGS[1]) if len(ARGS) > 1 else 500_000
DEADLINE_SHARE = float(ARGS[2]) if len(ARGS) > 2 else 0.25
PAGES_PER_PERSON = 5
SURNAMES = "王李张刘陈杨黄赵吴周"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def stored(image: Image.Image) -> Image.Image:
    """The page image the portal keeps and OCR reads (the viewer's, at most 1,600 px)."""
    image = image.copy()
    image.thumbnail((1600, 1600))
    return image


def samples(count: int) -> list[tuple[str, Image.Image, list[str]]]:
    pages = []
    for index in range(count):
        name = SURNAMES[index % 10] + "建国"
        id_number = make_id_number()
        variant = index % 5
        if variant == 1:
            lines = chsi_record_lines(
                name, id_number, "湖南师范大学", "2010年06月30日", "A1B2C3D4E5F6G7H8", "2027年01月31日"
            )
            image = page(lines, dpi=200)
        else:
            lines = work_years_lines(name, id_number, "长沙示范设计院")
            image = page(lines, dpi=200, stamp=True, blur=2 if variant == 2 else 0)
        if variant == 3:
            import io

            out = io.BytesIO()
            image.save(out, "JPEG", quality=60)
            image = Image.open(io.BytesIO(out.getvalue())).convert("RGB")
        if variant == 4:
            image = image.rotate(3, expand=True, fillcolor="white")
        label = ["seal over text", "备案表", "blurred σ=2", "JPEG q60", "3° askew"][variant]
        pages.append((label, stored(image), lines))
    return pages


def exact_lines(text: str, lines: list[str]) -> float:
    flat = "".join(text.split())
    return sum("".join(line.split()) in flat for line in lines) / len(lines)


def tesseract(image: Image.Image) -> tuple[str, float]:
    with tempfile.NamedTemporaryFile(suffix=".png") as file:
        image.save(file.name)
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(
            ["tesseract", file.name, "-", "-l", "chi_sim"],
            capture_output=True,
            text=True,
            env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
            check=False,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result.stdout, cpu or (time.perf_counter() - started)


def hwm_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker(folder: str) -> None:
    """A process as an ``ocr`` worker is: Django, the engine, pages read from storage one by one."""
    base = rss_mb()
    started = time.perf_counter()
    ocr.read_image(Image.new("RGB", (64, 64), "white"))  # loads the models
    load_seconds = time.perf_counter() - started
    loaded = rss_mb()
    for path in sorted(Path(folder).glob("*.png")):
        with Image.open(path) as image:
            reading = ocr.read_image(image)
        (path.with_suffix(".txt")).write_text(f"{reading.seconds}\n{reading.text}")
    print(
        json.dumps(
            {"base": base, "loaded": loaded, "load": load_seconds, "after": rss_mb(), "peak": hwm_mb()}
        )
    )


def main() -> None:
    pages = samples(PAGES)
    folder = tempfile.mkdtemp(prefix="bench-ocr-")
    for index, (_label, image, _lines) in enumerate(pages):
        image.save(Path(folder) / f"{index:04d}.png")
    result = subprocess.run(
        [sys.executable, __file__, "--worker", folder], capture_output=True, text=True, check=True
    )
    memory = json.loads(result.stdout.strip().splitlines()[-1])
    base, loaded, load_seconds, peak = memory["base"], memory["loaded"], memory["load"], memory["peak"]
    rapid_cpu, rapid_exact, blur_ms = [], [], []
    by_variant: dict[str, list[float]] = {}
    for index, (label, image, lines) in enumerate(pages):
        seconds, text = (Path(folder) / f"{index:04d}.txt").read_text().split("\n", 1)
        rapid_cpu.append(float(seconds))
        rapid_exact.append(exact_lines(text, lines))
        by_variant.setdefault(label, []).append(exact_lines(text, lines))
        t = time.perf_counter()
        sharpness(image)
        blur_ms.append((time.perf_counter() - t) * 1000)
    shutil.rmtree(folder, ignore_errors=True)
    print(f"{len(pages)} pages, stored page images of {pages[0][1].size[0]}x{pages[0][1].size[1]} px")
    print()
    print("| engine | CPU s/page median | p90 | lines read exactly |")
    print("| --- | --- | --- | --- |")
    rapid_median = statistics.median(rapid_cpu)
    print(
        f"| rapidocr PP-OCRv4 (portal) | {rapid_median:.2f} | {percentile(rapid_cpu, 0.9):.2f} "
        f"| {100 * statistics.mean(rapid_exact):.0f}% |"
    )
    if shutil.which("tesseract"):
        tess_cpu, tess_exact = [], []
        for _label, image, lines in pages:
            text, cpu = tesseract(image)
            tess_cpu.append(cpu)
            tess_exact.append(exact_lines(text, lines))
        print(
            f"| tesseract chi_sim | {statistics.median(tess_cpu):.2f} | {percentile(tess_cpu, 0.9):.2f} "
            f"| {100 * statistics.mean(tess_exact):.0f}% |"
        )
    else:
        print("| tesseract chi_sim | not installed (apt-get install tesseract-ocr-chi-sim) | | |")
    print()
    print(
        "rapidocr lines read exactly by kind of page: "
        + ", ".join(f"{label} {100 * statistics.mean(values):.0f}%" for label, values in by_variant.items())
    )
    print(f"blur check: {statistics.median(blur_ms):.1f} ms a page (median), {max(blur_ms):.1f} ms at most")
    print(
        f"worker memory: {base:.0f} MB before the engine, {loaded:.0f} MB with it loaded "
        f"({load_seconds:.1f} s to load), {memory['after']:.0f} MB after {len(pages)} pages, peak {peak:.0f} MB"
    )
    total_pages = PERSONS * PAGES_PER_PERSON
    cpu_hours = total_pages * rapid_median / 3600
    deadline_pages = total_pages * DEADLINE_SHARE
    workers = math.ceil(deadline_pages * rapid_median / 86_400)
    print()
    print(
        f"round: {PERSONS:,} persons x {PAGES_PER_PERSON} pages = {total_pages:,} pages = "
        f"{cpu_hours:,.0f} CPU-hours of OCR"
    )
    print(
        f"deadline day ({DEADLINE_SHARE:.0%} of the uploads, {deadline_pages:,.0f} pages): "
        f"{workers} ocr worker processes (one core each) finish within 24 hours; "
        f"{math.ceil(workers / 2)} machines of 2 cores, {math.ceil(workers * peak / 1024)} GB of memory in all"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
    else:
        main()
