"""The pages of a server with accounts: log in, log out, and the audit log for admins."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, session

from web import auth
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
    return render_template("audit.html", lines=lines, users=auth.accounts().users())
