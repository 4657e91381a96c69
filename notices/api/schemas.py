"""The API's bodies, as the OpenAPI description shows them."""

import datetime

from ninja import Field, Schema

# Text without NUL (no database column can hold one).
TEXT = r"^[^\x00]*$"


class CityOut(Schema):
    code: str
    name: str


class RoundOut(Schema):
    id: int
    name: str
    city: CityOut
    kind: str
    exam_year: int
    exams: list[str] = Field(description="Exam codes")
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    publication_at: datetime.datetime | None


class RosterRow(Schema):
    """One person to verify, as a roster row (附件1) has them."""

    name: str = Field(max_length=100, pattern=TEXT)
    id_number: str = Field(max_length=40, pattern=TEXT)
    exam: str | None = Field(
        None, max_length=60, pattern=TEXT, description="Exam name or code; the round's only exam if left out"
    )
    year: int | None = Field(None, ge=1900, le=2100, description="Exam year; the round's if left out")
    city: str | None = Field(
        None, max_length=40, pattern=TEXT, description="City name or code; the round's if left out"
    )
    reason: str = Field(max_length=60, pattern=TEXT, description="核查原因: a code 1–6 or its words")
    phone: str | None = Field(None, max_length=20, pattern=TEXT)
    level: str | None = Field(None, max_length=40, pattern=TEXT)
    specialty: str | None = Field(None, max_length=80, pattern=TEXT)
    score: str | None = Field(None, max_length=80, pattern=TEXT)
    admission_number: str | None = Field(None, max_length=40, pattern=TEXT)
    archive_number: str | None = Field(None, max_length=40, pattern=TEXT)
    addition: bool | None = Field(None, description="增项")


class RosterPush(Schema):
    rows: list[RosterRow] = Field(max_length=20_000)


class RefusedRow(Schema):
    row: int = Field(description="1-based position in the rows sent")
    id_number: str
    reason: str


class RosterPushResult(Schema):
    received: int
    imported: int
    unchanged: int = Field(description="Already in the round: a repeated push changes nothing")
    refused: list[RefusedRow]
    flagged: list[RefusedRow] = Field(description="Imported, but barred by an integrity record")


class OutcomeOut(Schema):
    reference: str
    application_id: int
    round_id: int
    city: str
    exam: str
    name: str
    id_number: str
    status: str
    status_label: str
    changed_at: datetime.datetime


class OutcomePage(Schema):
    items: list[OutcomeOut]
    next_cursor: str | None = Field(
        description="Pass as cursor for the next page; at the end, the place to poll from for later changes"
    )


class PassListOut(Schema):
    id: int
    round_id: int
    series: int
    version: int
    status: str
    entry_count: int
    published_at: datetime.datetime | None
    objection_ends_at: datetime.datetime | None


class PassListEntryOut(Schema):
    position: int
    name: str
    gender: str
    exam: str
    employer: str
    id_number: str = Field(description="Masked as published, or in full for a client with results:read")


class PassListEntryPage(Schema):
    items: list[PassListEntryOut]
    next_cursor: str | None


class CertificateOut(Schema):
    number: str | None
    status: str
    status_label: str
    holder_name: str
    holder_id_number: str
    exam: str
    level: str
    kind: str
    issued_on: datetime.date
    tracking_number: str
    collected_at: datetime.datetime | None
    round_id: int


class CertificatePage(Schema):
    items: list[CertificateOut]
    next_cursor: str | None


class CertificateCheckOut(Schema):
    result: str = Field(description="valid, cancelled, file_altered or not_found")
    certificate: CertificateOut | None
