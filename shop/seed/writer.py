"""Bulk writing for the seed: fast, backend-specific, still driven by the models' metadata.

- SQLite: the insert statement SQLAlchemy compiles for the table, run with the DB-API's
  ``executemany`` over tuples in batches (skipping per-row ORM and dict overhead).
- PostgreSQL: ``COPY ... FROM STDIN (FORMAT csv)`` through psycopg2, in batches.

Generators hand rows as tuples in a declared column order. Timestamps are given as integer
seconds since the epoch (UTC) and written in the exact text form SQLAlchemy itself stores
on SQLite (``YYYY-MM-DD HH:MM:SS.ffffff``), so comparisons in queries stay correct; JSON
columns are given as Python objects.

Secondary indexes of the big tables are dropped before loading and rebuilt afterwards,
which is several times faster than maintaining them row by row.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from typing import Callable, Iterable, Optional, Sequence

from sqlalchemy import JSON, Boolean, DateTime, Table
from sqlalchemy.engine import Connection

BATCH_ROWS = 20_000
_DAY_PREFIX: dict[int, str] = {}
_SECOND_SUFFIX: list[str] = []


def timestamp_text(epoch_seconds: int) -> str:
    """UTC text of an epoch second, formatted like SQLAlchemy's SQLite DATETIME storage.

    Two table look-ups and a concatenation: the large profile formats tens of millions."""
    day, second = divmod(epoch_seconds, 86_400)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        prefix = _DAY_PREFIX[day] = datetime.fromtimestamp(day * 86_400, tz=timezone.utc).strftime("%Y-%m-%d ")
    if not _SECOND_SUFFIX:
        _SECOND_SUFFIX.extend(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000" for s in range(86_400))
    return prefix + _SECOND_SUFFIX[second]


def _optional(convert: Callable) -> Callable:
    return lambda value: None if value is None else convert(value)


def _json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class BulkWriter:
    """Writes generated rows into one connection's open transaction."""

    def __init__(self, connection: Connection, progress: Optional[Callable[[str, int], None]] = None) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.counts: dict[str, int] = {}
        self._progress = progress

    # -- conversion ------------------------------------------------------------------
    def _converters(self, table: Table, columns: Sequence[str]) -> list[Optional[Callable]]:
        converters: list[Optional[Callable]] = []
        for name in columns:
            column = table.c[name]
            impl = getattr(column.type, "impl", column.type)
            if isinstance(impl, DateTime):
                convert = timestamp_text
            elif isinstance(impl, JSON):
                convert = _json_text
            elif isinstance(impl, Boolean) and self.dialect == "sqlite":
                convert = int
            else:
                converters.append(None)
                continue
            converters.append(_optional(convert) if column.nullable else convert)
        return converters

    @staticmethod
    def _convert(batch: list[tuple], converters: list[Optional[Callable]]) -> list[tuple]:
        """Convert column by column (map and zip run in C; a per-row loop would not)."""
        if not batch or all(c is None for c in converters):
            return batch
        columns = list(zip(*batch))
        for i, convert in enumerate(converters):
            if convert is not None:
                columns[i] = list(map(convert, columns[i]))
        return list(zip(*columns))

    # -- writing ---------------------------------------------------------------------
    def insert(self, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Insert ``rows`` (tuples in ``columns`` order); returns how many were written."""
        converters = self._converters(table, columns)
        written = 0
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                written += self._write(table, columns, self._convert(batch, converters))
                batch = []
        if batch:
            written += self._write(table, columns, self._convert(batch, converters))
        self.counts[table.name] = self.counts.get(table.name, 0) + written
        return written

    def _write(self, table: Table, columns: Sequence[str], batch: list[tuple]) -> int:
        if self.dialect == "postgresql":
            self._copy(table, columns, batch)
        else:
            self._executemany(table, columns, batch)
        if self._progress:
            self._progress(table.name, len(batch))
        return len(batch)

    def _executemany(self, table: Table, columns: Sequence[str], batch: list[tuple]) -> None:
        compiled = table.insert().compile(dialect=self.connection.dialect, column_keys=list(columns))
        order = [columns.index(key) for key in compiled.positiontup] if compiled.positiontup else None
        rows = batch if order is None or order == list(range(len(columns))) else [
            tuple(row[i] for i in order) for row in batch
        ]
        cursor = self.connection.connection.cursor()
        try:
            cursor.executemany(str(compiled), rows)
        finally:
            cursor.close()

    def _copy(self, table: Table, columns: Sequence[str], batch: list[tuple]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        writer.writerows(batch)
        buffer.seek(0)
        preparer = self.connection.dialect.identifier_preparer
        column_list = ", ".join(preparer.quote(c) for c in columns)
        # csv writes None as a quoted empty string; FORCE_NULL reads it back as NULL in nullable columns.
        nullable = [preparer.quote(c) for c in columns if table.c[c].nullable]
        options = "FORMAT csv" + (f", FORCE_NULL ({', '.join(nullable)})" if nullable else "")
        statement = f"COPY {preparer.format_table(table)} ({column_list}) FROM STDIN WITH ({options})"
        cursor = self.connection.connection.cursor()
        try:
            cursor.copy_expert(statement, buffer)
        finally:
            cursor.close()
