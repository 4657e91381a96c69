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
