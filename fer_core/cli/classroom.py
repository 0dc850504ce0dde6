"""`fer class cert|config|serve`: serve FER Lab to a class over https with sign-in (issue 37)."""

import os
import sys
from pathlib import Path

from fer_core.access import DEFAULT_MAX_QUEUED
from fer_core.class_server import (
    DEFAULT_PORT,
    SECRETS,
    TLS_DIR,
    machine_names,
    make_certificate,
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
    print("then the certificate) with the one above, and proceed. Then start the app with `make serve`.")
    return 0


def cmd_config(a) -> int:
    host = a.host or machine_names()[0][0]
    path = write_secrets(a.issuer, a.client_id, a.client_secret, a.teacher, host, a.port, a.max_queued, Path(a.out), a.replace)
    print(f"wrote {path} (readable by you only): sign-in through {a.issuer}, teachers {', '.join(a.teacher)}")
    print(f"  register this redirect URI with the provider: https://{host}:{a.port}/oauth2callback")
    return 0


def cmd_serve(a) -> int:
    cert, key = Path(a.cert), Path(a.key)
    secrets = Path(a.secrets) if a.secrets else None
    cmd = serve_command(cert, key, a.port, a.address, secrets)
    if not sign_in_configured(secrets or SECRETS):
        print("warning: sign-in is not configured (`fer class config`): anyone who reaches this address can do everything", file=sys.stderr)
    names, ips = machine_names()
    print(f"serving FER Lab at https://{names[0]}:{a.port} (also https://{ips[0]}:{a.port})", flush=True)
    os.chdir(PROJECT_ROOT)  # Streamlit reads .streamlit/ from here
    os.execv(cmd[0], cmd)  # the server replaces this process: Ctrl-C stops it


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
    p.add_argument("--host", help="the name students type in the address bar (default: this machine's name)")
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
