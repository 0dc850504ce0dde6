"""`fer class cert|config|serve`: serve FER Lab to a class over https with sign-in (issue 37)."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from fer_core.access import DEFAULT_MAX_QUEUED
from fer_core.class_server import (
    DEFAULT_PORT,
    SECRETS,
    TLS_DIR,
    class_host,
    is_loopback,
    machine_names,
    make_certificate,
    redirect_uri,
    serve_command,
    sign_in_configured,
    write_secrets,
)
from fer_core.paths import PROJECT_ROOT


def cmd_cert(a) -> int:
    c = make_certificate(Path(a.out), a.name or None, a.ip or None, a.days)
    print(f"wrote {c.cert} and {c.key} (the key readable by you only), valid until {c.expires:%Y-%m-%d}")
    print(f"  for: {', '.join(c.names + c.ips)}")
    print(f"  SHA-256 fingerprint: {c.sha256}")
    print("Students' browsers will warn that the certificate is self-signed: they compare the fingerprint (the padlock,")
    print("then the certificate) with the one above, and proceed.")
    print("Next: `fer class config --issuer ... --client-id ... --client-secret ... --teacher you@school.org --host NAME`")
    print("(sign-in through your school's provider), then `make serve`.")
    return 0


def cmd_config(a) -> int:
    host = a.host or class_host()
    if host is None:
        raise ValueError("every name and address of this machine is loopback: pass --host with the one students type")
    if not a.host:
        print(f"students will type {host} (this machine's first name or address they can reach; --host chooses another)")
    path = write_secrets(
        a.issuer, a.client_id, a.client_secret, a.teacher, host, a.port, a.max_queued, Path(a.out), a.replace, a.allow_loopback
    )
    print(f"wrote {path} (readable by you only): sign-in through {a.issuer}, teachers {', '.join(a.teacher)}")
    print(f"  register this redirect URI with the provider: https://{host}:{a.port}/oauth2callback")
    return 0


def cmd_serve(a) -> int:
    cert, key = Path(a.cert), Path(a.key)
    secrets = Path(a.secrets) if a.secrets else None
    cmd = serve_command(cert, key, a.port, a.address, secrets)
    if not sign_in_configured(secrets or SECRETS):
        print("warning: sign-in is not configured (`fer class config`): anyone who reaches this address can do everything", file=sys.stderr)
    print(serve_banner(redirect_uri(secrets or SECRETS), a.port), flush=True)
    os.chdir(PROJECT_ROOT)  # Streamlit reads .streamlit/ from here
    os.execv(cmd[0], cmd)  # the server replaces this process: Ctrl-C stops it


def serve_banner(redirect: str | None, port: int) -> str:
    """The address to give students: the one sign-in returns to, when sign-in is on (any other
    address signs nobody in); a warning when that address is not this server's."""
    if redirect is None:
        names, ips = machine_names()
        return f"serving FER Lab at https://{class_host() or names[0]}:{port} (also https://{ips[0]}:{port})"
    url = urlsplit(redirect)
    lines = [f"serving FER Lab at https://{url.hostname}:{port}: give students this address; sign-in returns there ({redirect})"]
    if url.port != port:
        lines.append(f"warning: sign-in returns to port {url.port}, but this server listens on {port}: sign-in will fail")
    if is_loopback(url.hostname or ""):
        lines.append(f"warning: sign-in returns to {url.hostname}, which only this machine reaches: students cannot sign in")
    lines.append("  (from any other address of this machine, sign-in will return students to the address above)")
    return "\n".join(lines)


def add_parser(sub) -> None:
    cls = sub.add_parser("class", help="serve FER Lab to a class: a TLS certificate, sign-in, and the server")
    cmds = cls.add_subparsers(dest="class_command", required=True)
    p = cmds.add_parser("cert", help="make a self-signed TLS certificate for this machine (students' cameras need https)")
    p.add_argument("--out", default=str(TLS_DIR), help="folder for cert.pem and key.pem")
    p.add_argument("--name", action="append", help="a host name students use (repeatable; default: this machine's names)")
    p.add_argument("--ip", action="append", help="an IP address students use (repeatable; default: this machine's)")
    p.add_argument("--days", type=int, default=365, help="how long it is valid")
    p.set_defaults(func=cmd_cert)
    p = cmds.add_parser("config", help="write .streamlit/secrets.toml: sign-in through an OpenID Connect provider, and the teachers")
    p.add_argument("--issuer", required=True, help="the provider's issuer URL (its /.well-known/openid-configuration is read)")
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret", required=True)
    p.add_argument("--teacher", action="append", required=True, help="a teacher's e-mail address (repeatable)")
    p.add_argument(
        "--host", help="the name students type in the address bar (default: this machine's first name or address that is not loopback)"
    )
    p.add_argument(
        "--allow-loopback", action="store_true", help="accept a loopback --host (localhost): sign-in then works on this machine only"
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--max-queued", type=int, default=DEFAULT_MAX_QUEUED, help="runs a student may have queued or training at once")
    p.add_argument("--out", default=str(SECRETS))
    p.add_argument("--replace", action="store_true", help="replace an existing secrets file (the old one is kept beside it)")
    p.set_defaults(func=cmd_config)
    p = cmds.add_parser("serve", help="start the app for the class: https, sign-in, no tracebacks to the browser")
    p.add_argument("--cert", default=str(TLS_DIR / "cert.pem"), help="TLS certificate (yours, or `fer class cert`'s)")
    p.add_argument("--key", default=str(TLS_DIR / "key.pem"), help="its private key")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--address", default="0.0.0.0", help="the interface to listen on (0.0.0.0: every network)")
    p.add_argument("--secrets", help="a secrets.toml elsewhere than .streamlit/secrets.toml")
    p.set_defaults(func=cmd_serve)
