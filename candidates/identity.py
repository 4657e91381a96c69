"""Who may act on a roster entry: a pluggable identity verifier.

``PORTAL_IDENTITY_VERIFIER`` names the class. The default trusts an account whose phone was
verified by an SMS code and whose real name equals the roster entry's name (normalised:
NFKC, spaces and middle dots ignored). A province can plug in its unified identity login
with a class of the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from candidates.validators import name_key


@dataclass(frozen=True)
class IdentityCheck:
    """The verifier's answer: ``refusal`` (the candidate's words) or None, and ``flags`` that
    mark the case for the reviewer without refusing it."""

    refusal: str | None = None
    flags: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.refusal is None


class RosterNameAndPhoneVerifier:
    def account_verified(self, profile) -> bool:
        return profile.holds_identity

    def check_start(self, *, profile, entry) -> IdentityCheck:
        city = entry.round.city
        contact = _("请携带身份证件联系{city}人社局（电话 {phone}）核实。").format(
            city=city.name, phone=city.verification_phone or entry.round.contact_phones or "-"
        )
        if not self.account_verified(profile):
            return IdentityCheck(refusal=_("您的手机号码尚未验证，不能开始申报。") + contact)
        if name_key(profile.real_name) != name_key(entry.name):
            return IdentityCheck(
                refusal=_(
                    "您账号的姓名与核查名单上该身份证号对应的姓名不一致，不能开始申报。"
                    "如注册时姓名填写有误，或身份证号被他人冒用，"
                )
                + contact
            )
        flags = {}
        if entry.phone and entry.phone != profile.phone:
            flags["phone_mismatch"] = {"roster": entry.phone, "account": profile.phone}
        return IdentityCheck(flags=flags)


def identity_verifier():
    return import_string(settings.PORTAL_IDENTITY_VERIFIER)()
