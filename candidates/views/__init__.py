"""The candidates' pages and the shared login, a module per screen."""

from .accounts import (
    PortalLoginView,
    password_reset_code,
    password_reset_request,
    register,
    second_factor,
    verify_phone,
)
from .applications import (
    application_confirm_view,
    application_declare_view,
    application_detail,
    application_document,
    application_start_view,
    application_submit_view,
    dashboard,
    employer_search,
)
from .files import material_file, material_page, material_preview, material_retire_view, material_upload_view
from .public import home, self_check

__all__ = [
    "PortalLoginView",
    "application_confirm_view",
    "application_declare_view",
    "application_detail",
    "application_document",
    "application_start_view",
    "application_submit_view",
    "dashboard",
    "employer_search",
    "home",
    "material_file",
    "material_page",
    "material_preview",
    "material_retire_view",
    "material_upload_view",
    "password_reset_code",
    "password_reset_request",
    "register",
    "second_factor",
    "self_check",
    "verify_phone",
]
