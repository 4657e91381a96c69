"""Optional virus scanning with clamd (ClamAV's daemon), over its INSTREAM command.

Off unless ``PORTAL_CLAMD_ADDRESS`` is set (``host:port`` or a unix socket path). When it
is set, scanning fails closed: if the scanner cannot be reached, the upload is refused.
The protocol is ClamAV's documented INSTREAM: chunks prefixed by their 4-byte length,
ended by a zero length; the answer is "stream: OK" or "stream: <name> FOUND".
"""

import socket
import struct

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHUNK = 64 * 1024


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    host, _sep, port = address.rpartition(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def clamd_scan(upload, address: str, timeout: float) -> str:
    """Stream the file to clamd; return its answer (raises OSError when unreachable)."""
    upload.seek(0)
    with _connect(address, timeout) as sock:
        sock.sendall(b"zINSTREAM\0")
        for chunk in upload.chunks(CHUNK):
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    upload.seek(0)
    return answer.rstrip(b"\0").decode("utf-8", "replace")


def scan_for_viruses(upload) -> None:
    address = settings.PORTAL_CLAMD_ADDRESS
    if not address:
        return
    try:
        answer = clamd_scan(upload, address, settings.PORTAL_CLAMD_TIMEOUT)
    except TimeoutError:
        raise ValidationError(
            _("病毒扫描服务响应超时，文件未保存。请稍后再上传；已上传的文件不受影响。"),
            code="scanner_timeout",
        ) from None
    except OSError:
        raise ValidationError(
            _("病毒扫描服务暂时不可用，文件未保存。请稍后再上传；已上传的文件不受影响。"), code="scanner_down"
        ) from None
    if answer.endswith("FOUND"):
        raise ValidationError(
            _("文件未通过病毒扫描，不能上传。请用杀毒软件检查后重新扫描原件。"), code="infected"
        )
    if not answer.endswith("OK"):
        raise ValidationError(
            _("病毒扫描服务暂时不可用，文件未保存。请稍后再上传；已上传的文件不受影响。"), code="scanner_down"
        )
