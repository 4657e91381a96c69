"""Settings for the load benchmark: the portal's own, with two comparison views mounted beside
its URLs (``load_urls``). Never used by the portal itself."""

from verification_portal.settings import *  # noqa: F403
from verification_portal.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "load_urls"
TEMPLATES[0]["DIRS"] = [BASE_DIR / "benchmarks" / "load_templates", *TEMPLATES[0]["DIRS"]]
