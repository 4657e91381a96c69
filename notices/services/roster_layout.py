"""Rosters as bureaus actually have them: .xlsx, .xls or .csv (UTF-8, with or without BOM, or
GBK/GB18030 from WPS), title rows above the header, a 序号 column, the header names in use
(身份证号码, 考区 …), columns the round already fixes left out.

``open_rows`` yields the file's rows as lists; ``find_layout`` finds the header row and maps
it to the portal's fields; ``canonical`` puts a row's cells in the validator's order.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from python_calamine import CalamineWorkbook

# The exam's own facts a roster may carry (stored as given on the roster entry).
FACTS = ("level", "specialty", "score", "admission_number", "archive_number", "addition")
FIELDS = ("name", "id_number", "exam", "year", "city", "reason", "phone", *FACTS)
SYNONYMS = {
    "name": {"姓名"},
    "id_number": {"身份证号", "身份证号码", "证件号码", "公民身份号码", "身份证件号码", "证件号"},
    "exam": {"考试", "考试名称", "资格名称", "报考考试", "考试类别"},
    "year": {"考试年度", "年度"},
    "city": {"市州", "考区", "地市", "报考地市"},
    "reason": {"核查原因", "原因", "人工核查原因"},
    "phone": {"手机号码", "手机", "联系电话", "手机号"},
    "level": {"级别", "报考级别"},
    "specialty": {"专业", "报考专业"},
    "score": {"成绩", "总成绩", "合格成绩", "考试成绩"},
    "admission_number": {"准考证号", "准考证号码"},
    "archive_number": {"档案号", "档案编号"},
    "addition": {"增项", "是否增项"},
}
# Columns recognised and deliberately not stored.
IGNORED = {"序号", "性别", "备注", "工作单位", "单位", "出生日期", "年龄"}
REQUIRED = ("name", "id_number", "reason")
HEADER_SCAN_ROWS = 15
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def file_kind(head: bytes, name: str) -> str | None:
    """'xlsx', 'xls', 'csv', or None for anything else."""
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(XLS_MAGIC):
        return "xls"
    if name.lower().endswith(".csv") and b"\x00" not in head:
        return "csv"
    return None


def _csv_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")  # WPS and Excel on Chinese Windows save GBK


def open_rows(data: bytes, kind: str) -> tuple[int, Iterator[list]]:
    """(row count, rows) of the file's first sheet."""
    if kind == "csv":
        lines = _csv_text(data).splitlines()
        return len(lines), iter(csv.reader(lines))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    return sheet.height, sheet.iter_rows()


def label_of(value) -> str:
    """A header cell as compared: NFKC, no spaces, no trailing * or colon."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return "".join(text.split()).rstrip("*：:")[:60]


def field_for(label: str, aliases: dict[str, str]) -> str | None:
    """The field a header label means: a remembered alias first ('' = ignore), then the
    usual names; None when unknown."""
    if label in aliases:
        return aliases[label] or None
    for field, names in SYNONYMS.items():
        if label in names:
            return field
    return None


@dataclass
class Layout:
    header_row: int  # 1-based row number of the header
    columns: dict  # field -> column index

    @cached_property
    def positions(self) -> tuple:
        return tuple(self.columns.get(field) for field in FIELDS)


def _map(labels: list[str], aliases: dict[str, str]) -> dict:
    columns = {}
    for position, label in enumerate(labels):
        field = field_for(label, aliases)
        if field and field not in columns:
            columns[field] = position
    return columns


def find_layout(
    rows: Iterator[list], aliases: dict[str, str] | None = None
) -> tuple[Layout | None, list[list], list[str]]:
    """Look for the header among the first rows: the first row naming a name column and an ID
    column (by the usual names or ones an administrator mapped before). When none does, the
    first row of three or more text cells is taken as the header, to be mapped by hand.
    Returns the layout (None when no row looks like a header), the rows already read below
    the header, and the header's labels."""
    aliases = aliases or {}
    buffered: list[list] = []
    fallback: tuple[int, list[str]] | None = None
    for index, row in enumerate(rows, start=1):
        labels = [label_of(cell) for cell in row]
        columns = _map(labels, aliases)
        if "name" in columns and "id_number" in columns:
            return Layout(header_row=index, columns=columns), [], labels
        texts = [cell for cell in row if isinstance(cell, str) and cell.strip()]
        if fallback is None and len(texts) >= 3:
            fallback = (index, labels)
        buffered.append(row)
        if index >= HEADER_SCAN_ROWS:
            break
    if fallback is None:
        return None, buffered, []
    index, labels = fallback
    return Layout(header_row=index, columns=_map(labels, aliases)), buffered[index:], labels


def canonical(row: list, layout: Layout) -> list:
    """The row's cells in ``FIELDS`` order; None where the file has no such column."""
    size = len(row)
    return [row[p] if p is not None and p < size else None for p in layout.positions]
