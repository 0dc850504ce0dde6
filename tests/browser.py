"""Real-browser helpers: a Streamlit server on a free port, and Debian Chromium via Playwright."""

import contextlib
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(env: dict[str, str] | None = None, timeout: float = 90, cmd: list[str] | None = None, port: int | None = None):
    """Run `streamlit run dashboard/Home.py` as a user would (on the test's own dirs unless `env`
    says otherwise); yield its base URL. `cmd` (with `port`): another command that serves the app,
    over https when it names a certificate (the class server's, `fer_core.class_server.serve_command`)."""
    env = app_env() if env is None else env
    port = port or free_port()
    cmd = cmd or [sys.executable, "-m", "streamlit", "run", "dashboard/Home.py", "--server.port", str(port), "--server.headless", "true"]
    log = open(ARTIFACTS / f"streamlit-{port}.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    url = f"{'https' if '--server.sslCertFile' in cmd else 'http'}://localhost:{port}"
    unverified = ssl._create_unverified_context()  # the test's own self-signed certificate
    try:
        deadline = time.time() + timeout
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2, context=unverified).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not start: see {log.name}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def app_env() -> dict[str, str]:
    """The test's own data, runs and (absent) default model dirs, for the app's process."""
    return {k: os.environ[k] for k in ("FER_DATA_DIR", "FER_CHECKPOINTS_DIR", "FER_DEFAULT_MODEL_DIR")}


def demo_for_browser(faces: int) -> None:
    """What every browser test needs first: Chromium (or a skip, a failure in CI), the artifacts
    folder, and `faces` demo faces saved as the data set 'demo'."""
    from fer_core.data import save_dataset
    from fer_core.data.synth import synth_dataset

    require_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    save_dataset(synth_dataset("demo", n=faces))


def require_chromium() -> None:
    """Skip without Chromium on a developer machine; in CI (CI=true) that is a failure."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI must run browser tests: /usr/bin/chromium is missing (apt-get install chromium)")
        pytest.skip("Debian chromium not installed (apt-get install chromium)")


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000):
    """A Playwright page in Debian Chromium that records every request it makes."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.requests = []
        page.on("request", lambda r: page.requests.append(r.url))
        try:
            yield page
        finally:
            browser.close()


def wait_idle(page, timeout: float = 30_000) -> None:
    """Until Streamlit's 'running' indicator is gone."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout)
