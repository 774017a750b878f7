"""Who is asking, and may they? One check that every request passes through, keyed on its endpoint.

Three ways to serve:
- single user (no account, loopback): everything is allowed, as before accounts existed;
- accounts (`newsindex users add`): a login (session cookie), an API token
  (`Authorization: Bearer`, GET only), a per-user secret feed key (`?feed=` on `.atom` URLs),
  or a name in a header from a trusted proxy; roles reader < editor < admin;
- public (`serve --public`): read-only for anyone, and every other route answers 404.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from pathlib import Path
from urllib.parse import quote

from flask import Flask, abort, current_app, g, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from web.accounts import SESSION_SECONDS, Accounts, User

PUBLIC, READ, SAVE, DECIDE, ADMIN = "public", "read", "save", "decide", "admin"
# What each endpoint needs. An endpoint missing here needs READ if it only answers GET, else
# ADMIN; the access-matrix test (tests/test_accounts.py) fails until it is listed.
NEEDS = {
    "static": PUBLIC,
    "web.login": PUBLIC,
    "web.logout": PUBLIC,
    "web.home": READ,
    "web.listing": READ,
    "web.listing_twin": READ,
    "web.article": READ,
    "web.entity": READ,
    "web.facet_values": READ,
    "web.feeds_list": READ,
    "web.saved_list": SAVE,
    "web.saved_json": SAVE,
    "web.saved_open": SAVE,
    "web.saved_feed": SAVE,
    "web.saved_create": SAVE,
    "web.saved_rename": SAVE,
    "web.saved_delete": SAVE,
    "web.saved_share": SAVE,
    # Editors' decisions: merges and splits, names listed whatever the type vote, who spoke a
    # quotation, the user topics.
    "web.merge_or_split": DECIDE,
    "web.list_or_unlist": DECIDE,
    "web.correct_speaker": DECIDE,
    "web.topics_add": DECIDE,
    "web.topics_remove": DECIDE,
    "web.topics": READ,  # the user topics, listed for anyone who reads; the forms for editors
    "web.audit": ADMIN,
    "web.users": ADMIN,
    "web.users_add": ADMIN,
    "web.users_change": ADMIN,
}
ROLE_NEEDED = {READ: "reader", SAVE: "reader", DECIDE: "editor", ADMIN: "admin"}
TWINS = (".json", ".csv", ".atom")
LOCAL_ACTOR = "local"  # who writes on a single-user server


def accounts() -> Accounts:
    return current_app.extensions["newsindex"].accounts


def endpoint_needs(app: Flask, endpoint: str | None) -> str:
    """The permission an endpoint needs (see NEEDS)."""
    if endpoint in NEEDS:
        return NEEDS[endpoint]
    methods = {m for rule in app.url_map.iter_rules(endpoint) for m in rule.methods or ()} \
        if endpoint else set()
    return READ if methods <= {"GET", "HEAD", "OPTIONS"} else ADMIN


def mode() -> str:
    """'public', 'accounts' or 'single' for this request."""
    return g.get("mode", "single")


def current_user() -> User | None:
    """The logged-in user (None on a single-user or public server, or anonymous)."""
    return g.get("user")


def may(need: str) -> bool:
    """Whether this request may do what `need` names."""
    if need == PUBLIC:
        return True
    if mode() == "public":
        return need == READ
    if mode() == "single":
        return not (need == DECIDE and current_app.config.get("READ_ONLY"))
    user = current_user()
    if need == DECIDE and current_app.config.get("READ_ONLY"):
        return False
    return user is not None and user.can(ROLE_NEEDED[need])


def viewer() -> str | None:
    """Whose saved searches these are: the user's name, None on a single-user server."""
    user = current_user()
    return user.name if user and mode() == "accounts" else None


def may_change(owner: str) -> bool:
    """Whether this request may rename, delete or share a saved search of that owner (those
    from before accounts, owner '', are the admins' to change)."""
    user = current_user()
    if mode() != "accounts":
        return mode() == "single"
    return user is not None and (owner == user.name or (owner == "" and user.can("admin")))


def actor() -> str:
    """Who is writing, for the audit log."""
    user = current_user()
    return user.name if user else LOCAL_ACTOR


def record(action: str, detail: str) -> None:
    """One line in the audit log for a write made by this request."""
    accounts().record(actor(), action, detail)


def feed_key(user: User | None = None) -> str:
    """The user's secret key for feed URLs (feed readers cannot log in); '' without accounts.
    An HMAC of the name and the user's epoch: `users revoke` changes it."""
    user = user or current_user()
    if user is None:
        return ""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    message = f"feed\0{user.name}\0{user.epoch}".encode()
    return f"{user.name}.{hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]}"


def with_feed_key(url: str) -> str:
    """A feed URL carrying the user's key, for links shown to them."""
    key = feed_key()
    if not key:
        return url
    return f"{url}{'&' if '?' in url else '?'}feed={quote(key, safe='')}"


# -- finding the user -------------------------------------------------------------------------


def user_from_feed_key(key: str) -> User | None:
    name, _, _ = key.rpartition(".")
    user = accounts().user(name) if name else None
    if user is not None and hmac.compare_digest(feed_key(user), key):
        return user
    return None


