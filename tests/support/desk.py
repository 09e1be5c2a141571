"""The desk's state for tests that share one live stack: who is signed in to the console.

An agent's console session keeps them on duty for ``ON_DUTY_WINDOW`` after its last use, so an
agent a test leaves signed in (a failure before 退出登录, or a test about something else that
never signs out) changes what the next test's shopper hears ("预计等待…" instead of "nobody
is at the desk"). Tests that depend on who is at the desk set it up themselves."""
from __future__ import annotations

from sqlalchemy import delete

from shop.db.engine import make_engine, session_scope
from shop.db.models import ConsoleSession


def sign_out_every_agent(database_url: str) -> None:
    """Nobody at the desk: every console session ends, as if each agent signed out."""
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            session.execute(delete(ConsoleSession))
    finally:
        engine.dispose()
