"""Page fingerprints for the fraud signals: a perceptual hash (imagehash pHash, 64 bits,
cut in four 16-bit bands for lookup), a finer 256-bit pHash to confirm a pair (one template
filled in by two people differs there; one scan re-saved does not), and the hash of a red
seal's region. Pure functions on a PIL image; a few milliseconds a page."""

from __future__ import annotations

from dataclasses import dataclass

import imagehash
from PIL import Image

NEAR_BITS = 3  # 64-bit distance for a candidate pair (found through the bands)
# 256-bit distance that confirms a near-duplicate: a re-saved scan ~2, one template filled in twice 8 or more.
FINE_BITS = 6
STAMP_FINE_BITS = 4  # 256-bit distance between two seal images taken for one
RED_SHARE = 0.002  # a seal needs at least this share of strongly red pixels


@dataclass(frozen=True)
class PageHashes:
    phash: int  # signed 64-bit, as PostgreSQL stores it
    bands: tuple[int, int, int, int]
    fine: str
    stamp: int | None
    stamp_fine: str


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def bands_of(phash: int) -> tuple[int, int, int, int]:
    value = _unsigned(phash)
    return tuple((value >> shift) & 0xFFFF for shift in (48, 32, 16, 0))


def distance(a: int, b: int) -> int:
    return bin(_unsigned(a) ^ _unsigned(b)).count("1")


def fine_distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def stamp_region(image: Image.Image) -> Image.Image | None:
    """The bounding box of strongly red pixels (a red seal), cropped; None without one."""
    import numpy

    full = image.convert("RGB")
    small = full.copy()
    small.thumbnail((600, 600))
    scale = full.width / small.width
    pixels = numpy.asarray(small).astype(numpy.int16)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    red = (r > 150) & (g < 110) & (b < 110) & (r - numpy.maximum(g, b) > 70)
    if red.mean() < RED_SHARE:
        return None
    ys, xs = numpy.nonzero(red)
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    return full.crop(tuple(round(v * scale) for v in box))  # the seal at the scan's resolution


def page_hashes(image: Image.Image) -> PageHashes:
    value = int(str(imagehash.phash(image)), 16)
    stamp = stamp_region(image)
    return PageHashes(
        phash=_signed(value),
        bands=bands_of(_signed(value)),
        fine=str(imagehash.phash(image, hash_size=16)),
        stamp=_signed(int(str(imagehash.phash(stamp)), 16)) if stamp is not None else None,
        stamp_fine=str(imagehash.phash(stamp, hash_size=16)) if stamp is not None else "",
    )


# Of two pages' texts with the names and ID numbers taken out, the share that must agree for
# one page to be the other with only the person changed. Two honest forms of one template
# differ in their filled-in dates, employers and titles too.
COPY_TEXT_RATIO = 0.95


def edited_copy(text_a: str, text_b: str, names: tuple[str, str]) -> bool | None:
    """Whether page B is page A with another person's name or ID number written in: the
    identities read differ and all the rest is the same. None when the texts name nobody
    (the fingerprints alone must tell)."""
    import difflib

    from reviews.crosscheck import id_numbers, identity_free, labelled_names, normalise

    ids_a, ids_b = set(id_numbers(text_a)), set(id_numbers(text_b))
    names_a = labelled_names(text_a) | {
        name for name in names if name and normalise(name) in normalise(text_a)
    }
    names_b = labelled_names(text_b) | {
        name for name in names if name and normalise(name) in normalise(text_b)
    }
    if not (ids_a or ids_b or names_a or names_b):
        return None
    if (ids_a & ids_b) or (names_a & names_b):
        return False  # the same person on both pages: one document shared (e.g. a list of staff)
    every_name = tuple(names_a | names_b | set(names))
    rest_a, rest_b = identity_free(text_a, every_name), identity_free(text_b, every_name)
    return difflib.SequenceMatcher(None, rest_a, rest_b, autojunk=False).ratio() >= COPY_TEXT_RATIO
