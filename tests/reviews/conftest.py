import pytest

from candidates.enums import ApplicationStatus
from candidates.services.applications import application_submit
from candidates.services.materials import material_upload
from tests import factories
from tests.files import pdf_bytes, upload


def upload_checklist(application):
    for requirement in application.required_materials():
        material_upload(
            application=application,
            kind=requirement.code,
            files=[upload(f"{requirement.code}.pdf", pdf_bytes(1))],
            actor=application.candidate.user,
        )


@pytest.fixture
def make_submitted(db):
    """An application submitted to the city (its employer has no HR account)."""

    def make(**kwargs):
        application = factories.ApplicationFactory(**kwargs)
        upload_checklist(application)
        application_submit(application=application, actor=application.candidate.user)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.CITY_REVIEW
        return application

    return make


@pytest.fixture
def submitted(make_submitted):
    return make_submitted()


@pytest.fixture
def reviewer(submitted):
    return factories.CityReviewerFactory(city=submitted.round.city).user


@pytest.fixture
def second_reviewer(submitted):
    return factories.CityReviewerFactory(city=submitted.round.city).user
