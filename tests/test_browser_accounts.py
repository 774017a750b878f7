"""A newsroom server with accounts, in real headless Chromium against a real waitress server.

Readers log in and keep private saved searches until they share them; an editor merges two
spellings of a name from the person page; the admin sees both in the audit log.
"""

from __future__ import annotations

import shutil

import pytest

from tests.test_browser import SHOTS, Tab, browser, served  # noqa: F401 - the Chromium fixture, shared
from web import create_app
from web.accounts import Accounts

PASSWORD = "newsroom password"
USERS = {"alice": "reader", "bob": "reader", "eve": "editor", "ada": "admin"}
SAVED_NAME = "Alice's Putin watch"


@pytest.fixture(scope="module")
def newsroom(web_index, tmp_path_factory):
    """The app with four accounts on a real WSGI server, over a private copy of the index."""
    folder = shutil.copytree(web_index, tmp_path_factory.mktemp("newsroom") / "index")
    accounts = Accounts(folder)
    for name, role in USERS.items():
        accounts.add(name, role, PASSWORD)
    with served(create_app({"INDEX_DIR": str(folder)})) as base:
        yield base


def logged_in(browser, base: str, name: str) -> Tab:  # noqa: F811 - browser is the fixture
    """A fresh browser context (its own cookies) logged in through the login form."""
    tab = Tab(browser, base)
    tab.open("/saved")
    assert tab.page.url.startswith(f"{base}/login?next=")  # sent to log in first
    tab.page.fill("#login-name", name)
    tab.page.fill("#login-password", PASSWORD)
    tab.navigate(lambda: tab.page.locator("form.login button").click())
    assert tab.page.url == f"{base}/saved"  # and back to the page asked for
    assert f"{name} · {USERS[name]}" in tab.page.locator("header .who").inner_text()
    return tab


def saved_names(tab: Tab) -> list[str]:
    tab.open("/saved")
    return tab.page.locator(".saved-item h2").all_inner_texts()


def test_private_then_shared_saved_search_an_editors_merge_and_the_audit_log(
    browser, newsroom  # noqa: F811 - browser is the fixture
):
    alice = logged_in(browser, newsroom, "alice")
    alice.open("/search?q=Putin")
    assert alice.shown()["total"] > 0
    alice.page.fill("#save-name", SAVED_NAME)
    alice.navigate(lambda: alice.page.locator("form.save button").click())
    row = alice.page.locator(".saved-item", has_text=SAVED_NAME)
    assert "yours, private" in row.inner_text()
    assert alice.page.locator(".merge, .merge-other").count() == 0

    bob = logged_in(browser, newsroom, "bob")
    assert SAVED_NAME not in saved_names(bob)

    alice.open("/saved")
    alice.navigate(lambda: alice.page.locator(".saved-item", has_text=SAVED_NAME)
                   .locator("form.share button").click())
    assert "Shared with every user." in alice.page.locator(".flash").inner_text()
    assert SAVED_NAME in saved_names(bob)
    shared = bob.page.locator(".saved-item", has_text=SAVED_NAME)
    assert "shared by alice" in shared.inner_text()
    assert shared.locator("form").count() == 0  # bob may open it, not change it

    bob.open("/person/Donald%20Trump")
    assert bob.page.locator("form.merge-other").count() == 0  # readers take no decisions
    eve = logged_in(browser, newsroom, "eve")
    eve.open("/person/Donald%20Trump")
    eve.page.fill("#merge-spelling", "Mr Trump")
    eve.navigate(lambda: eve.page.locator(".merge-other button").click())
    assert "“Mr Trump” is now counted as Donald Trump." in eve.page.locator(".flash").inner_text()

    ada = logged_in(browser, newsroom, "ada")
    ada.navigate(lambda: ada.page.locator("header nav a", has_text="Audit").click())
    lines = ada.page.locator("tr.audit-line").all_inner_texts()
    assert any("eve" in line and "merge" in line and "'Mr Trump' is 'Donald Trump'" in line
               for line in lines), lines
    assert any("alice" in line and "saved share" in line and SAVED_NAME in line
               for line in lines), lines
    SHOTS.mkdir(parents=True, exist_ok=True)
    ada.page.screenshot(path=str(SHOTS / "audit.png"), full_page=True)
    bob.open("/saved")
    bob.page.screenshot(path=str(SHOTS / "saved-shared.png"), full_page=True)
    ada.navigate(lambda: ada.page.locator("form.account button").click())
    assert ada.page.url.endswith("/login")
    ada.open("/audit")
    assert "/login?next=" in ada.page.url  # logged out
    for tab in (alice, bob, eve, ada):
        assert not tab.errors, tab.errors
        tab.context.close()


def speaker_count(tab: Tab, name: str) -> int:
    item = tab.page.locator(f'fieldset[data-facet="speaker"] li.value[data-value="{name}"]')
    return int(item.first.get_attribute("data-count")) if item.count() else 0


def test_an_editor_corrects_a_quotes_speaker_and_the_facet_follows(
    browser, newsroom  # noqa: F811 - browser is the fixture
):
    alice = logged_in(browser, newsroom, "alice")
    alice.open("/quotes?speaker=Donald+Trump")
    assert alice.page.locator(".correct-speaker").count() == 0  # readers see no controls
    assert alice.page.locator("header nav a", has_text="Topics").count() == 0

    eve = logged_in(browser, newsroom, "eve")
    eve.open("/quotes?speaker=Donald+Trump")
    before = speaker_count(eve, "Donald Trump")
    assert before > 1 and speaker_count(eve, "Jane Roe") == 0
    hit = eve.page.locator(".quote-hit").first
    quote_id = hit.get_attribute("data-id")
    hit.locator(".correct-speaker summary").click()
    hit.locator('.correct-speaker input[name="speaker"]').fill("Jane Roe")
    eve.navigate(lambda: hit.locator(".correct-speaker .save-speaker").click())
    assert "/quotes?speaker=Donald+Trump" in eve.page.url  # back where the editor was
    assert "Speaker corrected: Jane Roe (was Donald Trump)." in \
        eve.page.locator(".flash").inner_text()
    assert speaker_count(eve, "Donald Trump") == before - 1
    assert quote_id not in eve.page.locator(".quote-hit").evaluate_all(
        "hits => hits.map(h => h.dataset.id)")

    eve.open("/quotes")
    assert speaker_count(eve, "Jane Roe") == 1
    eve.open("/quotes?speaker=Jane+Roe")  # (the name is among the facet's "more" values)
    corrected = eve.page.locator(".quote-hit")
    assert corrected.count() == 1 and corrected.first.get_attribute("data-id") == quote_id
    assert "corrected by eve" in corrected.first.locator(".corrected").inner_text()

    eve.navigate(lambda: corrected.first.locator(".in a").click())  # its article
    side = eve.page.locator(".side-quotes li", has=eve.page.locator(".corrected"))
    assert "Jane Roe" in side.inner_text() and "corrected by eve" in side.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    eve.page.screenshot(path=str(SHOTS / "speaker-corrected.png"), full_page=True)
    for tab in (alice, eve):
        assert not tab.errors, tab.errors
        tab.context.close()
