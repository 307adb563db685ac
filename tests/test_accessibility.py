"""The report's pages meet WCAG 2.2 AA as axe-core checks it, in the real browser (Debian's Chromium).

axe-core comes bundled with axe-playwright-python (nothing is downloaded). Every page people read
is checked: the landing page, the briefing and every code-free notebook page (the Voila dashboard is
checked in test_browser.py, against its real server). The build fails on
any violation of impact "serious" or "critical" under the WCAG 2.0, 2.1 and 2.2 A and AA tags.
The pages are opened from files, as a report folder is opened from a file share.
"""

from __future__ import annotations

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, _require_browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def browser():
    sync_api = _require_browser()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def pages_of(out) -> list[str]:
    return ["index.html", "briefing.html", *sorted(f"html/{p.name}" for p in (out / "html").glob("*.html"))]


def blocking_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['html'][:160]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def test_every_page_of_the_report_passes_axe(browser, sample_report_dir):
    context = browser.new_context(viewport=VIEWPORT)
    failures = {}
    try:
        for name in pages_of(sample_report_dir):
            page = context.new_page()
            page.goto((sample_report_dir / name).as_uri())
            page.wait_for_load_state("load")
            found = blocking_violations(page)
            if found:
                failures[name] = found
            page.close()
    finally:
        context.close()
    assert len(pages_of(sample_report_dir)) >= 8
    assert failures == {}


@pytest.mark.parametrize("width", [1280, 390])
def test_no_image_is_wider_than_its_page(browser, sample_report_dir, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        for name in ["briefing.html", *[p for p in pages_of(sample_report_dir) if p.startswith("html/")]]:
            page = context.new_page()
            page.goto((sample_report_dir / name).as_uri())
            page.wait_for_load_state("load")
            widths = page.evaluate(
                "() => [document.documentElement.clientWidth,"
                " ...Array.from(document.images, i => i.getBoundingClientRect().right)]"
            )
            assert len(widths) > 1, f"{name} shows no image"
            page_width, *rights = widths
            assert max(rights) <= page_width + 1, f"{name}: an image reaches {max(rights)} px of {page_width}"
            page.close()
    finally:
        context.close()
