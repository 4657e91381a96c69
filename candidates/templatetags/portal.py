"""Small presentation helpers shared by templates."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

# Landline (0731-84907978, 0731 8490 7978) or mobile numbers inside free text.
PHONE_RE = re.compile(r"(?<!\d)(0\d{2,3}[- ]?\d{7,8}|1[3-9]\d{9}|\d{7,8})(?!\d)")


@register.filter
def tel_links(value) -> str:
    """Each phone number in the text as a tap-to-call link; the rest escaped as it is."""
    text = str(value or "")
    out, last = [], 0
    for match in PHONE_RE.finditer(text):
        out.append(escape(text[last : match.start()]))
        number = match.group(0)
        digits = re.sub(r"\D", "", number)
        out.append(f'<a href="tel:{digits}" class="tel">{escape(number)}</a>')
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


@register.simple_tag
def pass_list_rows(page, report_path: str, objection_open: bool) -> str:
    """The rows of a page of a public list: written here rather than by a template loop,
    which costs ~0.1 ms a row (a search can show a hundred)."""
    from django.utils.translation import gettext as _

    position, gender, exam, employer, id_label, report = (
        escape(_(label)) for label in ("序号", "性别", "考试", "工作单位", "身份证号", "举报")
    )
    rows = []
    for entry in page:
        name = escape(entry["name"])
        row = (
            f'<tr><td data-label="{position}">{entry["position"]}</td><td class="name">{name}</td>'
            f'<td data-label="{gender}">{escape(entry["gender"])}</td>'
            f'<td data-label="{exam}">{escape(entry["exam"])}</td>'
            f'<td data-label="{employer}">{escape(entry["employer"])}</td>'
            f'<td data-label="{id_label}" class="nowrap">{escape(entry["masked_id"])}</td>'
        )
        if objection_open:
            row += (
                f'<td><a href="{escape(report_path)}{int(entry["pk"])}/report/">{report}'
                f'<span class="visually-hidden">{name}</span></a></td>'
            )
        rows.append(row + "</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="7">{escape(_("没有符合条件的记录。"))}</td></tr>')
    return mark_safe("<tbody>" + "".join(rows) + "</tbody>")
