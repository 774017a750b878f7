"""Accounts, roles, tokens and the audit log (web/accounts.py, web/auth.py, web/login.py).

The access matrix is generated from the app's URL map: every route, every way of asking
(anonymous, reader, editor, admin, a wrong token, an expired session), each with the status it
must get. Then lockout, session fixation, CSRF, cookie flags, tokens and feed keys, proxy sign-on,
private and shared saved searches, `serve` refusing an open address, and the `users`/`audit` CLI.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import web.accounts
from indexer.cli import main
from tests.conftest import ROOT
from tests.reliability import cli, free_port, wait_until_listening
from web import create_app
from web.accounts import FILENAME, LOCK_SECONDS, AccountError, Accounts
from web.auth import serve_refusal
from web.saved import SavedSearches
from web.security import CSRF_FIELD

PASSWORD = "correct horse battery"
USERS = {"alice": "reader", "bob": "reader", "eve": "editor", "ada": "admin"}
ROLE_USER = {"reader": "alice", "editor": "eve", "admin": "ada"}
ACTORS = ("anonymous", "reader", "editor", "admin", "wrong token", "expired session")
# What each endpoint needs, written down here on its own (not read from web/auth.py): a route
# that is not in this table fails test_every_route_is_in_the_access_matrix.
NEEDS = {
    "static": "public", "web.login": "public", "web.logout": "public",
    "web.home": "reader", "web.listing": "reader", "web.listing_twin": "reader",
    "web.article": "reader", "web.entity": "reader", "web.facet_values": "reader",
    "web.feeds_list": "reader",
    "web.saved_list": "reader", "web.saved_json": "reader", "web.saved_open": "reader",
    "web.saved_feed": "reader", "web.saved_create": "reader", "web.saved_rename": "reader",
    "web.saved_delete": "reader", "web.saved_share": "reader",
    "web.merge_or_split": "editor", "web.list_or_unlist": "editor", "web.correct_speaker": "editor",
    "web.topics": "reader", "web.topics_add": "editor", "web.topics_remove": "editor",
    "web.audit": "admin", "web.users": "admin", "web.users_add": "admin",
    "web.users_change": "admin",
}
RANK = ("reader", "editor", "admin")
SAMPLE = {"article_id": "markup-test", "kind": "person", "name": "Jane Doe", "fmt": "json",
          "filename": "style.css", "facet": "person"}
ENDPOINT_SAMPLE = {"web.facet_values": {"kind": "search"}}  # where `kind` is a page, not a facet
FORMS = {
    "web.saved_create": {"name": "kept", "url": "/search?q=war"},
    "web.saved_rename": {"name": "renamed"},
    "web.saved_share": {"shared": "1"},
    "web.merge_or_split": {"kind": "person", "name": "Jane Doe", "spelling": "J. Doe"},
    "web.list_or_unlist": {"kind": "person", "name": "Jane Doe"},
    "web.correct_speaker": {"quote_id": "markup-test#q0", "speaker": "Jane Doe"},
    "web.topics_add": {"label": "markup watch", "keywords": "markup"},
    "web.topics_remove": {"label": "markup watch"},
    "web.login": {"name": "nobody", "password": "wrong password"},
    "web.users_add": {"name": "x", "role": "reader", "password": "short"},
    "web.users_change": {"action": "revoke"},  # of 'Jane Doe', who has no account
}


def with_users(folder: Path) -> Path:
    accounts = Accounts(folder)
    for name, role in USERS.items():
        accounts.add(name, role, PASSWORD)
    return folder


@pytest.fixture(scope="module")
def folder(web_index, tmp_path_factory) -> Path:
    return with_users(Path(shutil.copytree(web_index, tmp_path_factory.mktemp("acc") / "index")))


@pytest.fixture(scope="module")
def app(folder):
    return create_app({"INDEX_DIR": str(folder)})


def csrf_of(client, path: str = "/login") -> str:
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    return re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', html)[1]


def log_in(client, name: str, password: str = PASSWORD):
    return client.post("/login", data={"name": name, "password": password,
                                       CSRF_FIELD: csrf_of(client)})


def logged_in(app, name: str):
    client = app.test_client()
    assert log_in(client, name).status_code == 303
    return client


def expire_sessions(folder: Path, name: str) -> None:
    """Age a user's sessions past any lifetime, as a day going by would."""
    with sqlite3.connect(folder / FILENAME) as db:
        db.execute("UPDATE sessions SET started = 0 WHERE name = ?", (name,))


