"""Engines and units of work.

- ``make_engine(url)``: an Engine tuned for the backend (SQLite: foreign keys, WAL, a busy
  timeout and working SAVEPOINTs; PostgreSQL: a checked, recycled connection pool).
- ``session_scope(engine)``: one unit of work — commit on success, roll back on any error;
  ``lock_wait_s`` bounds how long it waits for another writer's lock (then it fails);
  ``writes=True`` for a unit of work that will write (SQLite: ``BEGIN IMMEDIATE``).
- ``default_engine()``: the process-wide engine for ``SHOP_DATABASE_URL`` (cached).
- ``conversation_log_engine(url)``: an Engine for Rasa's own append-only stores in a SQLite
  file (tracker store, event broker): WAL, ``synchronous=NORMAL``, connections kept open.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from shop import settings

SQLITE_BUSY_TIMEOUT_S = 10
SQLITE_CACHE_KIB = 65_536
SQLITE_MMAP_BYTES = 1 << 30
POSTGRES_RANDOM_PAGE_COST = 1.1
_SHORT_WAIT = "shop_short_lock_wait"
# Execution options session_scope sets on its connection for the "begin" hook below.
_BEGIN_IMMEDIATE = "shop_begin_immediate"
_LOCK_WAIT_MS = "shop_lock_wait_ms"


def _is_sqlite(url) -> bool:
    return url.get_backend_name() == "sqlite"


def _configure_sqlite(engine: Engine, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised via engine use
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy issue BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            if not in_memory:
                # WAL: readers never block the writer; NORMAL sync is durable enough with WAL
                # (a power cut may lose the last commit, never corrupt the file).
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            # Reads come from memory-mapped pages and a 64 MiB page cache instead of a
            # read() system call per page: point lookups on a 1 GB file stay sub-millisecond.
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            if not in_memory:
                cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # pragma: no cover - exercised via engine use
        options = connection.get_execution_options()
        wait_ms = options.get(_LOCK_WAIT_MS)
        if wait_ms is not None:
            # Before BEGIN: BEGIN IMMEDIATE is itself what waits for the lock.
            connection.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
            connection.connection.info[_SHORT_WAIT] = True
        # A plain (deferred) BEGIN reads from a snapshot and asks for the write lock at the
        # first write. In WAL mode, if another process committed in between, that upgrade
        # fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT: waiting cannot help,
        # the snapshot is stale, so the busy timeout does not apply). A unit of work that will
        # write takes the write lock up front instead (waiting the busy timeout like any
        # writer), so nobody can commit between its reads and its writes. Read-only work keeps
        # the deferred BEGIN: in WAL, readers never wait for or block a writer.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_BEGIN_IMMEDIATE) else "BEGIN")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record):  # pragma: no cover - exercised via engine use
        # A unit of work with a shorter lock wait changed the connection, not a transaction.
        if dbapi_connection is not None and record.info.pop(_SHORT_WAIT, False):
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            finally:
                cursor.close()


def _configure_postgres(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised via engine use
        cursor = dbapi_connection.cursor()
        try:
            # The catalogue and recent orders live in memory: random reads are nearly as
            # cheap as sequential ones. With the default (4.0) the planner hash-joins whole
            # tables for two-word searches instead of probing indexes (40 ms instead of 7 ms).
            cursor.execute(f"SET random_page_cost = {POSTGRES_RANDOM_PAGE_COST}")
        finally:
            cursor.close()
        dbapi_connection.commit()


def make_engine(url: Optional[str] = None, **overrides) -> Engine:
    """An Engine for ``url`` (default: ``settings.database_url()``), 2.0-style (``future=True``)."""
    parsed = make_url(url or settings.database_url())
    options: dict = {"future": True}
    if _is_sqlite(parsed):
        database = parsed.database or ""
        in_memory = database in ("", ":memory:") or "mode=memory" in str(parsed)
        # Sessions may be used from worker threads (the action server's thread pool).
        options["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
        if in_memory:
            options["poolclass"] = StaticPool   # one shared connection, or the data vanishes
        else:
            options.update(pool_size=5, max_overflow=10)
    else:
        options.update(pool_size=5, max_overflow=10, pool_pre_ping=True, pool_recycle=1800)
    options.update(overrides)
    if _is_sqlite(parsed) and "poolclass" not in options:
        from sqlalchemy.pool import QueuePool
        # SQLAlchemy 1.4 defaults file databases to NullPool (a new connection per checkout);
        # a small pool keeps point lookups well under a millisecond.
        options["poolclass"] = QueuePool
    engine = create_engine(parsed, **options)
    if _is_sqlite(parsed):
        _configure_sqlite(engine, in_memory)
    elif parsed.get_backend_name() == "postgresql":
        _configure_postgres(engine)
    return engine


def is_sqlite_file(url) -> bool:
    parsed = make_url(url)
    database = parsed.database or ""
    return _is_sqlite(parsed) and database not in ("", ":memory:") and "mode=memory" not in str(parsed)


def conversation_log_engine(url) -> Engine:
    """An Engine for a conversation log in a SQLite file — Rasa's SQL tracker store and its
    SQL event broker: rows appended every turn, read back by sender.

    Rasa builds these engines with SQLite's defaults: a rollback journal with
    ``synchronous=FULL`` (each commit writes and deletes a journal file and waits for two
    fsyncs) and, on SQLAlchemy 1.4, a new connection per session. The commit and the close
    were the top of the Rasa server's profile (bench/TURN_COST.md). Here:

    - WAL with ``synchronous=NORMAL``: a commit appends to the write-ahead log, no fsync
      per commit. Durability: a crash of the process (or ``kill -9``) loses nothing that was
      committed — the log is in the operating system's hands once the commit returns; a
      power cut or OS crash may lose the last commits before the next checkpoint, never
      corrupt the file (SQLite's documented guarantee for WAL + NORMAL). Readers (the
      console, the improvement loop) never block the writer.
    - A small pool that keeps its connections open: the last connection to close a WAL
      database checkpoints it and deletes the log, so a connection per session would turn
      every turn's commit back into a checkpoint. ``check_same_thread=False`` because the
      pool hands a connection to whichever thread checks it out (one at a time).

    Transactions are left as Rasa expects them (pysqlite's own BEGIN handling, Rasa's busy
    timeout). Only for SQLite files; any other URL gets a plain ``create_engine(url)``.
    """
    from sqlalchemy.pool import QueuePool

    parsed = make_url(url)
    if not is_sqlite_file(parsed):
        return create_engine(parsed)
    engine = create_engine(parsed, poolclass=QueuePool, pool_size=2, max_overflow=8,
                           connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised via engine use
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")     # kept in the file; a no-op once set
            cursor.execute("PRAGMA synchronous=NORMAL")   # per connection
        finally:
            cursor.close()

    return engine


# Rasa's tracker store finds a conversation's latest session with max(timestamp) over its
# session_started events and reads the events at or after it; with Rasa's index on sender_id
# alone, both read every stored row of the conversation, all sessions, on every retrieve and
# save (a turn's cost then grows with the whole conversation, bench/TURN_COST.md).
TRACKER_EVENT_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_events_sender_type_time ON events (sender_id, type_name, timestamp)",
    "CREATE INDEX IF NOT EXISTS ix_events_sender_time ON events (sender_id, timestamp)",
)


def index_tracker_events(engine: Engine) -> None:
    """Add the indexes above to a SQLite tracker store's ``events`` table (idempotent)."""
    if not is_sqlite_file(engine.url):
        return
    with engine.begin() as connection:
        for statement in TRACKER_EVENT_INDEXES:
            connection.exec_driver_sql(statement)


