from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from candidates.models import CandidateProfile


def _login_field(login: str) -> str:
    return "phone" if len(login) == 11 and login.isdigit() else "id_number"


def candidate_for_login(username: str) -> CandidateProfile | None:
    """The account a typed ID number or phone names: the verified one that holds it, else
    the newest account still waiting for its phone to be verified."""
    login = (username or "").strip().upper()
    if not login:
        return None
    profiles = CandidateProfile.objects.select_related("user").filter(
        **{_login_field(login): login}, released_at__isnull=True
    )
    return (
        profiles.filter(phone_verified_at__isnull=False).first()
        or profiles.filter(phone_verified_at__isnull=True).order_by("-created_at").first()
    )


def lockout_key(request, credentials=None) -> str:
    """What the login lockout counts failures against: the account, whichever of its
    aliases was typed (ID number, phone, a lowercase x), named by its ID number (what an
    administrator types to unlock it); otherwise the typed name, cleaned."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username", "")
    typed = (typed or "").strip()
    profile = candidate_for_login(typed)
    if profile is not None:
        return profile.id_number
    login = typed.upper()
    if (len(login) == 11 and login.isdigit()) or (len(login) == 18 and login[:17].isdigit()):
        return login
    return typed


# What every page asks of the signed-in user (the menu, the second-factor check, the scoping of
# each view): loaded with the user in one query instead of one query each.
ROLES = ("city_reviewer__city", "employer_hr__organisation", "candidate")


class RolesLoadedMixin:
    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related(*ROLES).get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class UsernameBackend(RolesLoadedMixin, ModelBackend):
    """Staff sign in with their username, as Django's ModelBackend does."""


class IdNumberOrPhoneBackend(RolesLoadedMixin, ModelBackend):
    """Candidates log in with their ID number or their phone number.

    An account whose phone is not verified yet is returned (inactive) when the password is
    right, so the login form can send the person on to verify it; it gets no session."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        profile = candidate_for_login(username)
        if profile is None:
            # Same cost as a real check, so the answer time does not reveal who is registered.
            get_user_model()().set_password(password)
            return None
        user = profile.user
        if not user.check_password(password):
            return None
        if profile.phone_verified_at is None:
            return user
        return user if self.user_can_authenticate(user) else None
