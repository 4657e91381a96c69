"""Serving private stored files, after the caller's own permission check."""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponseRedirect


def stored_file_response(field, *, filename: str, content_type: str, inline: bool):
    """Serve a private stored file: streamed from disk, or a short-lived signed URL."""
    if settings.AWS_STORAGE_BUCKET_NAME:
        disposition = "inline" if inline else "attachment"
        url = field.storage.url(
            field.name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": f"{disposition}; filename*=UTF-8''{quote(filename, safe='')}",
            },
        )
        return HttpResponseRedirect(url)
    response = FileResponse(
        field.open("rb"), content_type=content_type, as_attachment=not inline, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
