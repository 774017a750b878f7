"""The pages of a server with accounts: log in, log out; for admins, the audit log and the
accounts (add, change role, revoke, remove: what `newsindex users` does)."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, session

from web import auth
from web.accounts import ROLES, AccountError
from web.routes import bp, checked_form

AUDIT_LINES = 500


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; a right password starts a new session (never the one before it)."""
    if request.method == "POST":
        checked_form()
    target = auth.safe_next(request.values.get("next"))
    if auth.mode() != "accounts":
        return redirect("/", code=303)
    if request.method == "GET":
        if auth.current_user():
            return redirect(target)
        return render_template("login.html", next=target)
    name = request.form.get("name", "")
    attempt = auth.accounts().login(name, request.form.get("password", ""))
    if attempt.user is None:
        if attempt.locked_for:
            auth.accounts().record("-", "login locked", f"{name.strip()[:64]!r} for "
                                   f"{attempt.locked_for} s")
            message = (f"Too many failed logins for this name: try again in "
                       f"{attempt.locked_for} seconds.")
            return render_template("login.html", next=target, error=message, name=name), 429
        return render_template("login.html", next=target, error="Wrong name or password.",
                               name=name), 401
    old = session.get("sid")
    if old:
        auth.accounts().end_session(old)
    session.clear()  # a new session: a cookie planted before the login stays logged out
    session.permanent = True
    session["sid"] = auth.accounts().start_session(attempt.user.name)
    return redirect(target, code=303)


@bp.post("/logout")
def logout():
    checked_form()
    sid = session.get("sid")
    if sid:
        auth.accounts().end_session(sid)
    session.clear()
    flash("Logged out.")
    return redirect("/login", code=303)


@bp.get("/audit")
@bp.get("/audit.json")
def audit():
    """Who changed what, and when (admins only, as `newsindex audit`)."""
    lines = auth.accounts().audit(AUDIT_LINES)
    if request.path.endswith(".json"):
        return jsonify({"audit": lines})
    if request.path != "/audit":
        abort(404)
    return render_template("audit.html", lines=lines)


@bp.get("/users")
def users():
    """The accounts, with forms to add, change and remove them (admins only)."""
    return render_template("users.html", users=auth.accounts().users(), roles=ROLES)


@bp.post("/users")
def users_add():
    checked_form()
    name, role = request.form.get("name", ""), request.form.get("role", "reader")
    try:
        user = auth.accounts().add(name, role, request.form.get("password", ""))
    except AccountError as exc:
        flash(f"Not added: {exc}.")
    else:
        auth.record("users add", f"{user.name} as {user.role}")
        flash(f"Added {user.name} ({user.role}).")
    return redirect("/users", code=303)


@bp.post("/users/<name>")
def users_change(name: str):
    """Change another account: a new role, revoke its token and sessions, or remove it."""
    checked_form()
    action, role = request.form.get("action", ""), request.form.get("role", "")
    if name == auth.actor():
        abort(400, description="Change your own account with `newsindex users`.")
    changes = {"role": lambda: auth.accounts().set_role(name, role),
               "revoke": lambda: auth.accounts().revoke(name),
               "remove": lambda: auth.accounts().remove(name)}
    if action not in changes:
        abort(400, description="The change is one of role, revoke or remove.")
    try:
        changes[action]()
    except AccountError as exc:
        flash(f"Not changed: {exc}.")
    else:
        auth.record(f"users {action}", f"{name} as {role}" if action == "role" else name)
        flash(f"{action.capitalize()}: {name}.")
    return redirect("/users", code=303)
