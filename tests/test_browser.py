"""Real browser (Debian Chromium + Playwright): Home and Data as a user sees them."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from fer_core.labels import CLASSES
from tests.browser import ARTIFACTS, browser_page, demo_for_browser, streamlit_server, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(data_dir):
    demo_for_browser(700)
    with streamlit_server() as url:
        yield url


def test_home_then_data_shows_the_class_chart_and_stays_offline(server):
    with browser_page() as page:
        page.goto(server)
        page.get_by_role("heading", name="FER Lab").wait_for(timeout=30_000)
        wait_idle(page)
        page.get_by_text("Trained models").wait_for(timeout=30_000)  # visible, however slowly Home's first run draws it
        page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

        page.get_by_role("main").get_by_role("link", name="Data").click()  # the link on Home, not the sidebar
        page.get_by_role("heading", name="Data").wait_for()
        chart = page.locator(".js-plotly-plot").first
        chart.wait_for(timeout=30_000)
        wait_idle(page)
        assert page.url.endswith("/data")
        # 3 splits x 7 classes, one drawn bar each, and every class on the x axis
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .bars path').length >= 21")
        ticks = chart.locator(".xtick text").evaluate_all("els => els.map(e => e.textContent)")
        assert ticks == list(CLASSES)
        page.screenshot(path=str(ARTIFACTS / "data.png"), full_page=True)

        page.get_by_role("tab", name="Faces").click()
        wait_idle(page)
        page.get_by_text("neutral ·").wait_for()
        page.wait_for_function("() => document.querySelectorAll('[data-testid=stImage] img').length >= 7", timeout=30_000)
        wait_idle(page)
        imgs = page.locator("[data-testid=stImage] img")
        assert imgs.count() == 7
        assert all(imgs.nth(i).evaluate("e => e.naturalWidth > 0") for i in range(7))
        page.screenshot(path=str(ARTIFACTS / "data-faces.png"), full_page=True)

        outside = {urlparse(u).hostname for u in page.requests if u.startswith("http")} - {"localhost", "127.0.0.1"}
        assert not outside, f"the app reached outside: {outside}"


def test_architecture_and_math_pages_in_the_browser(server):
    with browser_page(height=1600) as page:
        page.goto(f"{server}/architecture")
        page.get_by_role("heading", name="Architecture", exact=True).wait_for(timeout=30_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
        wait_idle(page)
        assert page.get_by_text("624,887").first.is_visible()  # vgg8-gap-lite's parameters, the quick recipe's network
        page.get_by_text("matches").wait_for(timeout=30_000)  # the calculator agrees with nn.Conv2d (drawn after the layer table)
        page.screenshot(path=str(ARTIFACTS / "architecture.png"))

        page.goto(f"{server}/math")  # the page's name, not its file's (issue 44: /math said "Page not found")
        page.get_by_role("heading", name="Math", exact=True).wait_for(timeout=30_000)
        wait_idle(page)
        holds = page.get_by_text("the identity holds")
        checks = {"output size": "conv output size:", "batch-norm gradients": "batch norm:", "softmax gradient": "softmax cross-entropy:"}
        for what, result in checks.items():
            button = page.get_by_role("button", name=f"Check the {what} numerically")
            for _ in range(3):  # a click that lands before the page has settled can miss its button: try again
                button.scroll_into_view_if_needed()
                page.wait_for_timeout(300)
                button.click()
                wait_idle(page)
                try:
                    page.get_by_text(result).wait_for(timeout=15_000)
                    break
                except PlaywrightTimeout:
                    continue
        wait_idle(page)
        assert holds.count() == 3
        assert page.get_by_text("FAILS").count() == 0
        page.screenshot(path=str(ARTIFACTS / "math.png"), full_page=True)
