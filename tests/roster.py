"""The roster import's steps as one call, for tests that are not about the mapping step."""

from notices.enums import ImportStatus
from notices.models import RosterImport
from notices.services.roster_import import roster_import_inspect, roster_import_map, roster_import_validate


def validated(roster_import: RosterImport, admin, mapping: dict | None = None) -> RosterImport:
    """Inspect, accept the mapping (as detected unless given) and validate."""
    inspected = roster_import_inspect(roster_import=roster_import)
    if inspected.status != ImportStatus.MAPPING:
        return inspected
    mapped = roster_import_map(roster_import=inspected, user=admin, mapping=mapping)
    return roster_import_validate(roster_import=mapped)
