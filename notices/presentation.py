"""The rows of a public list's page, written here rather than by template loops: a search's
rows are put into a kept frame on every view (``notices.views.public.pass_list_detail``),
and a template loop costs ~0.1 ms a row (a search can show a hundred)."""

import functools

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _


@functools.lru_cache(maxsize=8)
def _labels(language: str) -> tuple[str, ...]:
    """The table's labels in ``language``, escaped (translated once, not on every search)."""
    with override(language):
        return tuple(escape(_(label)) for label in ("序号", "性别", "考试", "工作单位", "身份证号", "举报"))


def pass_list_rows(page, *, report_path: str, objection_open: bool) -> SafeString:
    """A page of entries as the table's body, each with its report link while objections
    are open (``report_path`` and the entry's id)."""
    position, gender, exam, employer, id_label, report = _labels(get_language())
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


def exam_options(exams: list[str], *, chosen: str) -> SafeString:
    """The exam filter's options: all, then each exam on the list, ``chosen`` selected."""
    options = [f'<option value="">{escape(_("全部"))}</option>']
    for name in exams:
        selected = " selected" if name == chosen else ""
        options.append(f'<option value="{escape(name)}"{selected}>{escape(name)}</option>')
    return mark_safe("".join(options))
