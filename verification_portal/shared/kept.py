"""Pages kept in the cache and served again until what they show changes.

On deadline and publication days most views of the queue, the dashboard and the public
list find nothing new: such a page is rendered once, kept with the tokens of the versions it
was rendered under (its writers change them: ``version_changed``), and served from the cache
while they are current. What else a page depends on is added to its key here: the language,
the care mode, the viewer's role (the menu) and the full path.

A kept page holds no CSRF token: it is rendered with a mark in its place, and the mark is
replaced with the request's own token each time it is served, so no page carries one
session's token into another, nor a token rotated at login into the next one. A page with a
message to show once (``django.contrib.messages``) is rendered for that view and not kept."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import get_language

from verification_portal.care import COOKIE as CARE_COOKIE


def _csrf_mark() -> str:
    # The same in every process serving the portal (one renders, another serves), and not
    # guessable, so no text a user enters can be taken for it. Letters and digits only: the
    # csrf_token tag writes it as it is into the form's value.
    digest = hashlib.sha256(f"kept-csrf-mark:{settings.SECRET_KEY}".encode()).hexdigest()
    return "keptcsrf" + digest[:24]


CSRF_MARK = _csrf_mark()
# What a kept page is kept as: (the page's HTML, what its context put under "kept").
KEPT_SHAPE = "html-kept"


def _role(request) -> str:
    """What the site menu shows this viewer."""
    user = request.user
    if not user.is_authenticated:
        return "anonymous"
    if getattr(request, "awaiting_second_factor", False):
        return "awaiting"
    for role in ("city_reviewer", "employer_hr"):
        if getattr(user, role, None):
            return role
    return "administrator" if user.is_superuser else "candidate"


def kept_page(
    request,
    *,
    key: str | None,
    versions: tuple[str, ...] = (),
    template: str,
    context,
    parts=None,
) -> HttpResponse:
    """``template`` rendered with ``context(*tokens)``'s dict, or the same page kept under
    ``key`` while the tokens of the ``versions`` keys are those it was rendered under (both
    read in one round trip). ``context`` returns the dict and how many seconds the page may be
    kept (0: not kept); with no ``key`` the page is rendered for this view only.

    With ``parts`` the kept page is a frame shared by every address of the view:
    ``parts(kept)`` returns, for each mark the frame was rendered with, the HTML this request
    puts in its place, and the frame's ``next_path`` (the language and care-mode forms' return
    address) is this request's. ``kept`` is what ``context`` put under "kept" in its values,
    kept with the frame: what the parts need is then read with it, in the same round trip."""

    def render(tokens) -> tuple[tuple[str, object], int]:
        values, seconds = context(*tokens)
        values = {**values, "csrf_token": CSRF_MARK}
        if parts is not None:
            values["next_path"] = NEXT_PATH_MARK
        return (render_to_string(template, values, request=request), values.get("kept")), seconds

    if key is None or len(get_messages(request)):  # a message is shown once, on its own page
        (html, kept), _seconds = render(version_tokens(*versions))
    else:
        path = "frame" if parts else hashlib.sha256(request.get_full_path().encode()).hexdigest()[:24]
        care = int(request.COOKIES.get(CARE_COOKIE) == "1")
        # The mark is in the key: while a new secret key rolls out, a process never serves a
        # page whose mark it would not fill in. So is the kept value's shape: while a release
        # rolls out, no process reads a value of the shape the other release keeps.
        page_key = (
            f"kept-page:{key}:{get_language()}:{care}:{_role(request)}:{path}:{CSRF_MARK[-6:]}:{KEPT_SHAPE}"
        )
        html, kept = kept_value(page_key, versions, render)
    if parts is not None:
        for mark, part in {**parts(kept), NEXT_PATH_MARK: escape(request.get_full_path())}.items():
            html = html.replace(mark, part)
    return HttpResponse(html.replace(CSRF_MARK, get_token(request)))


def part_mark(name: str) -> str:
    """A mark for a part a kept frame leaves to each request (``kept_page``'s ``parts``):
    derived from the secret key like the CSRF mark, so no text a user enters is taken for it."""
    return f"{CSRF_MARK}{name}"


NEXT_PATH_MARK = part_mark("next")


def kept_value(key: str, versions, make):
    """``make(tokens)``'s value, or the one kept under ``key`` while the tokens of the
    ``versions`` keys are those it was made under (both read in one round trip). ``make``
    returns the value and how many seconds it may be kept (0: not kept)."""
    found = cache.get_many([*versions, key])
    tokens = version_tokens_in(versions, found)
    kept = found.get(key)
    if kept is not None and kept[0] == tokens:
        return kept[1]
    value, seconds = make(tokens)
    if seconds > 0:
        cache.set(key, (tokens, value), timeout=seconds)
    return value


def version_tokens_in(keys, found: dict) -> list[str]:
    """The current token of each version key, from ``found`` (a ``get_many`` that read them
    with other keys); a token missing there is made at this first read."""
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = secrets.token_hex(6)
            if not cache.add(key, token, timeout=None):
                token = cache.get(key) or token
        tokens.append(token)
    return tokens


def version_tokens(*keys: str) -> list[str]:
    """The current token of each version key, in one round trip."""
    return version_tokens_in(keys, cache.get_many(keys)) if keys else []


def version_changed(key: str) -> None:
    """What was kept under ``key``'s token is stale: a new token now, and another when the
    caller's transaction commits (a page rendered in between from the rows as they were
    before is not served past the commit). Outside a transaction both happen at once."""

    def renew() -> None:
        cache.set(key, secrets.token_hex(6), timeout=None)

    renew()
    transaction.on_commit(renew)
