"""Serving FER Lab to a class (issue 37): a TLS certificate for the machine, the sign-in settings,
and the Streamlit command that serves the app beyond localhost.

Browsers give a page the camera only on a secure origin (https, or localhost), so a class server
needs TLS. `make_certificate` writes a self-signed one for the machine's names and addresses with
`cryptography` (no openssl); a teacher with a certificate of their own passes it to `serve_command`.
`write_secrets` writes `.streamlit/secrets.toml`: Streamlit's `[auth]` (OpenID Connect) and FER
Lab's `[fer_lab]` (teachers, queue limit; access.ClassPolicy). No streamlit import here: the app is
started as a command."""

import contextlib
import datetime
import ipaddress
import json
import secrets
import socket
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from fer_core.access import DEFAULT_MAX_QUEUED
from fer_core.atomic import atomic_path
from fer_core.paths import PROJECT_ROOT

TLS_DIR = PROJECT_ROOT / ".streamlit" / "tls"
SECRETS = PROJECT_ROOT / ".streamlit" / "secrets.toml"
DEFAULT_PORT = 8501


def machine_names() -> tuple[list[str], list[str]]:
    """(host names, IP addresses) students may reach this machine by, the likeliest first: its fully
    qualified name, its name, localhost; its addresses on each network (found without sending a packet)."""
    names = [socket.getfqdn(), socket.gethostname(), "localhost"]
    ips = {"127.0.0.1"}
    with contextlib.suppress(OSError):
        ips.update(socket.gethostbyname_ex(socket.gethostname())[2])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, contextlib.suppress(OSError):
        s.connect(("10.255.255.255", 1))  # UDP connect: picks the default route's interface, sends nothing
        ips.add(s.getsockname()[0])
    return list(dict.fromkeys(n for n in names if n)), sorted(ips, key=lambda a: (a.startswith("127."), a))


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) means this machine only: students' browsers would go to
    their own machine, and the sign-in's return address would never reach the server."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return all(ipaddress.ip_address(a).is_loopback for a in socket.gethostbyname_ex(host)[2])
    except OSError:
        return False  # a name this machine cannot resolve may still be the students' (their DNS)


def class_host() -> str | None:
    """The first of this machine's names and addresses that students can reach (not loopback), or None."""
    names, ips = machine_names()
    return next((h for h in names + ips if not is_loopback(h)), None)


def redirect_uri(path: Path = SECRETS) -> str | None:
    """The sign-in's return address written by `fer class config`, or None."""
    try:
        return tomllib.loads(path.read_text()).get("auth", {}).get("redirect_uri")
    except (OSError, tomllib.TOMLDecodeError):
        return None


def sign_in_address_problem(page_url: str | None, redirect: str | None) -> str | None:
    """Why signing in from `page_url` cannot work, or None: the provider sends the browser back to
    `redirect`, and a sign-in started at another address (another name, IP or port of this machine)
    comes back without its state and signs nobody in (Streamlit only logs 'Missing provider')."""
    if not page_url or not redirect:
        return None
    here, back = urlsplit(page_url), urlsplit(redirect)
    if (here.hostname, here.port or 443) == (back.hostname, back.port or 443):
        return None
    home = f"https://{back.hostname}:{back.port}/" if back.port else f"https://{back.hostname}/"
    return (
        f"Sign-in returns to {home}, not to this address ({here.scheme}://{here.netloc}/): started from here, it comes back "
        f"without you signed in. Open {home} and sign in there. (A teacher can change the address with "
        "`fer class config --host`.)"
    )


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path
    names: tuple[str, ...]
    ips: tuple[str, ...]
    sha256: str  # the fingerprint students can compare with what their browser shows
    expires: datetime.datetime


