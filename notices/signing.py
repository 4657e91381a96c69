"""PAdES signatures for electronic certificates, with pyHanko.

The key and certificate come from settings (``PORTAL_SIGNING_KEY_FILE``,
``PORTAL_SIGNING_CERT_FILE``, PEM); ``manage.py make_signing_pair`` writes a self-signed demo
pair (``make run`` does). A province plugs in its own pair, or its seal platform later."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from django.conf import settings


def make_signing_pair(
    directory: Path, *, common_name: str = "考后人工核查系统（演示签章）"
) -> tuple[Path, Path]:
    """A self-signed RSA key and certificate for the demo (10 years), as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / "signing-key.pem", directory / "signing-cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_file.chmod(0o600)
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def _signer():
    from pyhanko.sign import signers

    return signers.SimpleSigner.load(
        settings.PORTAL_SIGNING_KEY_FILE,
        settings.PORTAL_SIGNING_CERT_FILE,
        key_passphrase=settings.PORTAL_SIGNING_PASSPHRASE.encode() or None,
    )


def sign_pdf(pdf: bytes) -> bytes:
    """The PDF with a PAdES signature over all of it."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    return signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name="PortalSignature", reason="电子证书", location="中国"),
        signer=_signer(),
    ).getvalue()


def signature_intact(pdf: bytes) -> bool:
    """Whether the PDF carries our signature and nothing it covers has changed."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return False
        data = Path(settings.PORTAL_SIGNING_CERT_FILE).read_bytes()
        root = asn1_x509.Certificate.load(pem.unarmor(data)[2] if pem.detect(data) else data)
        status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[root]))
        return bool(status.intact and status.valid and status.coverage.name == "ENTIRE_FILE")
    except Exception:
        return False