def adopt_conversation_log_engine(store) -> None:
    """Give a store Rasa built (its ``SQLTrackerStore`` or ``SQLEventBroker``: an ``engine``
    and a ``sessionmaker``) the conversation-log engine, when its database is a SQLite file;
    anything else (PostgreSQL in the scale-out setup) keeps Rasa's engine."""
    from sqlalchemy.orm import sessionmaker

    if not is_sqlite_file(store.engine.url):
        return
    stock = store.engine
    store.engine = conversation_log_engine(stock.url)
    store.sessionmaker = sessionmaker(bind=store.engine)
    stock.dispose()


def database_answers(engine: Engine) -> bool:
    """Whether the database answers a trivial query now (never raises): tells which of two
    databases a failure came from (the console's 数据分析: the analytics one or the shop's)."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "does not answer"
        return False


@contextmanager
def session_scope(engine: Optional[Engine] = None, lock_wait_s: Optional[float] = None,
                  writes: bool = False) -> Iterator[Session]:
    """One unit of work: everything inside commits together or not at all.

    ``lock_wait_s``: wait at most this long for a lock another transaction holds (SQLite's
    busy timeout, PostgreSQL's lock_timeout), then fail with OperationalError, instead of
    the default 10 s (SQLite) or forever (PostgreSQL). For work a shopper waits on.

    ``writes``: the unit of work will (or may) write. On SQLite it starts with
    ``BEGIN IMMEDIATE``: the write lock is taken at the start, waiting for another writer as
    long as the busy timeout (or ``lock_wait_s``) allows, so work that reads and then writes
    is never refused because another process committed in between (see ``_on_begin``).
    Read-only work leaves it False (a deferred BEGIN never waits in WAL). No change on
    PostgreSQL, whose row locks and MVCC already let such work wait or proceed.
    """
    # Query functions return plain dataclasses, so nothing needs refreshing after commit.
    session = Session(bind=engine or default_engine(), future=True, expire_on_commit=False)
    try:
        if lock_wait_s is not None or writes:
            _begin(session, lock_wait_s, writes)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _begin(session: Session, lock_wait_s: Optional[float], writes: bool) -> None:
    """Start the session's transaction now, with the options SQLite's "begin" hook reads
    (they must be on the connection before its BEGIN; other backends ignore them)."""
    milliseconds = None if lock_wait_s is None else max(1, int(lock_wait_s * 1000))
    options: dict = {_BEGIN_IMMEDIATE: writes}
    if milliseconds is not None:
        options[_LOCK_WAIT_MS] = milliseconds
    connection = session.connection(execution_options=options)
    if milliseconds is not None and connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")


_default_engine: Optional[Engine] = None
_default_url: Optional[str] = None
_default_lock = threading.Lock()


def default_engine() -> Engine:
    """The process-wide engine for the configured URL (re-created if the URL changed)."""
    global _default_engine, _default_url
    url = settings.database_url()
    with _default_lock:
        if _default_engine is None or _default_url != url:
            if _default_engine is not None:
                _default_engine.dispose()
            _default_engine = make_engine(url)
            _default_url = url
        return _default_engine


def dispose_default_engine() -> None:
    """Close the default engine's connections (tests, forked workers)."""
    global _default_engine, _default_url
    with _default_lock:
        if _default_engine is not None:
            _default_engine.dispose()
        _default_engine = None
        _default_url = None
