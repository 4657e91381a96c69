"""Public notices and pass lists, and the administrators' pages, a module per screen."""

from .manage import application_handle, dashboard, manage_home, report_handle_view, report_queue
from .people import candidate_dossier_view, candidate_release_view, candidate_search, dossier_download
from .public import (
    attachment,
    cities,
    notice_detail,
    notice_list,
    pass_list_detail,
    pass_list_file,
    pass_lists,
    report,
)
from .rounds import (
    export_download,
    import_cancel,
    import_confirm,
    import_detail,
    import_progress,
    import_rejected,
    import_upload,
    round_close,
    round_export,
    round_publish,
    round_supplementary,
)

__all__ = [
    "application_handle",
    "attachment",
    "candidate_dossier_view",
    "candidate_release_view",
    "candidate_search",
    "cities",
    "dashboard",
    "dossier_download",
    "export_download",
    "import_cancel",
    "import_confirm",
    "import_detail",
    "import_progress",
    "import_rejected",
    "import_upload",
    "manage_home",
    "notice_detail",
    "notice_list",
    "pass_list_detail",
    "pass_list_file",
    "pass_lists",
    "report",
    "report_handle_view",
    "report_queue",
    "round_close",
    "round_export",
    "round_publish",
    "round_supplementary",
]
