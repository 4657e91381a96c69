"""How usable a scanned page is, judged at once: its resolution (an A4 page under ~150 dpi
is refused at upload) and its sharpness (the variance of the Laplacian on the page scaled
to 1,200 px wide: clean scans score in the hundreds or more, a 2-pixel blur about 10; a
low score warns the candidate, it never refuses). Pure functions on sizes and PIL images."""

from __future__ import annotations

import numpy
from django.conf import settings
from PIL import Image

SHARPNESS_WIDTH = 1200
# A page image is one whole side of the paper when it covers this share of the PDF page.
FULL_PAGE_SHARE = 0.7


def too_coarse(width: int, height: int) -> bool:
    """True for an image of a page below the minimum (A4 at 150 dpi: 1240 x 1754 pixels),
    in either orientation."""
    short_side, long_side = sorted((width, height))
    return short_side < settings.PORTAL_PAGE_MIN_SHORT_SIDE or long_side < settings.PORTAL_PAGE_MIN_LONG_SIDE


def dpi_of_placed_image(pixels_wide: int, points_wide: float) -> float:
    return pixels_wide / (points_wide / 72) if points_wide > 0 else float("inf")


def sharpness(image: Image.Image) -> float:
    """Variance of the 4-neighbour Laplacian of the grey page at 1,200 px wide."""
    grey = image.convert("L")
    if grey.width != SHARPNESS_WIDTH:
        height = max(1, round(grey.height * SHARPNESS_WIDTH / grey.width))
        grey = grey.resize((SHARPNESS_WIDTH, height), Image.Resampling.BILINEAR)
    pixels = numpy.asarray(grey, dtype=numpy.float32)
    if pixels.shape[0] < 3 or pixels.shape[1] < 3:
        return 0.0
    laplacian = (
        pixels[:-2, 1:-1] + pixels[2:, 1:-1] + pixels[1:-1, :-2] + pixels[1:-1, 2:] - 4 * pixels[1:-1, 1:-1]
    )
    return float(laplacian.var())


def is_blurred(score: float | None) -> bool:
    return score is not None and score < settings.PORTAL_BLUR_WARN_BELOW
