"""Keyboard, phone and axe-core checks of the web UI in real headless Chromium.

axe-core is the copy bundled in the PyPI package axe-playwright-python (installed by `make test`),
injected into each page by Playwright: nothing is downloaded at run time.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests import test_browser
from tests.test_browser import Tab

# The browser tests' fixtures: a real waitress server over the web test index, and Chromium.
server, browser, tab = test_browser.server, test_browser.browser, test_browser.tab

SERIOUS = ("serious", "critical")
# WCAG 2.0-2.2 A and AA (2.2 brings target size) and Deque's best practices.
AXE_OPTIONS = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}}
PHONE = {"width": 390, "height": 844}  # an iPhone 12-15 screen in CSS pixels
FOCUSED = """() => { const el = document.activeElement;
  return el ? {tag: el.tagName, name: el.name || '', value: el.value || '',
    result: Boolean(el.closest('.hit')), href: el.getAttribute('href') || ''} : null; }"""


def first_article(tab: Tab) -> str:
    tab.open("/search?q=trump")
    return tab.page.locator(".hit[data-id]").first.get_attribute("data-id")


def six_pages(tab: Tab) -> dict[str, str]:
    """The six page kinds axe checks, with a saved search so that /saved lists one."""
    from urllib.parse import quote

    tab.open("/search?q=trump")
    tab.navigate(lambda: tab.page.locator("form.save button").click())
    return {
        "search": "/search?q=trump",
        "quotes": "/quotes?q=president",
        "article": "/article/" + quote(first_article(tab), safe=""),
        "person": "/person/Donald%20Trump",
        "saved": "/saved",
        "all values": "/search/values/person?q=trump",
    }


def serious(results) -> list[str]:
    """'rule-id (impact): n nodes' for each serious or critical violation."""
    return [f"{v['id']} ({v['impact']}): {len(v['nodes'])} nodes"
            for v in results.response["violations"] if v["impact"] in SERIOUS]


@pytest.mark.parametrize("width", [1280, PHONE["width"]])
def test_axe_core_finds_no_serious_or_critical_violation_on_the_six_pages(browser, server,
                                                                          width):
    tab = Tab(browser, server, width=width, height=900)
    axe = Axe()
    found = {}
    try:
        for name, path in six_pages(tab).items():
            tab.open(path)
            assert tab.page.locator("main").count() == 1, path
            problems = serious(axe.run(tab.page, options=AXE_OPTIONS))
            if problems:
                found[name] = problems
        assert not found, found
        assert not tab.errors
    finally:
        tab.context.close()


def test_tab_reaches_the_first_result_in_five_presses_through_the_skip_link(tab):
    page = tab.page
    tab.open("/search?q=trump")
    first = page.locator(".hit a").first.get_attribute("href")
    presses = 0
    for _ in range(5):
        page.keyboard.press("Tab")
        presses += 1
        focused = page.evaluate(FOCUSED)
        if focused["result"]:
            break
        if "skip" in (page.evaluate("() => document.activeElement.className") or ""):
            page.keyboard.press("Enter")
    assert focused["result"] and focused["href"] == first, focused
    assert presses <= 5


def test_space_on_a_facet_checkbox_keeps_focus_on_it(tab):
    page = tab.page
    tab.open("/search?q=trump")
    box = page.locator("fieldset[data-facet=country] li.value input").nth(2)
    value = box.get_attribute("value")
    box.focus()
    tab.navigate(lambda: page.keyboard.press("Space"))
    page.wait_for_function("() => document.activeElement && document.activeElement.type === "
                           "'checkbox'", timeout=5000)
    focused = page.evaluate(FOCUSED)
    assert focused["name"] == "country" and focused["value"] == value
    assert f"country={value.replace(' ', '+')}" in page.url
    assert page.evaluate("() => window.scrollY") > 0 or page.locator(
        "fieldset[data-facet=country]").evaluate("f => f.getBoundingClientRect().top < innerHeight")
    assert not tab.errors


@pytest.mark.parametrize("path", ["/search?q=trump&country=United+States&person=Donald+Trump",
                                  "/quotes?q=president"])
def test_on_a_390px_phone_filters_stay_folded_and_the_first_result_is_on_the_first_screen(
        browser, server, path):
    phone = Tab(browser, server, **PHONE)
    try:
        phone.open(path)
        filters = phone.page.locator("details.filters")
        assert not filters.evaluate("d => d.open")
        first = phone.page.locator(".hit").first.bounding_box()
        assert first["y"] < PHONE["height"], first
        assert not phone.errors
    finally:
        phone.context.close()


TARGETS = """() => [...document.querySelectorAll(
  'fieldset.facet input[type=checkbox], .exclude, .chip-remove, .skip, details.more summary, '
  + '.views a, .pagination a, header.site nav a, .tabs a')]
  .filter(el => el.offsetParent !== null)
  .map(el => { const r = el.getBoundingClientRect();
    return [el.className || el.tagName, r.width, r.height]; })"""


def test_tap_targets_are_at_least_24_css_pixels_square(tab):
    tab.open("/search?q=trump&country=United+States")
    targets = tab.page.evaluate(TARGETS)
    assert len(targets) > 20
    small = [t for t in targets if t[1] < 24 or t[2] < 24]
    assert not small, small
