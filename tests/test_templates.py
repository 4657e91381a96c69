"""Templates hold no workflow rules: they read flags the views give them, never compare a
status (or a round's kind) with a literal."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_template_compares_a_status_with_a_literal():
    literal = re.compile(r"\.(status|kind)\s*(==|!=)\s*['\"]")
    offenders = [
        f"{template.relative_to(ROOT)}:{number}"
        for template in (ROOT / "templates").rglob("*.html")
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), start=1)
        if literal.search(line)
    ]
    assert offenders == []
