"""The sample's selection, pure and published: per stratum, the ceil(rate × n) cases with the
smallest SHA-256 of "seed:case id". Given the frozen list and the seed, anyone recomputes it
(``manage.py recompute_sample``); a different seed gives a different sample."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict

ALGORITHM = "sha256-smallest-k/v1"


def case_lines_digest(lines: str) -> str:
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def parse_lines(lines: str) -> list[tuple[int, str]]:
    cases = []
    for line in lines.splitlines():
        if line.strip():
            case_id, _comma, stratum = line.partition(",")
            cases.append((int(case_id), stratum))
    return cases


def _rank(seed: str, key: str) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def select(lines: str, *, seed: str, rate_percent: int) -> list[tuple[int, str]]:
    """The sample: (case id, stratum), by stratum then rank."""
    strata: dict[str, list[int]] = defaultdict(list)
    for case_id, stratum in parse_lines(lines):
        strata[stratum].append(case_id)
    chosen = []
    for stratum in sorted(strata):
        ids = strata[stratum]
        k = math.ceil(len(ids) * rate_percent / 100)
        for case_id in sorted(ids, key=lambda i: _rank(seed, str(i)))[:k]:
            chosen.append((case_id, stratum))
    return chosen


def pick_checker(candidates: list[int], *, seed: str, case_id: int) -> int | None:
    """The second reviewer, at random but reproducibly: the smallest SHA-256 of
    "seed:case:reviewer" among those allowed."""
    if not candidates:
        return None
    return min(candidates, key=lambda reviewer: _rank(seed, f"{case_id}:{reviewer}"))
