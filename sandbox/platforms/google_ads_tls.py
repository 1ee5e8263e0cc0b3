"""A self-signed certificate for the Google Ads gRPC sandbox, which the client only speaks TLS to.

gRPC reads its root store (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH) once per process, so one
certificate serves every sandbox a process starts: it is generated on first use and kept,
and `manage.py sandbox` keeps it in a directory so a restarted sandbox stays trusted.
"""

import ipaddress
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CERT_NAME = "google_ads_sandbox_cert.pem"
KEY_NAME = "google_ads_sandbox_key.pem"
_lock = threading.Lock()
_cached: dict[Path, "TlsMaterial"] = {}


@dataclass(frozen=True)
class TlsMaterial:
    """The PEM certificate (which is its own CA) and key, and where the certificate is kept."""

    cert_pem: bytes
    key_pem: bytes
    cert_path: Path


def tls_material(directory: Path | None = None) -> TlsMaterial:
    """Return the sandbox certificate kept in `directory` (default: a per-process temp dir)."""
    folder = directory or _process_dir()
    with _lock:
        if folder not in _cached:
            _cached[folder] = _load(folder) or _create(folder)
        return _cached[folder]


def _process_dir() -> Path:
    with _lock:
        for folder in _cached:
            return folder
    return Path(tempfile.mkdtemp(prefix="flux-google-ads-tls-"))


def _load(folder: Path) -> TlsMaterial | None:
    cert, key = folder / CERT_NAME, folder / KEY_NAME
    if not (cert.exists() and key.exists()):
        return None
    loaded = x509.load_pem_x509_certificate(cert.read_bytes())
    if loaded.not_valid_after_utc < datetime.now(UTC) + timedelta(days=1):
        return None
    return TlsMaterial(cert.read_bytes(), key.read_bytes(), cert)


def _create(folder: Path) -> TlsMaterial:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Flux sandbox Google Ads")])
    now = datetime.now(UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return _save(folder, cert, key)


def _save(folder: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> TlsMaterial:
    folder.mkdir(parents=True, exist_ok=True)
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_path = folder / KEY_NAME
    key_path.write_bytes(key_pem)
    key_path.chmod(0o600)
    (folder / CERT_NAME).write_bytes(cert_pem)
    return TlsMaterial(cert_pem, key_pem, folder / CERT_NAME)
