"""Sign-in for a class (issue 37): Streamlit's own OpenID Connect (`st.login`), on only when
`.streamlit/secrets.toml` has an `[auth]` section. Then every page asks for sign-in, the sidebar
names the signed-in person, and `[fer_lab]` says who the teachers are and how many runs a student
may queue (fer_core.access.ClassPolicy). Without it (a laptop) everyone is `access.LOCAL`.

The user is read from `st.user` (Streamlit's signed identity cookie) on every run, never from
session state, so no message from the browser can change who it is."""

import streamlit as st

from fer_core.access import LOCAL, ClassPolicy, Refused, User
from fer_core.class_server import sign_in_address_problem


def _secrets() -> dict:
    return dict(st.secrets) if st.secrets.load_if_toml_exists() else {}


def class_policy() -> ClassPolicy | None:
    """The class's rules, or None when sign-in is off."""
    secrets = _secrets()
    if not secrets.get("auth"):
        return None
    return ClassPolicy.from_config(secrets.get("fer_lab"))


def current_user() -> User:
    """Who is using this session: LOCAL when sign-in is off."""
    policy = class_policy()
    if policy is None:
        return LOCAL
    if not st.user.is_logged_in:
        raise Refused("sign in first")
    return policy.user(st.user.get("email"), st.user.get("name"))


def require_sign_in() -> User:
    """The router's gate: with sign-in on, a signed-out visitor sees only the sign-in button, and a
    signed-in one their name and a sign-out button in the sidebar."""
    try:
        policy = class_policy()
    except ValueError as exc:  # a teacher's typo in [fer_lab]: say it, serve nothing
        st.error(f"FER Lab's class settings in .streamlit/secrets.toml are wrong: {exc}")
        st.stop()
    if policy is None:
        return LOCAL
    if not st.user.is_logged_in:
        st.title("FER Lab")
        st.markdown("This FER Lab serves a class: sign in to use it. Your runs will carry your name.")
        redirect = (_secrets().get("auth") or {}).get("redirect_uri")
        if problem := sign_in_address_problem(st.context.url, redirect):
            st.error(problem, icon=":material/wrong_location:")
        st.button("Sign in", type="primary", on_click=st.login, key="auth_sign_in", icon=":material/login:")
        st.stop()
    try:
        user = current_user()
    except Refused as exc:
        st.error(str(exc))
        st.button("Sign out", on_click=st.logout, key="auth_sign_out")
        st.stop()
    with st.sidebar:
        st.markdown(f"Signed in as **{user.name}**  \n{user.email} · {user.role}")
        st.button("Sign out", on_click=st.logout, key="auth_sign_out", icon=":material/logout:")
    return user


def refusal(exc: Exception | str) -> None:
    """A refused action, said on the page (never a traceback)."""
    st.error(str(exc), icon=":material/block:")
