"""Comparing two renderings of a page: each carries its own masked CSRF tokens."""

import re

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def without_csrf_tokens(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken"', html)
