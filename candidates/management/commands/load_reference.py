from django.core.management.base import BaseCommand
from django.db import transaction

from candidates.models import City, Exam
from candidates.reference import CITIES, EXAMS


class Command(BaseCommand):
    help = "Load the 14 Hunan prefectures and the exams named in the notices (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for order, (code, name, verification, exam_phone, url) in enumerate(CITIES):
            City.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "verification_phone": verification,
                    "exam_phone": exam_phone,
                    "notice_url": url,
                    "sort_order": order,
                },
            )
        for code, name in EXAMS:
            Exam.objects.update_or_create(code=code, defaults={"name": name})
        self.stdout.write(f"Reference data: {City.objects.count()} cities, {Exam.objects.count()} exams.")
