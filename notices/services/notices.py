"""Notices (公告): Markdown rendered to safe HTML, and what the public may see."""

import datetime

import markdown
import nh3
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from notices.models import Notice

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "h2", "h3", "h4", "ul", "ol", "li", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a", "code", "pre", "hr",
}  # fmt: skip


def notice_body_html(text: str) -> SafeString:
    """Markdown to HTML, then cleaned by nh3: no script, style, event attribute or javascript: link."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)


def notices_public(*, now: datetime.datetime | None = None) -> QuerySet[Notice]:
    """Notices whose publication time has come (a notice can be scheduled ahead)."""
    return Notice.objects.filter(publish_at__lte=now or timezone.now()).select_related("round__city")
