import base64
import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import ric, uscc

from candidates.enums import ExamHalf, RosterReason
from candidates.models import (
    CandidateProfile,
    City,
    EmployerHR,
    Exam,
    Organisation,
    RosterEntry,
    VerificationRound,
)
from candidates.services.accounts import candidate_register
from reviews.models import CityReviewer, EligibilityRule

DEMO_PASSWORD = "Demo-2026-verify"
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"  # demo only: a published key
DEMO_TOTP_KEY_BASE32 = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()
DEMO_YEARS = {"secondary": 6, "junior_college": 4, "bachelor": 3, "master": 1, "doctor": 0}


def demo_id_number(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def demo_credit_code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


class Command(BaseCommand):
    help = "Create a demo round, roster and one account per role (idempotent). Never run in production."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        changsha = City.objects.get(code="changsha")
        social_work = Exam.objects.get(code="shegong")
        economics = Exam.objects.get(code="jingji")

        round_, _ = VerificationRound.objects.get_or_create(
            name=f"{now.year}年度社会工作者、经济专业技术资格考试考后人工核查（长沙考区，演示）",
            defaults={
                "city": changsha,
                "exam_year": now.year,
                "opens_at": (now - datetime.timedelta(days=1)).replace(minute=0, second=0, microsecond=0),
                "closes_at": (now + datetime.timedelta(days=14)).replace(
                    hour=9, minute=0, second=0, microsecond=0
                ),
                "publication_at": now + datetime.timedelta(days=20),
                "contact_phones": "0731-84907978",
                "contact_address": "长沙市芙蓉区芙蓉中路一段669号市人社局22楼2205房",
                "appeal_closes_at": now + datetime.timedelta(days=40),
                "exam_half": ExamHalf.FIRST if now.month > 6 else ExamHalf.SECOND,
                "work_cutoff": datetime.date(now.year, 12, 31),
                "score_released_on": (now - datetime.timedelta(days=5)).date(),
            },
        )
        round_.exams.set([social_work, economics])

        organisation, _ = Organisation.objects.get_or_create(
            credit_code=demo_credit_code("91430100MA4L00000"),
            defaults={"name": "长沙示范科技有限公司"},
        )
        candidate_id = demo_id_number("43010219900307123")
        second_id = demo_id_number("43010419880512002")
        for id_number, name, exam, level, specialty, score in (
            (candidate_id, "张示范", social_work, "中级", "社会工作实务", "78/72"),
            (second_id, "李演示", economics, "中级", "人力资源管理", "85/66"),
        ):
            RosterEntry.objects.get_or_create(
                round=round_,
                id_number=id_number,
                exam=exam,
                defaults={
                    "name": name,
                    "exam_year": round_.exam_year,
                    "city": changsha,
                    "reason": RosterReason.PLATFORM_FAILED,
                    "level": level,
                    "specialty": specialty,
                    "score": score,
                },
            )
        if not CandidateProfile.objects.filter(id_number=candidate_id).exists():
            profile = candidate_register(
                real_name="张示范",
                id_number=candidate_id,
                phone="13800138000",
                password=DEMO_PASSWORD,
                email="candidate@example.com",
            )
            # The demo account's phone counts as verified (its code went to the console).
            profile.phone_verified_at = timezone.now()
            profile.save(update_fields=["phone_verified_at"])
            profile.user.is_active = True
            profile.user.save(update_fields=["is_active"])

        def staff(username: str, first_name: str, **extra):
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults={"first_name": first_name, **extra}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            return user

        hr_user = staff("hr_demo", "王人事")
        EmployerHR.objects.get_or_create(user=hr_user, defaults={"organisation": organisation})
        reviewer = staff("reviewer_changsha", "赵核查")
        CityReviewer.objects.get_or_create(user=reviewer, defaults={"city": changsha})
        staff("admin", "管理员", is_staff=True, is_superuser=True)
        second_reviewer = staff("reviewer_changsha_2", "钱复核")
        CityReviewer.objects.get_or_create(user=second_reviewer, defaults={"city": changsha})
        # Example figures for the demo, marked as such wherever they show; administrators
        # enter the real ones with their source (document and article) from the exam rules.
        for exam in (social_work, economics):
            for level, years in DEMO_YEARS.items():
                EligibilityRule.objects.get_or_create(
                    exam=exam,
                    exam_level="",
                    education_level=level,
                    defaults={"required_years": years, "note": "演示数据", "demo": True},
                )

        # Staff confirm logins with a TOTP code; the demo accounts share one known key.
        for user in get_user_model().objects.filter(
            username__in=["hr_demo", "reviewer_changsha", "reviewer_changsha_2", "admin"]
        ):
            TOTPDevice.objects.get_or_create(
                user=user, name="demo", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
            )

        self.stdout.write(
            f"\nDemo accounts (password for all: {DEMO_PASSWORD})\n"
            f"  candidate      login with ID {candidate_id} or phone 13800138000\n"
            f"  employer HR    hr_demo (长沙示范科技有限公司, credit code {organisation.credit_code})\n"
            "  city reviewer  reviewer_changsha (长沙); a second one, reviewer_changsha_2, confirms fails\n"
            "  administrator  admin (/admin/)\n"
            f"A second roster entry, not yet registered: ID {second_id} (李演示).\n"
            f"Staff accounts ask for a TOTP code after the password: add the key {DEMO_TOTP_KEY_BASE32}\n"
            "to an authenticator app, or print the current code with `manage.py totp_code <username>`.\n"
        )
