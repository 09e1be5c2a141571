"""Another process writing to the same SQLite file in the middle of a unit of work.

In WAL mode a transaction that read before another connection committed can no longer write
("database is locked" at once, SQLITE_BUSY_SNAPSHOT); units of work that write must take
the write lock up front (``session_scope(writes=True)``). The writer appends to a table
``other_writes (n INTEGER)`` the test creates.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from shop.db.engine import make_engine, session_scope


@contextmanager
def another_writer_commits_after_every_select(engine):
    """Another connection commits (or, if the unit of work holds the write lock, gives up
    after 50 ms) right after each SELECT the unit of work runs."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    outcomes: list = []

    def commit_meanwhile(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith("SELECT"):
            return
        try:
            with session_scope(other, lock_wait_s=0.05) as s:
                s.execute(text("INSERT INTO other_writes (n) VALUES (1)"))
            outcomes.append("committed")
        except OperationalError:      # the unit of work holds the write lock: wait your turn
            outcomes.append("waited")

    event.listen(engine, "after_cursor_execute", commit_meanwhile)
    try:
        yield outcomes
    finally:
        event.remove(engine, "after_cursor_execute", commit_meanwhile)
        other.dispose()
