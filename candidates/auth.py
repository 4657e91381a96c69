from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from candidates.models import CandidateProfile


class IdNumberOrPhoneBackend(ModelBackend):
    """Candidates log in with their ID number or their phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        login = username.strip().upper()
        field = "phone" if len(login) == 11 and login.isdigit() else "id_number"
        profile = CandidateProfile.objects.select_related("user").filter(**{field: login}).first()
        if profile is None:
            # Same cost as a real check, so the answer time does not reveal who is registered.
            get_user_model()().set_password(password)
            return None
        user = profile.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
