"""The PDF of a public list, a part at a time: text lines in a monospaced CJK font, drawn
with ReportLab's canvas.

A list is a table of text, and on publication day it may hold 100,000 names: WeasyPrint,
which lays out every line box through Pango, took 2.2 s a part of 5,000 rows; the canvas
writes the same lines in 0.2 s (``benchmarks/publication.py`` compares both with the naive
document). The font is the one the portal installs for its other PDFs (WenQuanYi Micro Hei,
``PORTAL_PDF_FONT``), embedded as a subset.

A person's lines (a long name or employer wraps, never cut) are never split across pages.
Each page's foot names the list and the positions on it (第 m–n 名，共 N 名): the parts are
rendered apart and merged, so a page cannot know its page number, and a position finds a
person in both the PDF and the page."""

import io
import itertools
from dataclasses import dataclass
from functools import cache

from django.conf import settings

LINES_PER_PAGE = 55
HEADERS = ["序号", "姓名", "性别", "考试", "工作单位", "身份证号"]
# Where each column starts, in ems of the font size: 序号, 姓名, 性别, 考试, 工作单位, 身份证号.
# Each cell is drawn at its column's start (a CJK character is 1 em wide in the monospaced
# face and a Latin one 0.6 em, so padding with spaces would not keep the columns straight).
COLUMNS = (0.0, 5.0, 12.0, 14.5, 27.5, 48.5)

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM  # A4
LEFT, TOP, BOTTOM = 12 * MM, 14 * MM, 10 * MM
SIZE, LEADING = 8.6, 4.4 * MM


def _char_width(ch: str) -> float:
    return 1.0 if ord(ch) > 0x2E7F else 0.6


def _wrap(text: str, width: float) -> list[str]:
    """``text`` in pieces at most ``width`` ems wide: nothing of a name is ever cut off, a
    long one continues on the next line."""
    pieces, current, used = [], "", 0.0
    for ch in text:
        if used + _char_width(ch) > width and current:
            pieces.append(current)
            current, used = "", 0.0
        current += ch
        used += _char_width(ch)
    pieces.append(current)
    return pieces


def _row_lines(cells: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A person's lines, each a piece of every cell: the wrapped columns leave 1 em of gap."""
    widths = [right - left - 1 for left, right in itertools.pairwise(COLUMNS)]
    wrapped = [_wrap(value, width) for value, width in zip(cells[:-1], widths, strict=True)]
    wrapped.append([cells[-1]])  # the masked ID number, always one line
    height = max(len(pieces) for pieces in wrapped)
    return [
        tuple(pieces[index] if index < len(pieces) else "" for pieces in wrapped) for index in range(height)
    ]


@dataclass
class Page:
    lines: list[tuple[str, ...]]
    first: int  # the positions on it
    last: int


def pages_of(rows, *, first_page_lines: int = LINES_PER_PAGE) -> list[Page]:
    """Pages of lines; a person's lines are never split across two pages."""
    pages, current, limit = [], None, first_page_lines
    for position, name, gender, exam, employer, masked_id in rows:
        lines = _row_lines((str(position), name, gender, exam, employer, masked_id))
        if current is None or (current.lines and len(current.lines) + len(lines) > limit):
            if current is not None:
                pages.append(current)
                limit = LINES_PER_PAGE
            current = Page([], position, position)
        current.lines.extend(lines)
        current.last = position
    if current is not None:
        pages.append(current)
    return pages


@cache
def _fonts() -> tuple[str, str]:
    """The proportional and the monospaced face of the CJK font, registered once a process."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("PortalSans", settings.PORTAL_PDF_FONT, subfontIndex=0))
    pdfmetrics.registerFont(TTFont("PortalMono", settings.PORTAL_PDF_FONT, subfontIndex=1))
    return "PortalSans", "PortalMono"


def _wrapped_note(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for ch in text:
        if current and stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ""
        current += ch
    return [*lines, current] if current else lines


def pass_list_pdf_part(*, title: str, note: str, footer: str, total: int, rows, first: bool) -> bytes:
    """One part of a list's PDF: ``rows`` (position, name, gender, exam, employer, masked ID)
    in order; the first part opens with the ``title`` and the ``note``."""
    from reportlab.pdfgen import canvas

    sans, mono = _fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    pdf.setTitle(title)
    columns = [LEFT + start * SIZE for start in COLUMNS]

    def draw_line(text, cells, y: float) -> None:
        for x, cell in zip(columns, cells, strict=True):
            if cell:
                text.setTextOrigin(x, y)
                text.textOut(cell)

    note_lines = _wrapped_note(note, sans, SIZE, PAGE_WIDTH - 2 * LEFT) if first else []
    opening = (2 + len(note_lines)) if first else 0  # the title takes two lines' height
    pages = pages_of(rows, first_page_lines=LINES_PER_PAGE - opening) or [Page([], 0, 0)]  # none passed
    for number, page in enumerate(pages):
        y = PAGE_HEIGHT - TOP
        if first and number == 0:
            pdf.setFont(sans, 13)
            pdf.drawString(LEFT, y - 13, title)
            y -= 2 * LEADING
            text = pdf.beginText(LEFT, y - SIZE)
            text.setFont(sans, SIZE, leading=LEADING)
            for line in note_lines:
                text.textLine(line)
            pdf.drawText(text)
            y -= len(note_lines) * LEADING
        text = pdf.beginText()
        text.setFont(mono, SIZE)
        draw_line(text, HEADERS, y - SIZE)
        for index, line in enumerate(page.lines, start=1):
            draw_line(text, line, y - SIZE - index * LEADING)
        pdf.drawText(text)
        pdf.setLineWidth(0.5)
        pdf.line(LEFT, y - LEADING + 1, PAGE_WIDTH - LEFT, y - LEADING + 1)
        pdf.setFont(sans, 8)
        shown = f"第 {page.first}–{page.last} 名，" if page.last else ""
        pdf.drawCentredString(PAGE_WIDTH / 2, BOTTOM, f"{footer} · {shown}共 {total} 名")
        pdf.showPage()
    pdf.save()
    return out.getvalue()
