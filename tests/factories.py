import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum.cn import ric, uscc

from candidates.enums import ApplicationKind, EducationLevel, EducationType, Gender, RosterReason
from candidates.models import (
    Application,
    CandidateProfile,
    City,
    EmployerHR,
    Exam,
    Organisation,
    RosterEntry,
    VerificationRound,
)
from reviews.models import CityReviewer

_sequence = itertools.count(1)


def make_id_number(birth: str = "19900101", area: str = "430102") -> str:
    """A valid 18-digit ID number; each call gives a new one."""
    body = f"{area}{birth}{next(_sequence) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_credit_code() -> str:
    body = f"91430100{next(_sequence):09d}"
    return body + uscc.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-42")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"city{n}")
    name = factory.Sequence(lambda n: f"测试市{n}")
    verification_phone = "0731-84907978"


class ExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exam
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"exam{n}")
    name = factory.Sequence(lambda n: f"测试考试{n}")


class RoundFactory(factory.django.DjangoModelFactory):
    """A round whose window is open now."""

    class Meta:
        model = VerificationRound
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"2026年度考后人工核查{n}")
    city = factory.SubFactory(CityFactory)
    exam_year = 2026
    work_cutoff = factory.LazyAttribute(lambda o: datetime.date(o.exam_year, 12, 31))
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=6))
    contact_phones = "0731-84907978"

    @factory.post_generation
    def exams(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.exams.set(extracted)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试单位{n}有限公司")
    credit_code = factory.LazyFunction(make_credit_code)


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateProfile

    user = factory.SubFactory(UserFactory)
    real_name = factory.Sequence(lambda n: f"考生{n}")
    id_number = factory.LazyFunction(make_id_number)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    gender = factory.LazyAttribute(lambda o: Gender.MALE if int(o.id_number[16]) % 2 else Gender.FEMALE)
    birth_date = factory.LazyAttribute(lambda o: ric.get_birth_date(o.id_number))
    phone_verified_at = factory.LazyFunction(timezone.now)


class RosterEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterEntry

    round = factory.SubFactory(RoundFactory)
    name = factory.Sequence(lambda n: f"考生{n}")
    id_number = factory.LazyFunction(make_id_number)
    exam = factory.SubFactory(ExamFactory)
    exam_year = factory.SelfAttribute("round.exam_year")
    city = factory.SelfAttribute("round.city")
    reason = RosterReason.PLATFORM_FAILED


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A declared draft: a 2010 bachelor's degree registered at chsi, one employer."""

    class Meta:
        model = Application

    candidate = factory.SubFactory(CandidateFactory)
    roster_entry = factory.SubFactory(
        RosterEntryFactory,
        id_number=factory.SelfAttribute("..candidate.id_number"),
        name=factory.SelfAttribute("..candidate.real_name"),
    )
    round = factory.SelfAttribute("roster_entry.round")
    city = factory.SelfAttribute("roster_entry.round.city")
    exam = factory.SelfAttribute("roster_entry.exam")
    application_kind = ApplicationKind.NORMAL
    employer = factory.SubFactory(OrganisationFactory)
    major = "社会工作"
    education_level = EducationLevel.BACHELOR
    education_type = EducationType.HIGHER
    school = "湖南师范大学"
    graduation_date = datetime.date(2010, 6, 1)
    chsi_registered = True
    work_start_date = datetime.date(2010, 7, 1)
    work_history = factory.LazyFunction(
        lambda: [{"start": "2010-07", "end": "", "employer": "测试单位", "position": "社会工作"}]
    )
    declared_at = factory.LazyFunction(timezone.now)


class EmployerHRFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmployerHR

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class CityReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityReviewer

    user = factory.SubFactory(UserFactory)
    city = factory.SubFactory(CityFactory)