# -- the access matrix ------------------------------------------------------------------------


def test_every_route_is_in_the_access_matrix(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(NEEDS)


def client_as(app, folder: Path, actor: str):
    """A test client asking as one of ACTORS; its user name (None when it has none)."""
    client = app.test_client()
    if actor in ROLE_USER:
        assert log_in(client, ROLE_USER[actor]).status_code == 303
        return client, ROLE_USER[actor]
    if actor == "wrong token":
        client.environ_base["HTTP_AUTHORIZATION"] = "Bearer 0123456789abcdef.not-a-token"
    if actor == "expired session":
        assert log_in(client, "bob").status_code == 303
        expire_sessions(folder, "bob")
    return client, None


def expected(endpoint: str, actor: str, method: str, path: str) -> set[int]:
    """The statuses this actor may get from this route."""
    need = NEEDS[endpoint]
    if actor == "wrong token":
        return {401}
    if need == "public":
        return {200, 302, 303, 400, 401}  # the login form and logout answer everyone
    if actor in ("anonymous", "expired session"):
        is_page = method == "GET" and not path.endswith((".json", ".csv", ".atom"))
        return {302} if is_page else {401}
    if RANK.index(actor) < RANK.index(need):
        return {403}
    return {200, 302, 303}


@pytest.mark.parametrize("actor", ACTORS)
def test_access_matrix_every_route_for_every_actor(app, folder, actor):
    saved = SavedSearches(folder)
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            client, name = client_as(app, folder, actor)
            owner = name or "ada"  # a search of one's own; the anonymous try an admin's
            values = dict(SAMPLE, saved_id=saved.save(f"m{checked}", f"/search?q=m{checked}",
                                                      owner))
            values.update(ENDPOINT_SAMPLE.get(rule.endpoint, {}))
            path = rule.build({k: values[k] for k in rule.arguments})[1]
            form = None
            if method == "POST":  # a good form with this session's own token
                token = "" if actor == "wrong token" else csrf_of(client, "/search" if name
                                                                  else "/login")
                form = dict(FORMS.get(rule.endpoint, {}), **{CSRF_FIELD: token})
                if "password" in form:  # a name of its own: no lockout from the others
                    form["name"] = f"nobody-{actor.split()[0]}-{checked}"
            response = client.open(path, method=method, data=form)
            allowed = expected(rule.endpoint, actor, method, path)
            assert response.status_code in allowed, (actor, method, path, response.status_code)
            if response.status_code == 302 and actor in ("anonymous", "expired session") \
                    and NEEDS[rule.endpoint] != "public":
                assert response.headers["Location"].startswith("/login?next=")
            if response.status_code == 401:
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
            checked += 1
    assert checked >= len(NEEDS)


def test_an_expired_session_says_so_and_is_forgotten(app, folder):
    client = logged_in(app, "bob")
    expire_sessions(folder, "bob")
    page = client.get("/search", follow_redirects=True)
    assert "Log in" in page.get_data(as_text=True)
    with sqlite3.connect(folder / FILENAME) as db:
        assert db.execute("SELECT count(*) FROM sessions WHERE started = 0").fetchone() == (0,)
    assert client.get("/search.json").status_code == 401


# -- logging in -------------------------------------------------------------------------------


def test_login_goes_to_the_page_asked_for_and_never_off_site(app):
    client = app.test_client()
    asked = client.get("/person/Jane%20Doe?x=1")
    assert asked.status_code == 302
    login_url = asked.headers["Location"]
    assert login_url == "/login?next=%2Fperson%2FJane%2520Doe%3Fx%3D1"
    token = csrf_of(client, login_url)
    done = client.post("/login", data={"name": "alice", "password": PASSWORD,
                                       "next": "/person/Jane%20Doe?x=1", CSRF_FIELD: token})
    assert done.status_code == 303 and done.headers["Location"] == "/person/Jane%20Doe?x=1"
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        other = app.test_client()
        response = other.post("/login", data={"name": "alice", "password": PASSWORD,
                                              "next": target, CSRF_FIELD: csrf_of(other)})
        assert response.headers["Location"] == "/", target


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(app):
    answers = []
    for name in ("alice", "nobody-at-all"):
        client = app.test_client()
        response = log_in(client, name, "not the password")
        answers.append((response.status_code, "Wrong name or password." in response.text))
    assert answers == [(401, True), (401, True)]


def test_lockout_after_repeated_failures_then_back_off(app, folder, monkeypatch):
    Accounts(folder).add("locked", "reader", PASSWORD)
    client = app.test_client()
    for _ in range(web.accounts.FAILURES_BEFORE_LOCK - 1):
        assert log_in(client, "locked", "guess guess").status_code == 401
    fifth = log_in(client, "locked", "guess guess")
    assert fifth.status_code == 429 and "try again in" in fifth.text
    right = log_in(client, "locked", PASSWORD)  # the right password while locked: still locked
    assert right.status_code == 429
    assert any(line["action"] == "login locked" for line in Accounts(folder).audit())
    # The lock runs out; one more failure locks for twice as long.
    clock = time.time() + LOCK_SECONDS + 1
    monkeypatch.setattr(web.accounts.time, "time", lambda: clock)
    again = Accounts(folder).login("locked", "guess guess")
    assert again.user is None and again.locked_for == 2 * LOCK_SECONDS
    clock += 2 * LOCK_SECONDS + 1
    assert Accounts(folder).login("locked", PASSWORD).user.name == "locked"
    assert Accounts(folder).login("locked", "guess guess").locked_for == 0  # count starts over
    for _ in range(web.accounts.FAILURES_BEFORE_LOCK - 2):  # one short of a lock
        Accounts(folder).login("locked", "guess guess")
    clock += web.accounts.FAILURES_FORGOTTEN + 1  # a day later the failures are forgotten
    assert Accounts(folder).login("locked", "guess guess").locked_for == 0


def test_login_starts_a_new_session_and_a_planted_cookie_stays_logged_out(app):
    victim = app.test_client()
    token_before = csrf_of(victim)
    planted = victim.get_cookie("session").value  # what an attacker fixed in the browser
    assert log_in(victim, "alice").status_code == 303
    after = victim.get_cookie("session").value
    assert after != planted
    assert csrf_of(victim, "/search") != token_before  # the form token is new too
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/search").status_code == 302  # the planted cookie is not logged in
    assert attacker.get("/search.json").status_code == 401
    assert victim.get("/search.json").status_code == 200


def test_logout_ends_the_session_even_for_a_copied_cookie(app):
    client = logged_in(app, "alice")
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/search.json").status_code == 200
    response = client.post("/logout", data={CSRF_FIELD: csrf_of(client, "/search")})
    assert response.status_code == 303
    assert copy.get("/search.json").status_code == 401
    assert client.get("/search").status_code == 302


def test_every_post_route_refuses_a_missing_or_foreign_csrf_token_when_logged_in(app, folder):
    admin = logged_in(app, "ada")
    mine = SavedSearches(folder).save("csrf", "/search?q=csrf", "ada")
    foreign = csrf_of(app.test_client())
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert {r.endpoint for r in posts} >= {"web.login", "web.logout", "web.merge_or_split",
                                           "web.saved_create", "web.saved_share"}
    for rule in posts:
        path = rule.build(dict(SAMPLE, saved_id=mine) if rule.arguments else {})[1]
        for token in (None, "", foreign):
            data = dict(FORMS.get(rule.endpoint, {}),
                        **({CSRF_FIELD: token} if token is not None else {}))
            response = admin.post(path, data=data)
            assert response.status_code == 400, (path, token, response.status_code)
    assert admin.get("/saved.json").status_code == 200  # still logged in, nothing changed
    assert SavedSearches(folder).get(mine).shared is False


def test_session_cookie_flags_http_https_and_behind_a_trusted_proxy(folder):
    def cookie_of(app, **kwargs) -> str:
        client = app.test_client()
        csrf = csrf_of(client)
        response = client.post("/login", data={"name": "alice", "password": PASSWORD,
                                                CSRF_FIELD: csrf}, **kwargs)
        assert response.status_code == 303
        return response.headers["Set-Cookie"]

    app = create_app({"INDEX_DIR": str(folder), "TRUSTED_PROXIES": ["10.0.0.1"]})
    plain = cookie_of(app)
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    assert "Expires=" in plain  # a login lasts SESSION_SECONDS, not until the browser closes
    assert "Secure" in cookie_of(app, base_url="https://localhost")
    proxied = {"environ_base": {"REMOTE_ADDR": "10.0.0.1"},
               "headers": {"X-Forwarded-Proto": "https"}}
    assert "Secure" in cookie_of(app, **proxied)
    spoofed = {"environ_base": {"REMOTE_ADDR": "10.0.0.9"},
               "headers": {"X-Forwarded-Proto": "https"}}
    assert "Secure" not in cookie_of(app, **spoofed)


# -- tokens and feed keys ---------------------------------------------------------------------


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_api_tokens_read_twins_never_write_and_die_when_revoked(app, folder):
    accounts = Accounts(folder)
    accounts.add("script", "reader", PASSWORD)
    token = accounts.new_token("script")
    client = app.test_client()
    assert client.get("/search.json?q=Putin", headers=bearer(token)).status_code == 200
    assert client.get("/search.csv", headers=bearer(token)).status_code == 200
    assert client.get("/search.json", headers=bearer(token + "x")).status_code == 401
    assert client.get("/search.json", headers=bearer(token.split(".")[0] + ".x")).status_code \
        == 401
    form = {"name": "x", "url": "/search", CSRF_FIELD: csrf_of(client)}
    assert client.post("/saved", data=form, headers=bearer(token)).status_code == 401
    with sqlite3.connect(folder / FILENAME) as db:  # only a hash is stored
        stored = db.execute("SELECT token_id, token_hash FROM users WHERE name = 'script'")
        token_id, token_hash = stored.fetchone()
    assert token.startswith(token_id + ".") and token.split(".", 1)[1] not in token_hash
    newer = accounts.new_token("script")
    assert client.get("/search.json", headers=bearer(token)).status_code == 401  # replaced
    assert client.get("/search.json", headers=bearer(newer)).status_code == 200
    accounts.revoke("script")
    assert client.get("/search.json", headers=bearer(newer)).status_code == 401


def test_the_secret_feed_url_works_for_feed_readers_until_revoked(app, folder):
    client = logged_in(app, "bob")
    saved_id = SavedSearches(folder).save("bob's", "/search?q=Putin", "bob")
    page = client.get("/saved").get_data(as_text=True)
    feed = re.search(rf'href="(/saved/{saved_id}\.atom\?feed=[^"]+)"', page)[1]
    search_page = client.get("/search?q=Putin").get_data(as_text=True)
    search_feed = re.search(r'href="(/search\.atom\?q=Putin&amp;feed=[^"]+)"', search_page)[1]
    reader = app.test_client()  # a feed reader: no cookie, no header
    assert reader.get(feed).status_code == 200
    assert reader.get(search_feed.replace("&amp;", "&")).status_code == 200
    assert reader.get(f"/saved/{saved_id}.atom").status_code == 401
    assert reader.get(feed.replace("feed=bob.", "feed=alice.")).status_code == 401
    assert reader.get(feed.replace(".atom", ".json")).status_code in (401, 404)
    Accounts(folder).revoke("bob")
    assert reader.get(feed).status_code == 401


def test_single_sign_on_from_a_trusted_proxy_only(folder):
    app = create_app({"INDEX_DIR": str(folder), "TRUST_HEADER": "X-Forwarded-User",
                      "TRUSTED_PROXIES": ["10.0.0.1"]})
    proxy = app.test_client()
    proxy.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    assert proxy.get("/search.json", headers={"X-Forwarded-User": "Alice"}).status_code == 200
    assert proxy.get("/audit", headers={"X-Forwarded-User": "alice"}).status_code == 403
    assert proxy.get("/audit", headers={"X-Forwarded-User": "ada"}).status_code == 200
    assert proxy.get("/search.json", headers={"X-Forwarded-User": "mallory"}).status_code == 403
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert other.get("/search.json", headers={"X-Forwarded-User": "ada"}).status_code == 401


# -- saved searches: private unless shared ------------------------------------------------------


def save(client, name: str, url: str) -> int:
    response = client.post("/saved", data={"name": name, "url": url,
                                           CSRF_FIELD: csrf_of(client, "/search")})
    assert response.status_code == 303, response.text[:300]
    return int(response.headers["Location"].rsplit("#s", 1)[1])


def names_seen(client) -> set[str]:
    return {row["name"] for row in client.get("/saved.json").get_json()["saved"]}


def test_saved_searches_are_private_until_shared_and_only_the_owner_changes_them(app):
    alice, bob = logged_in(app, "alice"), logged_in(app, "bob")
    mine = save(alice, "alice's Putin search", "/search?q=Putin&sort=newest")
    assert "alice's Putin search" in names_seen(alice)
    assert "alice's Putin search" not in names_seen(bob)
    assert bob.get(f"/saved/{mine}").status_code == 404
    assert bob.get(f"/saved/{mine}.atom").status_code == 404
    same_url = save(bob, "bob's copy", "/search?q=Putin&sort=newest")  # his own, same URL
    assert same_url != mine
    share = {"shared": "1", CSRF_FIELD: csrf_of(alice, "/search")}
    assert alice.post(f"/saved/{mine}/share", data=share).status_code == 303
    assert "alice's Putin search" in names_seen(bob)
    row = next(r for r in bob.get("/saved.json").get_json()["saved"] if r["id"] == mine)
    assert row["owner"] == "alice" and row["shared"] and not row["mine"]
    assert row["new"] is None and row["total"] > 0  # "new since opened" is alice's
    assert "shared by alice" in bob.get("/saved").get_data(as_text=True)
    rename = {"name": "bob was here", CSRF_FIELD: csrf_of(bob, "/search")}
    assert bob.post(f"/saved/{mine}/rename", data=rename).status_code == 403
    assert bob.post(f"/saved/{mine}/delete", data=rename).status_code == 403
    assert bob.get(f"/saved/{mine}").status_code == 302  # opens it, without marking it opened
    unshare = {"shared": "0", CSRF_FIELD: csrf_of(alice, "/search")}
    assert alice.post(f"/saved/{mine}/share", data=unshare).status_code == 303
    assert "alice's Putin search" not in names_seen(bob)
    actions = [(a["actor"], a["action"]) for a in Accounts(app.extensions["newsindex"]
                                                           .index_dir).audit()]
    assert ("alice", "saved share") in actions and ("alice", "saved unshare") in actions


def test_saved_searches_from_before_accounts_are_kept_and_everyone_sees_them(tmp_path):
    with sqlite3.connect(tmp_path / "saved.sqlite") as db:  # the table before accounts
        db.executescript(
            "CREATE TABLE saved (id INTEGER PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL "
            "UNIQUE, created TEXT NOT NULL, opened TEXT, seen BLOB);"
            "INSERT INTO saved (name, url, created) VALUES ('old', '/search?q=old', 'then');"
        )
    saved = SavedSearches(tmp_path)
    (old,) = saved.all()
    assert (old.name, old.owner, old.shared) == ("old", "", False)
    assert old.visible_to("alice") and old.visible_to(None)
    assert saved.save("again", "/search?q=old") == old.id  # still one per URL for one owner
    assert saved.save("alice's", "/search?q=old", "alice") != old.id


# -- the audit log, roles and the pages -----------------------------------------------------------


def test_an_editor_merges_and_the_admin_sees_it_in_the_audit_log(app, folder):
    eve = logged_in(app, "eve")
    page = eve.get("/person/Jane%20Doe").get_data(as_text=True)
    assert 'action="/merge"' in page
    form = {"kind": "person", "name": "Jane Doe", "spelling": "Jane D.",
            CSRF_FIELD: csrf_of(eve, "/search")}
    assert eve.post("/merge", data=form).status_code == 303
    alice = logged_in(app, "alice")
    assert 'action="/merge"' not in alice.get("/person/Jane%20Doe").get_data(as_text=True)
    audit = logged_in(app, "ada").get("/audit.json").get_json()["audit"]
    assert {"actor": "eve", "action": "merge", "detail": "person: 'Jane D.' is 'Jane Doe'"} \
        .items() <= audit[0].items()
    assert alice.get("/audit").status_code == 403


def test_pages_say_who_is_logged_in_and_offer_a_logout(app):
    html = logged_in(app, "ada").get("/search").get_data(as_text=True)
    assert "ada · admin" in html and 'action="/logout"' in html and 'href="/audit"' in html
    html = logged_in(app, "alice").get("/search").get_data(as_text=True)
    assert "alice · reader" in html and 'href="/audit"' not in html


def test_a_single_user_server_is_as_before(web_index_copy):
    client = create_app({"INDEX_DIR": str(web_index_copy)}).test_client()
    assert client.get("/search.json").status_code == 200
    assert client.get("/login").status_code == 303  # nothing to log into
    assert 'action="/logout"' not in client.get("/search").get_data(as_text=True)
    saved_id = save(client, "mine", "/search?q=war")
    assert client.get("/saved.json").get_json()["saved"][0]["mine"]
    form = {"kind": "person", "name": "Jane Doe", "spelling": "J. Doe",
            CSRF_FIELD: csrf_of(client, "/search")}
    assert client.post("/merge", data=form).status_code == 303
    assert [line["actor"] for line in Accounts(web_index_copy).audit()] == ["local", "local"]
    assert saved_id and not Accounts(web_index_copy).any()


def test_a_public_server_reads_and_has_no_write_route(folder):
    client = create_app({"INDEX_DIR": str(folder), "PUBLIC": True, "READ_ONLY": True}) \
        .test_client()
    assert client.get("/search.json?q=Putin").status_code == 200
    page = client.get("/person/Jane%20Doe").get_data(as_text=True)
    assert "<form method=\"post\"" not in page and 'href="/saved"' not in page
    for path in ("/login", "/audit", "/saved", "/saved.json", "/saved/1"):
        assert client.get(path).status_code == 404, path
    app = client.application
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            path = rule.build(dict(SAMPLE, saved_id=1) if rule.arguments else {})[1]
            assert client.post(path, data={}).status_code == 404, path


# -- serve and the command line -----------------------------------------------------------------


def test_serve_refuses_an_open_address_with_no_account(tmp_path, capsys):
    assert main(["--index", str(tmp_path), "serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "no account" in err and "--public" in err and "users add" in err
    assert len(err.strip().splitlines()) == 1
    assert serve_refusal(tmp_path, "0.0.0.0", True, None, []) is None  # --public
    assert serve_refusal(tmp_path, "127.0.0.1", False, None, []) is None
    assert serve_refusal(tmp_path, "::1", False, None, []) is None
    assert serve_refusal(tmp_path, "localhost", False, None, []) is None
    assert "--trusted-proxy" in serve_refusal(tmp_path, "127.0.0.1", False, "X-User", [])
    assert "not an IP" in serve_refusal(tmp_path, "127.0.0.1", False, None, ["proxy.lan"])
    Accounts(tmp_path).add("ada", "admin", PASSWORD)
    assert serve_refusal(tmp_path, "0.0.0.0", False, None, []) is None


def users(index: Path, *argv: str, stdin: str = "", monkeypatch=None) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--index", str(index), "users", *argv])


def test_the_users_and_audit_commands(tmp_path, capsys, monkeypatch):
    run = lambda *a, stdin="": users(tmp_path, *a, stdin=stdin, monkeypatch=monkeypatch)  # noqa: E731
    assert run("add", "Kim", "--role", "editor", stdin=PASSWORD + "\n") == 0
    assert run("add", "kim", stdin=PASSWORD + "\n") == 2  # names are case-folded: taken
    assert "already an account" in capsys.readouterr().err
    assert run("add", "lee", stdin="short\n") == 2
    assert "at least 8" in capsys.readouterr().err
    assert run("add", "no spaces", stdin=PASSWORD + "\n") == 2
    assert run("add", "lee", stdin=PASSWORD + "\n") == 0
    capsys.readouterr()
    assert run("list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in listed] == [["kim", "editor"], ["lee", "reader"]]
    assert run("token", "kim") == 0
    token = capsys.readouterr().out.split()[-1]
    assert Accounts(tmp_path).token_user(token).name == "kim"
    assert run("passwd", "kim", stdin="a new password\n") == 0
    assert Accounts(tmp_path).login("kim", "a new password").user.name == "kim"
    assert run("revoke", "kim") == 0
    assert Accounts(tmp_path).token_user(token) is None
    assert run("remove", "lee") == 0 and run("remove", "lee") == 2
    with pytest.raises(SystemExit):
        run("token")  # a name is needed
    capsys.readouterr()
    assert main(["--index", str(tmp_path), "audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[2] for line in lines] == [
        "users remove", "users revoke", "users passwd", "users token", "users add", "users add"]
    assert all(line.split("  ")[1].startswith("cli") for line in lines)
    assert token not in "\n".join(lines) and PASSWORD not in (tmp_path / FILENAME).read_bytes() \
        .decode("latin-1")


def test_passwords_are_argon2_hashes_and_rehashed_when_the_cost_setting_changes(
    tmp_path, monkeypatch
):
    accounts = Accounts(tmp_path)
    accounts.add("kim", "reader", PASSWORD)

    def stored() -> str:
        with sqlite3.connect(tmp_path / FILENAME) as db:
            return db.execute("SELECT password FROM users").fetchone()[0]

    assert stored().startswith("$argon2id$v=19$m=8,t=1,p=1$")  # the tests' CHEAPEST profile
    monkeypatch.setenv(web.accounts.HASH_PROFILE_ENV, "RFC_9106_LOW_MEMORY")
    assert accounts.login("kim", PASSWORD).user is not None
    assert stored().startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    monkeypatch.setenv(web.accounts.HASH_PROFILE_ENV, "NO_SUCH_PROFILE")
    with pytest.raises(AccountError, match="NO_SUCH_PROFILE"):
        accounts.add("lee", "reader", PASSWORD)


def test_merges_and_topics_edited_from_the_command_line_are_in_the_audit_log(
    web_index_copy, capsys
):
    index = str(web_index_copy)
    assert main(["--index", index, "alias", "person", "J. Doe", "Jane Doe"]) == 0
    assert main(["--index", index, "alias", "--split", "person", "J. Doe", "Jane Doe"]) == 0
    assert main(["--index", index, "topics", "add", "Rail", "--keywords", "rail,train"]) == 0
    assert main(["--index", index, "topics", "remove", "Rail"]) == 0
    capsys.readouterr()
    assert main(["--index", index, "audit", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["action"], line["detail"]) for line in lines] == [
        ("topic remove", "'Rail'"), ("topic add", "'Rail': rail, train"),
        ("split", "person: 'J. Doe' is not 'Jane Doe'"),
        ("merge", "person: 'J. Doe' is 'Jane Doe'"),
    ]
    assert all(line["actor"].startswith("cli") for line in lines)


def test_serve_public_on_a_real_server_reads_and_refuses_every_write(folder):
    port = free_port()
    proc = subprocess.Popen(cli(folder, "serve", "--public", "--port", str(port)),
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_listening(port, proc)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/search.json?q=Putin", timeout=30) as response:
            assert json.load(response)["total"] > 0  # accounts exist, yet no login is asked
        for path, data in (("/saved", b"name=x&url=/search"), ("/merge", b"kind=person"),
                           ("/login", b"name=ada&password=x"), ("/saved", None)):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(urllib.request.Request(base + path, data=data), timeout=30)
            assert refused.value.code == 404, path
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_admins_manage_accounts_from_the_web_and_each_change_is_audited(app, folder):
    ada = logged_in(app, "ada")

    def post(path: str, **form) -> str:
        response = ada.post(path, data=dict(form, **{CSRF_FIELD: csrf_of(ada, "/users")}))
        assert response.status_code == 303, response.text[:300]
        return ada.get("/users").get_data(as_text=True)

    page = post("/users", name="Newcomer", role="reader", password=PASSWORD)
    assert "Added newcomer (reader)." in page and 'data-name="newcomer"' in page
    assert "Not added" in post("/users", name="newcomer", role="reader", password=PASSWORD)
    assert "at least 8" in post("/users", name="other", role="reader", password="short")
    newcomer = logged_in(app, "newcomer")
    assert newcomer.get("/audit").status_code == 403
    post("/users/newcomer", action="role", role="admin")
    assert newcomer.get("/audit").status_code == 200  # from the next request on
    post("/users/newcomer", action="revoke")
    assert newcomer.get("/audit.json").status_code == 401  # sessions ended
    post("/users/newcomer", action="remove")
    assert Accounts(folder).user("newcomer") is None
    own = ada.post("/users/ada", data={"action": "remove", CSRF_FIELD: csrf_of(ada, "/users")})
    assert own.status_code == 400 and Accounts(folder).user("ada")
    actions = [(a["actor"], a["action"], a["detail"]) for a in Accounts(folder).audit(4)]
    assert actions == [("ada", "users remove", "newcomer"), ("ada", "users revoke", "newcomer"),
                       ("ada", "users role", "newcomer as admin"),
                       ("ada", "users add", "newcomer as reader")]
    assert logged_in(app, "alice").get("/users").status_code == 403
