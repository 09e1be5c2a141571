"""Migrations from empty on each backend; engine configuration; settings."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from shop import settings
from shop.db import engine as engine_module
from shop.db.engine import make_engine, session_scope
from shop.db.migrate import current_revision, head_revision, reset_database, upgrade_to_head
from shop.db.models import Base, HandoffRequest
from shop.db.schema_version import SCHEMA_REVISION


def test_upgrade_from_empty_matches_the_models_and_downgrades(empty_url):
    engine = make_engine(empty_url)
    try:
        before, after = upgrade_to_head(engine)
        assert before is None and after == head_revision()
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) >= set(Base.metadata.tables)
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
            assert diff == []
        assert upgrade_to_head(engine) == (after, after)          # idempotent
        reset_database(engine)
        with engine.connect() as connection:
            assert current_revision(connection) is None
            assert not set(inspect(connection).get_table_names()) & set(Base.metadata.tables)
    finally:
        engine.dispose()


def test_schema_version_constant_is_the_migration_head():
    assert SCHEMA_REVISION == head_revision()


def test_sqlite_engine_enforces_foreign_keys_and_uses_wal(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


def test_session_scope_commits_or_rolls_back(writable_engine):
    from datetime import datetime, timezone

    now = datetime(2024, 6, 20, tzinfo=timezone.utc)
    row = dict(ticket_no="RG20240620000001", sender_id="s1", summary="x", status="open", created_at=now, updated_at=now)
    try:
        with session_scope(writable_engine) as session:
            session.add(HandoffRequest(**row))
            session.flush()
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with session_scope(writable_engine) as session:
        assert session.execute(select(HandoffRequest)).first() is None
        session.add(HandoffRequest(**row))
    with session_scope(writable_engine) as session:
        assert session.execute(select(HandoffRequest.ticket_no)).scalar_one() == row["ticket_no"]


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.DATABASE_URL_ENV, raising=False)
    assert settings.database_url() == f"sqlite:///{settings.REPO_ROOT / 'var' / 'shop.db'}"
    url = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv(settings.DATABASE_URL_ENV, url)
    assert settings.database_url() == url
    try:
        assert str(engine_module.default_engine().url) == url
        assert engine_module.default_engine() is engine_module.default_engine()
    finally:
        engine_module.dispose_default_engine()


def test_alembic_ini_has_no_url():
    text_of_ini = (settings.REPO_ROOT / "alembic.ini").read_text(encoding="utf-8")
    assert "sqlalchemy.url" not in text_of_ini


# Rows written as they stood before a data migration (raw SQL: the models describe the head,
# not the revision the test stops at).
def _add_agents(connection, accounts) -> None:
    """Agent accounts (id, username, display name) in ``console_users``."""
    from datetime import datetime

    from sqlalchemy import text

    for account_id, username, name in accounts:
        connection.execute(text(
            "INSERT INTO console_users (id, username, display_name, role, password_hash, active, created_at)"
            " VALUES (:id, :username, :name, 'agent', 'x', :yes, :at)"),
            {"id": account_id, "username": username, "name": name, "yes": True, "at": datetime(2026, 12, 1)})


def _add_notices(connection, ticket_id: int, lines) -> None:
    """The desk's system notices of a ticket, (minute past 10:00 on 2026-12-01, text) each."""
    from datetime import datetime

    from sqlalchemy import text

    for minute, line in lines:
        connection.execute(text(
            "INSERT INTO handoff_messages (ticket_id, author, text, created_at)"
            " VALUES (:ticket, 'system', :line, :at)"),
            {"ticket": ticket_id, "line": line, "at": datetime(2026, 12, 1, 10, minute)})


def test_migration_0014_fills_the_first_claim_and_who_closed_from_the_history(empty_url):
    """Tickets from before 0014 get ``first_assigned_at`` from their first 「客服…已接入」 notice
    (a transfer's notice does not count) and ``closed_by`` from the holder of a ticket the desk
    closed; a cancelled or never-claimed ticket gets neither."""
    from datetime import datetime

    from alembic import command
    from sqlalchemy import text

    from shop.db.migrate import alembic_config

    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0013")
            _add_agents(connection, [(1, "a1", "小王")])
            for ticket_id, status, cancelled in ((1, "closed", None), (2, "closed", datetime(2026, 12, 1, 10, 5)),
                                                 (3, "open", None)):
                connection.execute(text(
                    "INSERT INTO handoff_requests (id, ticket_no, sender_id, summary, status, created_at, updated_at,"
                    " assigned_to, cancelled_at) VALUES (:id, :no, 's', '诉求', :status, :at, :at, :agent, :cancelled)"),
                    {"id": ticket_id, "no": f"T{ticket_id}", "status": status, "at": datetime(2026, 12, 1, 10),
                     "agent": 1 if ticket_id == 1 else None, "cancelled": cancelled})
            _add_notices(connection, 1, [(1, "已为您转接客服小王，接下来由TA为您服务（之前的对话都在）。"),
                                         (2, "客服小王已接入，正在为您服务。"), (9, "客服小王已接入，正在为您服务。")])
        upgrade_to_head(engine)
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, first_assigned_at, closed_by FROM handoff_requests ORDER BY id")).all()
        assert [(r[0], str(r[1])[:16] if r[1] else None, r[2]) for r in rows] == [
            (1, "2026-12-01 10:02", 1), (2, None, None), (3, None, None)]
    finally:
        engine.dispose()


def test_migration_0017_fills_claims_from_the_notices_by_an_unambiguous_name(empty_url):
    """Claims from before 0017 come from the 「客服…已接入」 notices: by the one account with that
    display name (two accounts sharing 小李 leave that claim out, a transfer's notice is not a
    claim); the ticket's first claim waited since the hand-off, a later one's queue time is
    unknown."""
    from datetime import datetime

    from alembic import command
    from sqlalchemy import text

    from shop.db.migrate import alembic_config

    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0015")
            _add_agents(connection, [(1, "a1", "小王"), (2, "a2", "小李"), (3, "a3", "小李")])
            connection.execute(text(
                "INSERT INTO handoff_requests (id, ticket_no, sender_id, summary, status, created_at, updated_at,"
                " first_assigned_at) VALUES (1, 'T1', 's', '诉求', 'assigned', :at, :at, :first)"),
                {"at": datetime(2026, 12, 1, 10), "first": datetime(2026, 12, 1, 10, 2)})
            _add_notices(connection, 1, [(2, "客服小王已接入，正在为您服务。"), (5, "已为您转接客服小王，接下来由TA为您服务（之前的对话都在）。"),
                                         (7, "客服小李已接入，正在为您服务。"), (9, "客服小王已接入，正在为您服务。")])
        upgrade_to_head(engine)
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT ticket_id, agent_id, claimed_at, queued_at FROM handoff_claims ORDER BY id")).all()
        assert [(r[0], r[1], str(r[2])[:16], str(r[3])[:16] if r[3] else None) for r in rows] == [
            (1, 1, "2026-12-01 10:02", "2026-12-01 10:00"), (1, 1, "2026-12-01 10:09", None)]
    finally:
        engine.dispose()
