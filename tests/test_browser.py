"""The web UI in real headless Chromium against a real waitress server on 127.0.0.1.

Also takes screenshots of the search, quotes and person pages (var/screenshots, or
docs/screenshots for the README with `make screenshots`).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import waitress
from playwright.sync_api import sync_playwright
from waitress import wasyncore

from indexer.resolution.context import recompute
from indexer.search import Searcher
from indexer.store import Store
from tests.conftest import ROOT
from web import create_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# `make screenshots` points this at docs/screenshots to refresh the README's pictures.
SHOTS = Path(os.environ.get("NEWSINDEX_SCREENSHOTS", ROOT / "var" / "screenshots"))
PREFERRED = ("Donald Trump", "Nancy Pelosi")
SHOWN = """() => ({
  url: location.pathname + location.search,
  total: document.querySelector('.total') && Number(document.querySelector('.total').dataset.total),
  hits: [...document.querySelectorAll('.hit[data-id]')].map(e => e.dataset.id),
  facets: Object.fromEntries([...document.querySelectorAll('fieldset[data-facet]')].map(f =>
    [f.dataset.facet, [...f.querySelectorAll('li.value')].map(li =>
      [li.dataset.value, Number(li.dataset.count), li.querySelector('input').checked])])),
})"""


@pytest.fixture(scope="module")
def server(web_index, tmp_path_factory):
    """The app on a real WSGI server, over a private copy of the test index (with the merges
    across the archive that `newsindex index` computes)."""
    folder = shutil.copytree(web_index, tmp_path_factory.mktemp("browser") / "index")
    recompute(Searcher(Store.open_existing(folder)), folder)
    with served(create_app({"INDEX_DIR": str(folder)})) as base:
        yield base


@contextmanager
def served(app) -> Iterator[str]:
    """An app on a real waitress server in a thread, its base URL; stopped from inside the
    server's own loop (closing its sockets from this thread raced the loop's select: EBADF)."""
    srv = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.effective_port}"
    finally:
        srv.trigger.pull_trigger(lambda: wasyncore.close_all(srv._map))
        thread.join(timeout=30)
        srv.task_dispatcher.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM} (make test installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Tab:
    """A browser page that remembers script errors and CSP violations."""

    def __init__(self, browser, base: str, width: int = 1280, height: int = 900):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)

    def navigate(self, action) -> None:
        """Run an action that leads to another page and wait for it."""
        with self.page.expect_navigation():
            action()

    def shown(self) -> dict:
        return self.page.evaluate(SHOWN)


@pytest.fixture
def tab(browser, server):
    t = Tab(browser, server)
    yield t
    t.context.close()


def first_unticked(tab: Tab, facet: str, below: int | None = None, unlike: tuple[str, ...] = ()):
    """The first value not chosen yet (with fewer articles than below, sharing no word with
    the names in unlike), else the first not chosen."""
    rows = tab.page.locator(f"fieldset[data-facet={facet}] li.value:not(.selected):not(.excluded)")
    taken = {word for name in unlike for word in name.split()}
    for name in PREFERRED:  # names that make a readable screenshot, when they are offered
        row = rows.filter(has=tab.page.locator(f'input[value="{name}"]'))
        if name not in unlike and row.count():
            return row.first
    for i in range(rows.count()):
        row = rows.nth(i)
        if below is not None and int(row.get_attribute("data-count")) >= below:
            continue
        if not taken & set(row.get_attribute("data-value").split()):
            return row
    return rows.first


def test_search_filter_open_article_save_and_reload_gives_the_same_results(tab):
    page = tab.page
    tab.open("/")
    page.fill("#q", "trump")
    tab.navigate(lambda: page.press("#q", "Enter"))
    assert tab.shown()["url"] == "/search?q=trump"

    people = []
    for _ in range(2):
        row = first_unticked(tab, "person", unlike=tuple(people))
        people.append(row.get_attribute("data-value"))
        tab.navigate(lambda row=row: row.locator("input").click())
    country = first_unticked(tab, "country")
    country_name = country.get_attribute("data-value")
    tab.navigate(lambda: country.locator("input").click())
    total = tab.shown()["total"]
    topic = first_unticked(tab, "topic", below=total)
    topic_name = topic.get_attribute("data-value")
    tab.navigate(lambda: topic.locator("a.exclude").click())

    before = tab.shown()
    ticked = {f: sorted(v for v, _, on in rows if on) for f, rows in before["facets"].items()}
    assert ticked["person"] == sorted(people)
    assert ticked["country"] == [country_name] and ticked["topic"] == [topic_name]
    assert re.fullmatch(r"/search\?q=trump&person=[^&]+&person=[^&]+&country=[^&]+&topic=-[^&]+",
                        before["url"])
    assert before["total"] == len(before["hits"]) > 0
    assert page.locator(".chip").count() == 5  # query, two people, country, excluded topic
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "search.png"))

    title = page.locator(".hit h2 a").first.inner_text()
    tab.navigate(lambda: page.locator(".hit h2 a").first.click())
    assert page.locator("article h1").inner_text() == title
    tab.navigate(page.go_back)
    assert tab.shown() == before

    page.fill("#save-name", "Trump <b>watch</b>")
    tab.navigate(lambda: page.click("form.save button"))
    assert tab.shown()["url"] == "/saved"
    saved = page.locator(".saved-item h2 a")
    assert saved.inner_text() == "Trump <b>watch</b>"  # shown as typed, not as markup
    tab.navigate(saved.click)
    assert tab.shown() == before
    tab.navigate(page.reload)
    assert tab.shown() == before
    assert not tab.errors


def test_quotes_and_person_pages_render_and_are_captured(tab):
    page = tab.page
    tab.open("/quotes?q=president")
    quotes = tab.shown()
    assert quotes["total"] > 0 and quotes["hits"]
    page.screenshot(path=str(SHOTS / "quotes.png"))
    link = page.locator(".quote-hit .in a").first
    anchor = link.get_attribute("href").rpartition("#")[2]
    tab.navigate(link.click)
    target = page.locator(f"#{anchor}")
    assert target.is_visible()
    assert "current" in target.get_attribute("class")  # the quote is highlighted in place

    tab.open("/person/Donald%20Trump")
    assert page.locator("h1").inner_text() == "Donald Trump"
    assert page.locator("svg.chart .bar").count() >= 12
    page.screenshot(path=str(SHOTS / "person.png"))
    assert not tab.errors


def test_month_bars_filter_to_a_month_and_shift_click_extends_the_range(tab):
    page = tab.page
    tab.open("/search")
    bars = page.locator("svg.chart a.bar")  # months with articles; empty months are no links
    first, last = bars.first, bars.last
    month = first.get_attribute("data-month")
    count = int(first.get_attribute("aria-label").split(": ")[1])
    tab.navigate(first.click)
    assert tab.shown()["url"] == f"/search?from={month}&to={month}"
    assert tab.shown()["total"] == count
    end = last.get_attribute("data-month")
    tab.navigate(lambda: page.locator(f'svg.chart a.bar[data-month="{end}"]').click(
        modifiers=["Shift"]))
    assert tab.shown()["url"] == f"/search?from={month}&to={end}"
    assert not tab.errors


def test_facets_work_from_the_keyboard_and_filter_boxes_narrow_long_lists(tab):
    page = tab.page
    tab.open("/search")
    box = page.locator("fieldset[data-facet=person] .facet-filter")
    assert box.is_visible()
    name = tab.shown()["facets"]["person"][-1][0]  # one hidden behind "show more"
    box.fill(name)
    visible = page.locator("fieldset[data-facet=person] li.value:visible")
    assert name in [visible.nth(i).get_attribute("data-value") for i in range(visible.count())]
    checkbox = page.locator("fieldset[data-facet=person] li.value:visible input").first
    checkbox.focus()
    tab.navigate(lambda: page.keyboard.press("Space"))
    assert "person=" in tab.shown()["url"]
    assert not tab.errors


def test_two_spellings_split_and_merged_from_the_entity_page_change_counts_at_once(tab):
    """"Trump" was merged into "Donald Trump" across the archive: split it off, merge it back by
    typing it, split it again; the page's counts follow each time, and so do the facets."""
    page = tab.page
    tab.open("/person/Donald%20Trump")
    merged = tab.shown()["total"]
    spelling = page.locator('.written-as li.spelling[data-value="Trump"]')
    assert "merged automatically" in spelling.inner_text()
    lone = int(spelling.get_attribute("data-articles"))
    tab.navigate(lambda: spelling.get_by_role("button", name="Not the same").click())
    apart = tab.shown()["total"]
    assert apart < merged and page.locator(".flash").is_visible()
    assert page.locator('.not_same li.spelling[data-value="Trump"]').count() == 1

    page.fill("#merge-spelling", "Trump")
    tab.navigate(lambda: page.locator(".merge-other button").click())
    assert tab.shown()["total"] == merged
    spelling = page.locator('.written-as li.spelling[data-value="Trump"]')
    assert "merged by a user" in spelling.inner_text()
    page.screenshot(path=str(SHOTS / "person-spellings.png"))

    tab.navigate(lambda: spelling.get_by_role("button", name="Not the same").click())
    assert tab.shown()["total"] == apart
    tab.open("/search")
    facet = dict((v, n) for v, n, _ in tab.shown()["facets"]["person"])
    assert facet["Trump"] == lone
    tab.open("/person/Donald%20Trump")  # as it was, for the other tests
    again = page.locator('.not_same li.spelling[data-value="Trump"]')
    tab.navigate(lambda: again.get_by_role("button", name="Same after all").click())
    assert tab.shown()["total"] == merged
    assert not tab.errors


