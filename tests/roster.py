"""The roster import's steps as one call, for tests that are not about the mapping step."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from notices.enums import ImportStatus
from notices.models import RosterImport
from notices.services.roster_import import (
    roster_import_inspect,
    roster_import_map,
    roster_import_upload,
    roster_import_validate,
)


def validated(roster_import: RosterImport, admin, mapping: dict | None = None) -> RosterImport:
    """Inspect, accept the mapping (as detected unless given) and validate."""
    inspected = roster_import_inspect(roster_import=roster_import)
    if inspected.status != ImportStatus.MAPPING:
        return inspected
    mapped = roster_import_map(roster_import=inspected, user=admin, mapping=mapping)
    return roster_import_validate(roster_import=mapped)


def uploaded_and_validated(round_, admin, rows: list[list]) -> RosterImport:
    """A workbook of 姓名, 身份证号 and 核查原因 ``rows``, uploaded into ``round_`` and validated."""
    book = Workbook()
    book.active.append(["姓名", "身份证号", "核查原因"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("r.xlsx", out.getvalue())
    return validated(roster_import_upload(round_=round_, user=admin, upload=upload), admin)
