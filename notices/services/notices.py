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


# The kept list of notices (notices.views.public.notice_list) is stale once a notice is saved
# or deleted (notices.apps), and when a scheduled one comes due (notices_kept_seconds).
NOTICES_VERSION = "notices-version"


def notices_changed() -> None:
    from verification_portal.shared.kept import version_changed

    version_changed(NOTICES_VERSION)


def notices_kept_seconds(*, now: datetime.datetime) -> int:
    """How long the list of notices may be served as rendered: never past the next
    scheduled notice's publication."""
    from django.conf import settings

    seconds = settings.PORTAL_PUBLIC_KEPT_SECONDS
    due = (
        Notice.objects.filter(publish_at__gt=now)
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    if due is not None:
        seconds = min(seconds, int((due - now).total_seconds()) + 1)
    return seconds