def user_from_proxy() -> User | None:
    """A name from --trust-header, believed only from a --trusted-proxy address."""
    header = current_app.config.get("TRUST_HEADER")
    if not header or not request.environ.get(TRUSTED_PROXY):
        return None
    name = request.headers.get(header)
    if not name:
        return None
    return accounts().user(name) or abort(403, description=f"{name}: there is no account "
                                          "with this name on this server.")


def identify() -> User | None:
    """The user of this request; sets g.expired for a session that ended."""
    user = user_from_proxy()
    if user:
        return user
    auth = request.headers.get("Authorization")
    if auth:
        scheme, _, token = auth.partition(" ")
        user = accounts().token_user(token) if scheme.lower() == "bearer" else None
        if user is None or request.method not in ("GET", "HEAD"):
            abort(401, description="The API token is wrong or revoked; tokens only read.")
        return user
    key = request.args.get("feed")
    if key and request.path.endswith(".atom"):
        return user_from_feed_key(key) or abort(401, description="This feed URL was revoked.")
    sid = session.get("sid")
    if sid:
        lifetime = current_app.config.get("SESSION_SECONDS", SESSION_SECONDS)
        user = accounts().session_user(sid, lifetime)
        if user is None:
            session.pop("sid", None)
            g.expired = True
        return user
    return None


def check_access():
    """Before every request: who is asking, and may they reach this endpoint?"""
    needs = endpoint_needs(current_app, request.endpoint)
    if current_app.config.get("PUBLIC"):
        g.mode = "public"
        if needs not in (READ, PUBLIC) or request.endpoint in ("web.login", "web.logout"):
            abort(404)
        return None
    if not accounts().any():
        g.mode = "single"
    else:
        g.mode = "accounts"
        g.user = identify()
    if may(needs):
        return None
    if current_user() is None and mode() == "accounts":
        return refuse_anonymous()
    if mode() == "single":
        abort(403, description="This server is read-only: merges, splits, speaker corrections "
              "and topic changes are turned off.")
    abort(403, description=f"This needs an account with the {ROLE_NEEDED[needs]} role.")


def refuse_anonymous():
    """A page sends the browser to /login; a twin or a form post gets 401."""
    message = ("Your session has expired: log in again." if g.get("expired")
               else "Log in to use this server.")
    if request.method == "GET" and not request.path.endswith(TWINS):
        query = request.query_string.decode("utf-8")
        target = quote(request.path) + (f"?{query}" if query else "")
        return redirect(f"/login?next={quote(target, safe='')}")
    abort(401, description=message)


def challenge(response):
    """A 401 says how to authenticate."""
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="newsindex"')
    return response


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site only."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


# -- cookies and proxies ----------------------------------------------------------------------


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over HTTPS (directly, or
    through a --trusted-proxy that says so in X-Forwarded-Proto)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


TRUSTED_PROXY = "newsindex.trusted_proxy"


class TrustedProxies:
    """werkzeug's ProxyFix (X-Forwarded-For, -Proto, -Host from one proxy hop) applied only to
    requests whose peer is one of the trusted proxy addresses; others are taken as they come."""

    def __init__(self, app, proxies: list[str]):
        self.app = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1)
        self.proxies = {str(ipaddress.ip_address(p)) for p in proxies}

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.proxies:
            environ[TRUSTED_PROXY] = True
            return self.fixed(environ, start_response)
        environ.pop(TRUSTED_PROXY, None)
        return self.app(environ, start_response)


def install(app: Flask) -> None:
    """Wire the access check, the cookie policy and the trusted proxies into an app."""
    app.session_interface = SessionCookies()
    app.config.setdefault("PERMANENT_SESSION_LIFETIME",
                          app.config.get("SESSION_SECONDS", SESSION_SECONDS))
    if app.config.get("TRUSTED_PROXIES"):
        app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["TRUSTED_PROXIES"])
    app.before_request(check_access)
    app.after_request(challenge)
    app.jinja_env.globals.update(current_user=current_user, may=may, with_feed_key=with_feed_key,
                                 auth_mode=mode)


# -- serve: who may be let in ---------------------------------------------------------------------


def loopback(host: str) -> bool:
    """Whether an address to listen on is reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[] ")).is_loopback
    except ValueError:
        return False


def serve_refusal(index_dir: Path, host: str, public: bool, trust_header: str | None,
                  trusted_proxies: list[str]) -> str | None:
    """Why `serve` must not start with these options, or None."""
    for proxy in trusted_proxies:
        try:
            ipaddress.ip_address(proxy)
        except ValueError:
            return f"--trusted-proxy {proxy}: not an IP address"
    if trust_header and not trusted_proxies:
        return "--trust-header needs --trusted-proxy IP: the proxy that sets the header"
    if public or loopback(host) or Accounts(index_dir).any():
        return None
    return (f"{index_dir}: no account, so anyone who reaches {host} could read and change "
            "this index. Add one first (`newsindex users add NAME --role admin`), or serve "
            "read-only to everyone with --public")
