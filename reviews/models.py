from django.conf import settings
from django.db import models

from candidates.models import City


class CityReviewer(models.Model):
    """A reviewer of a city's HR bureau (市人社局人工核查人员). Sees only that city's items."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="city_reviewer"
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="reviewers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "核查人员"

    def __str__(self):
        return f"{self.city} · {self.user}"
