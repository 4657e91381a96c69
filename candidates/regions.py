"""China's administrative divisions (province → prefecture → county), for address pickers,
read from python-stdnum's region table (the one that checks ID numbers): current names only."""

from __future__ import annotations

import os
import re
from functools import lru_cache

import stdnum

_NAME = re.compile(r'(\w+)="([^"]*)"')
_RANGE = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


def _current(value: str) -> str | None:
    """The name in use today from '[1983-1995]东区,[1996-]芙蓉区', or None when abolished."""
    for part in reversed(value.split(",")):
        match = _RANGE.match(part)
        if match is None:
            return part or None
        if not match.group(2):
            return match.group(3) or None
    return None


@lru_cache(maxsize=1)
def region_tree() -> dict[str, dict]:
    """{province: {city: [district, …]}} in the table's order."""
    path = os.path.join(os.path.dirname(stdnum.__file__), "cn", "loc.dat")
    tree: dict[str, dict] = {}
    province = city = None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            code, _space, rest = line.strip().partition(" ")
            fields = dict(_NAME.findall(rest))
            if "province" in fields:
                province = _current(fields["province"])
                if province:
                    tree.setdefault(province, {})
                city = None
                continue
            name = _current(fields.get("county", ""))
            if province is None or name is None or len(code) != 4:
                continue
            if code.endswith("00"):
                city = province if name in ("市辖区", "县") or name == province else name
                tree[province].setdefault(city, [])
            elif city is not None and name not in ("市辖区",):
                tree[province][city].append(name)
    return {p: {c: d for c, d in cities.items() if d} for p, cities in tree.items() if cities}


def provinces() -> list[str]:
    return list(region_tree())


def cities_of(province: str) -> list[str]:
    return list(region_tree().get(province, {}))


def districts_of(province: str, city: str) -> list[str]:
    return region_tree().get(province, {}).get(city, [])
