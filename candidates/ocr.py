"""The OCR engine: rapidocr with onnxruntime (PP-OCRv4 detection and recognition models,
shipped inside the wheel: nothing is downloaded at run time). Loaded once per process, on
first use; one thread by default, since a worker reads one page per task and scales by
processes. Returns each line's text, box and confidence in the image's pixels."""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from PIL import Image

ENGINE = "rapidocr-onnxruntime PP-OCRv4"
_lock = threading.Lock()


@dataclass(frozen=True)
class Line:
    text: str
    box: tuple[int, int, int, int]  # left, top, right, bottom
    score: float

    def as_json(self) -> dict:
        return {"text": self.text, "box": list(self.box), "score": round(self.score, 3)}


@dataclass(frozen=True)
class Reading:
    lines: tuple[Line, ...]
    seconds: float

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def characters(self) -> int:
        return sum(len("".join(line.text.split())) for line in self.lines)


@functools.cache
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    threads = settings.PORTAL_OCR_THREADS
    return RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=threads)


def read_image(image: Image.Image) -> Reading:
    import numpy

    started = time.process_time()
    with _lock:  # one engine per process; onnxruntime sessions are not shared across threads here
        result, _elapsed = _engine()(numpy.asarray(image.convert("RGB")))
    lines = []
    for points, text, score in result or []:
        xs = [point[0] for point in points]
        ys = [point[1] for point in points]
        box = (int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1)
        lines.append(Line(text=str(text), box=box, score=float(score)))
    lines.sort(key=lambda line: (line.box[1] // 12, line.box[0]))  # rows top to bottom, then left to right
    return Reading(lines=tuple(lines), seconds=time.process_time() - started)
