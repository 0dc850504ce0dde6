"""Real browser: start a 2-epoch run on the Train page and watch the curve gain points."""

import re

import pytest

from tests.browser import ARTIFACTS, browser_page, demo_for_browser, streamlit_server, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POINTS = "() => { const g = document.querySelector('.js-plotly-plot'); return g && g.data && g.data.length ? g.data[0].x.length : 0; }"


@pytest.fixture
def server(data_dir):
    demo_for_browser(2800)  # 35 steps an epoch: a few live points each
    with streamlit_server() as url:
        yield url


def test_start_a_run_and_see_the_chart_gain_points(server):
    with browser_page(height=1400) as page:
        page.goto(f"{server}/train")
        page.get_by_role("heading", name="Train", exact=True).wait_for(timeout=30_000)
        wait_idle(page)
        epochs = page.get_by_label("Epochs", exact=True)
        epochs.fill("2")
        epochs.press("Enter")
        wait_idle(page)
        page.get_by_role("button", name="Start training").click()
        page.get_by_text("running · epoch").wait_for(timeout=60_000)
        page.wait_for_function(f"({POINTS})() >= 2", timeout=60_000)
        first = page.evaluate(POINTS)
        page.wait_for_function(f"({POINTS})() > {first}", timeout=120_000)  # new points while it trains
        page.screenshot(path=str(ARTIFACTS / "train-running.png"))
        page.get_by_text("finished · epoch").wait_for(timeout=300_000)
        wait_idle(page)
        page.wait_for_timeout(2000)  # the page reruns once more when the run ends
        wait_idle(page)
        best = page.get_by_text("Best validation accuracy").inner_text()
        assert "at epoch" in best
        assert page.get_by_role("main").get_by_text("running").count() == 0  # the runs table is fresh too
        page.screenshot(path=str(ARTIFACTS / "train-finished.png"))


def test_a_recipe_picked_in_the_browser_starts_fer_train_recipes_run(server):
    """The shipped recipe, picked on the page, asks for exactly the run `fer train --recipe shipped`
    makes: with that run finished (a stand-in, so nothing trains), Start finds it in the cache."""
    import argparse

    from playwright.sync_api import expect

    from fer_core.cli.train import add_train_options, config_from_args
    from fer_core.train import RunStatus, prepare_run

    p = argparse.ArgumentParser()
    add_train_options(p)
    run, _ = prepare_run(config_from_args(p.parse_args(["--recipe", "shipped", "--data", "demo"])))
    run.set_status(RunStatus.FINISHED, "a stand-in: the page finds it instead of training")
    with browser_page(height=1400) as page:
        page.goto(f"{server}/train")
        page.get_by_role("heading", name="Train", exact=True).wait_for(timeout=30_000)
        wait_idle(page)
        page.get_by_role("combobox", name="Recipe").click()
        page.get_by_role("option", name=re.compile(r"^shipped")).click()
        wait_idle(page)
        try:
            expect(page.get_by_label("Epochs", exact=True)).to_have_value("80", timeout=30_000)  # the recipe set the fields
        finally:
            page.screenshot(path=str(ARTIFACTS / "train-recipe-picked.png"))
        page.get_by_role("button", name="Start training").click()
        page.get_by_text(f"Cached: an identical run already finished ({run.id})").wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "train-recipe-shipped.png"))
