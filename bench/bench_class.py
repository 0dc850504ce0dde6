"""A class on one server (issue 37): N signed-in students at once, each opening Evaluate, Explain,
Filters and Train in Chromium, while two runs train on the same machine.

The server is the class server (`fer class serve`'s command: https, sign-in), sign-in goes through
a local OpenID provider (oidc-provider-mock), and the two runs are `fer train` processes of the
quick recipe. Per page: settle time (from navigation until Streamlit is idle and the page's own
content is drawn), median and max over the sessions; errors (an exception box, or no settle within
the timeout); the server's memory (RSS of the Streamlit process, sampled), the machine's.

    python bench/bench_class.py [--sessions 10] [--data fer2013] [--json OUT.json]

Chromium runs on the same machine as the server, so on 2 cores the browsers compete with the
server and the training: the figures are an upper bound on what students on their own machines see.
"""

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from report import app_dirs, emit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Each page, and what shows it has drawn its own content (not only the frame of the app).
PAGES = {
    "evaluate": "[data-testid=stMetric]",
    "explain": "[data-testid=stImage]",
    "filters": "[data-testid=stImage]",
    "train": ".st-key-train_stop button",
}
IDLE = "() => !document.querySelector('[data-testid=stStatusWidget]')"


def _family(pid: int) -> list[int]:
    return [pid, *(int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split())]


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process and its children have used so far."""
    total = 0.0
    for p in _family(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, MB."""
    total = 0
    for p in _family(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _said(exc: Exception) -> str:
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:140]}"


async def student(browser, url: str, issuer: str, email: str, timeout_ms: float) -> dict:
    """One session: sign in, then each page in turn; returns settle seconds or the error per page."""
    context = await browser.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    out = {}
    try:
        await page.goto(url, timeout=timeout_ms)
        await page.get_by_role("button", name="Sign in").click(timeout=timeout_ms)
        await page.wait_for_url(f"{issuer}/**", timeout=timeout_ms)
        await page.locator("input[name=sub]").first.fill(email)
        await page.get_by_role("button", name="Authorize").click()
        await page.get_by_text("Signed in as").wait_for(timeout=timeout_ms)
        for name, ready in PAGES.items():
            start = time.perf_counter()
            try:
                await page.goto(f"{url}/{name}", timeout=timeout_ms)
                await page.locator(ready).first.wait_for(timeout=timeout_ms)
                await page.wait_for_timeout(300)
                await page.wait_for_function(IDLE, timeout=timeout_ms)
                if await page.locator("[data-testid=stException]").count():
                    out[name] = {"error": "exception shown"}
                else:
                    out[name] = {"settle_s": time.perf_counter() - start}
            except Exception as exc:  # a timeout counts as an error of that page
                out[name] = {"error": _said(exc)}
    except Exception as exc:
        out["sign_in"] = {"error": _said(exc)}
    finally:
        await context.close()
    return out


async def run_sessions(url: str, issuer: str, n: int, timeout_ms: float) -> list[dict]:
    from playwright.async_api import async_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(student(browser, url, issuer, f"student{i}@school.org", timeout_ms) for i in range(n)))
        finally:
            await browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--data", default="fer2013", help="data set the pages and the two runs use (the demo faces if absent)")
    ap.add_argument("--timeout", type=float, default=180, help="seconds a page may take before it counts as an error")
    ap.add_argument("--json")
    a = ap.parse_args()
    tmp = app_dirs()
    import oidc_provider_mock

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the provider's request log

    from fer_core.class_server import make_certificate, serve_command, write_secrets
    from fer_core.data import ensure_demo, list_datasets
    from fer_core.precision import cpu_description
    from tests.browser import free_port, streamlit_server

    if a.data not in [d.name for d in list_datasets()]:
        ensure_demo()
        a.data = "demo"
    env = {k: os.environ[k] for k in ("FER_DATA_DIR", "FER_CHECKPOINTS_DIR", "FER_DEFAULT_MODEL_DIR")}
    with oidc_provider_mock.run_server_in_thread() as provider:
        issuer = f"http://localhost:{provider.server_port}"
        for i in range(a.sessions):
            body = json.dumps({"email": f"student{i}@school.org", "name": f"Student {i}"}).encode()
            req = urllib.request.Request(
                f"{issuer}/users/student{i}@school.org", data=body, method="PUT", headers={"Content-Type": "application/json"}
            )
            urllib.request.urlopen(req)
        cert = make_certificate(tmp / "tls", ["localhost"], ["127.0.0.1"])
        port = free_port()
        secrets = write_secrets(issuer, "fer-lab", "bench", ["teacher@school.org"], "localhost", port, 2, tmp / "secrets.toml")
        cmd = serve_command(cert.cert, cert.key, port, "127.0.0.1", secrets)
        trainers = [
            subprocess.Popen(
                [sys.executable, "-m", "fer_core", "train", "--recipe", "quick", "--data", a.data, "--seed", str(seed), "--epochs", "50"],
                env={**os.environ, **env},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for seed in (101, 102)
        ]
        try:
            with streamlit_server(env=env, cmd=cmd, port=port) as url:
                server = next(
                    int(p) for p in subprocess.run(["pgrep", "-f", f"server.port {port}"], capture_output=True, text=True).stdout.split()
                )
                samples, done = [], threading.Event()

                def sample() -> None:
                    while not done.is_set():
                        samples.append(rss_mb(server))
                        time.sleep(0.5)

                threading.Thread(target=sample, daemon=True).start()
                time.sleep(5)  # the two runs under way
                start, cpu0 = time.perf_counter(), cpu_s(server)
                sessions = asyncio.run(run_sessions(url, issuer, a.sessions, a.timeout * 1000))
                wall, server_cpu = time.perf_counter() - start, cpu_s(server) - cpu0
                done.set()
        finally:
            for t in trainers:
                t.terminate()
    per_page = {}
    for name in ["sign_in", *PAGES]:
        settles = [s[name]["settle_s"] for s in sessions if "settle_s" in s.get(name, {})]
        errors = [s[name]["error"] for s in sessions if "error" in s.get(name, {})]
        if settles or errors:
            per_page[name] = {
                "median_s": round(statistics.median(settles), 2) if settles else None,
                "max_s": round(max(settles), 2) if settles else None,
                "errors": len(errors),
                "error_kinds": sorted(set(errors)),
            }
    mem = Path("/proc/meminfo").read_text().splitlines()
    total_mb = int(next(line for line in mem if line.startswith("MemTotal")).split()[1]) / 1024
    emit(
        {
            "cpu": cpu_description(),
            "sessions": a.sessions,
            "data": a.data,
            "runs_training": len(trainers),
            "pages": per_page,
            "wall_s": round(wall, 1),
            # what the server itself computed for all the sessions (the browsers and the runs not counted)
            "server_cpu_s": round(server_cpu, 1),
            "server_rss_mb": {"start": round(samples[0], 0) if samples else None, "max": round(max(samples), 0) if samples else None},
            "machine_memory_mb": round(total_mb),
        },
        a.json,
    )


if __name__ == "__main__":
    main()