@pytest.mark.parametrize("path", ["/search?q=trump", "/article/markup-test",
                                  "/person/Donald%20Trump", "/quotes"])
def test_pages_fit_a_phone_screen(browser, server, path):
    phone = Tab(browser, server, width=360, height=740)
    try:
        phone.open(path)
        overflow = phone.page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0
        if path.startswith("/search"):
            assert not phone.page.locator("details.filters").evaluate("d => d.open")
        assert not phone.errors
    finally:
        phone.context.close()


TRUST = """() => [...document.querySelectorAll('.quote-hit .trust-badge')].map(b =>
  [b.dataset.kind, Number(b.dataset.confidence), b.textContent.trim()])"""


def test_quotes_direct_only_and_minimum_confidence_live_in_the_url(tab):
    page = tab.page
    tab.open("/quotes")
    everything = tab.shown()["total"]
    assert {kind for kind, _, _ in page.evaluate(TRUST)} == {"direct", "partial"}

    tab.navigate(lambda: page.check("#direct-only"))
    assert tab.shown()["url"] == "/quotes?kind=direct"
    tab.navigate(lambda: page.select_option("#min-confidence", "0.8"))
    state = tab.shown()
    assert state["url"] == "/quotes?kind=direct&min_confidence=0.8"
    assert 0 < state["total"] < everything
    badges = page.evaluate(TRUST)
    assert len(badges) == len(state["hits"]) > 0
    for kind, confidence, text in badges:
        assert kind == "direct" and confidence >= 0.8
        assert text == f"direct · {confidence:.2f}"  # said in words, not by colour
    assert page.is_checked("#direct-only")
    assert page.input_value("#min-confidence") == "0.8"

    tab.navigate(page.reload)
    assert tab.shown() == state and page.evaluate(TRUST) == badges
    assert page.is_checked("#direct-only") and page.input_value("#min-confidence") == "0.8"

    tab.navigate(lambda: page.uncheck("#direct-only"))
    assert tab.shown()["url"] == "/quotes?min_confidence=0.8"
    assert not tab.errors


def test_a_facet_find_box_finds_values_beyond_the_fifty_listed_and_ticks_them(tab):
    """Typing a surname finds a person the facet does not list (the server looks through every
    value), and ticking it filters the search."""
    page = tab.page
    tab.open("/search?q=trump")
    listed = {value for value, _, _ in tab.shown()["facets"]["person"]}
    every = page.evaluate("() => fetch('/search/values/person.json?q=trump&per_page=500')"
                          ".then(r => r.json())")["values"]
    beyond = next(v for v in every if v["value"] not in listed)
    page.locator("fieldset[data-facet=person] .facet-filter").fill(beyond["value"].split()[-1])
    found = page.locator(f'[data-facet-found] li.value[data-value="{beyond["value"]}"]')
    found.wait_for(state="visible", timeout=5000)
    assert int(found.get_attribute("data-count")) == beyond["count"]
    tab.navigate(lambda: found.locator("input").click())
    state = tab.shown()
    assert state["total"] == beyond["count"] and "person=" in state["url"]
    assert not tab.errors