def make_certificate(out: Path = TLS_DIR, names: list[str] | None = None, ips: list[str] | None = None, days: int = 365) -> Certificate:
    """A self-signed TLS certificate (ECDSA P-256) for `names` and `ips` (default: this machine's),
    written as `cert.pem` and `key.pem` (the key readable by its owner only) in `out`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    found_names, found_ips = machine_names()
    names, ips = names or found_names, ips or found_ips
    for a in ips:
        ipaddress.ip_address(a)  # ValueError names a bad address
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0]), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "FER Lab")])
    now = datetime.datetime.now(datetime.UTC)
    alt = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(a)) for a in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    out.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = out / "key.pem", out / "cert.pem"
    with atomic_path(key_path) as tmp:
        tmp.chmod(0o600)
        tmp.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with atomic_path(cert_path) as tmp:
        tmp.chmod(0o644)  # the certificate is public
        tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    sha = cert.fingerprint(hashes.SHA256()).hex(":").upper()
    return Certificate(cert_path, key_path, tuple(names), tuple(ips), sha, now + datetime.timedelta(days=days))


def _toml(value) -> str:
    """A TOML value: strings as basic strings (JSON's escaping is TOML's), lists of them, integers."""
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value) if isinstance(value, int) else json.dumps(str(value))


def write_secrets(
    issuer: str,
    client_id: str,
    client_secret: str,
    teachers: list[str],
    host: str,
    port: int = DEFAULT_PORT,
    max_queued: int = DEFAULT_MAX_QUEUED,
    path: Path = SECRETS,
    replace: bool = False,
    allow_loopback: bool = False,
) -> Path:
    """`.streamlit/secrets.toml` for sign-in through the OpenID provider at `issuer` (its discovery
    document at `<issuer>/.well-known/openid-configuration`), with a fresh cookie secret."""
    if path.exists() and not replace:
        raise FileExistsError(f"{path} exists; pass --replace to write a new one (the old one is kept as {path.name}.old)")
    if not teachers:
        raise ValueError("name at least one teacher's e-mail address (--teacher)")
    if is_loopback(host) and not allow_loopback:
        raise ValueError(
            f"{host} is this machine's loopback name: sign-in would only work in a browser on this machine. "
            "Pass --host with the name or address students type (or --allow-loopback to test on this machine alone)"
        )
    metadata = issuer if issuer.endswith("/.well-known/openid-configuration") else issuer.rstrip("/") + "/.well-known/openid-configuration"
    auth = {
        "redirect_uri": f"https://{host}:{port}/oauth2callback",
        "cookie_secret": secrets.token_hex(32),
        "client_id": client_id,
        "client_secret": client_secret,
        "server_metadata_url": metadata,
    }
    lines = ["# FER Lab for a class: written by `fer class config`. Keep it private (it holds secrets).", "[auth]"]
    lines += [f"{k} = {_toml(v)}" for k, v in auth.items()]
    lines += ["", "[fer_lab]", f"teachers = {_toml([t.strip().lower() for t in teachers])}", f"max_queued_runs = {int(max_queued)}", ""]
    if path.exists():
        path.replace(path.with_name(path.name + ".old"))
    with atomic_path(path) as tmp:
        tmp.chmod(0o600)
        tmp.write_text("\n".join(lines))
    return path


def serve_command(cert: Path, key: Path, port: int = DEFAULT_PORT, address: str = "0.0.0.0", secrets_file: Path | None = None) -> list[str]:
    """The Streamlit command that serves the app to a class: TLS, no tracebacks to the browser,
    XSRF protection on, uploads bounded as in `.streamlit/config.toml`."""
    for p, what in ((cert, "certificate"), (key, "key")):
        if not Path(p).is_file():
            raise FileNotFoundError(f"no TLS {what} at {p}: make one with `fer class cert` (or pass --cert and --key)")
    cmd = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard" / "Home.py")]
    cmd += ["--server.address", address, "--server.port", str(port), "--server.headless", "true"]
    cmd += ["--server.sslCertFile", str(cert), "--server.sslKeyFile", str(key)]
    cmd += ["--client.showErrorDetails", "none", "--server.enableXsrfProtection", "true"]
    if secrets_file is not None:
        cmd += ["--secrets.files", str(secrets_file)]
    return cmd


def sign_in_configured(path: Path = SECRETS) -> bool:
    """Whether the secrets file has an `[auth]` section (sign-in on)."""
    try:
        return bool(tomllib.loads(path.read_text()).get("auth"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
