"""Keyset pagination for the reviewer's queue: "next" and "previous" continue from the last
row shown, by (status_changed_at, id), so a deep page costs what page 1 costs (no OFFSET).
The page number travels in the link for display; the total comes from the counts the page
already has."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q, QuerySet

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


@dataclass(frozen=True)
class Cursor:
    moment: datetime.datetime | None
    pk: int


def encode(row: dict, sort: str) -> str:
    """The cursor of a row (values with ``pk`` and ``status_changed_at``): its place in the
    order (microseconds since 1970, then its id)."""
    if sort == "reference":
        return str(row["pk"])
    return f"{(row['status_changed_at'] - EPOCH) // MICROSECOND}-{row['pk']}"


def decode(text: str, sort: str) -> Cursor | None:
    """A cursor from a link; None for anything else (the page then starts at the top)."""
    try:
        if sort == "reference":
            return Cursor(None, int(text))
        micros, pk = text.split("-", 1)
        return Cursor(EPOCH + int(micros) * MICROSECOND, int(pk))
    except (ValueError, OverflowError):
        return None


def beyond(cursor: Cursor, *, greater: bool) -> Q:
    """Rows after (or before) the cursor in (status_changed_at, id) order. The first condition
    is a range on the index, so the scan starts at the cursor instead of filtering up to it."""
    if cursor.moment is None:
        return Q(pk__gt=cursor.pk) if greater else Q(pk__lt=cursor.pk)
    if greater:
        return Q(status_changed_at__gte=cursor.moment) & (
            Q(status_changed_at__gt=cursor.moment) | Q(pk__gt=cursor.pk)
        )
    return Q(status_changed_at__lte=cursor.moment) & (
        Q(status_changed_at__lt=cursor.moment) | Q(pk__lt=cursor.pk)
    )


class _Counts:
    def __init__(self, count: int | None, size: int):
        self.count = count
        self.num_pages = max(1, math.ceil(count / size)) if count is not None else None


@dataclass
class KeysetPage:
    rows: list
    number: int
    paginator: _Counts
    has_next: bool
    has_previous: bool
    next_query: str = ""
    previous_query: str = ""

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def keyset_page(
    queryset: QuerySet,
    *,
    sort: str,
    orders: tuple[str, ...],
    after: str = "",
    before: str = "",
    number: int = 1,
    size: int,
    count: int | None,
    query: str = "",
) -> KeysetPage:
    """One page of ``queryset`` (ordered by ``orders``, ascending or all descending) after or
    before a cursor; the links to the neighbouring pages keep ``query`` (the filters)."""
    descending = orders[0].startswith("-")
    reverse_orders = tuple(order[1:] if order.startswith("-") else f"-{order}" for order in orders)
    cursor = decode(before, sort) if before else decode(after, sort) if after else None
    backwards = bool(before) and cursor is not None
    if cursor is None:
        number = 1
        rows = list(queryset.order_by(*orders)[: size + 1])
        has_next, has_previous = len(rows) > size, False
        rows = rows[:size]
    elif not backwards:
        rows = list(queryset.filter(beyond(cursor, greater=not descending)).order_by(*orders)[: size + 1])
        has_next, has_previous = len(rows) > size, True
        rows = rows[:size]
    else:
        rows = list(queryset.filter(beyond(cursor, greater=descending)).order_by(*reverse_orders)[: size + 1])
        has_previous, has_next = len(rows) > size, True
        rows = list(reversed(rows[:size]))
        if not has_previous:
            number = 1
    page = KeysetPage(
        rows=rows,
        number=max(1, number),
        paginator=_Counts(count, size),
        has_next=has_next,
        has_previous=has_previous,
    )
    prefix = f"{query}&" if query else ""
    if rows and has_next:
        page.next_query = prefix + urlencode({"after": encode(rows[-1], sort), "page": page.number + 1})
    if rows and has_previous:
        page.previous_query = prefix + urlencode(
            {"before": encode(rows[0], sort), "page": max(1, page.number - 1)}
        )
    return page
