"""The employer's and the city reviewers' pages, a module per screen."""

from .appeal import appeal
from .employer import (
    employer_application,
    employer_approve_view,
    employer_bulk,
    employer_colleagues,
    employer_home,
    employer_return_view,
    invitation_accept,
)
from .queue import claim, claim_next, queue, release
from .review import decide, review, verdict

__all__ = [
    "appeal",
    "claim",
    "claim_next",
    "decide",
    "employer_application",
    "employer_approve_view",
    "employer_bulk",
    "employer_colleagues",
    "employer_home",
    "employer_return_view",
    "invitation_accept",
    "queue",
    "release",
    "review",
    "verdict",
]
