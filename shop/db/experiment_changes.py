"""The audit of experiment changes (``experiment_changes``, migration 0018): one row per
change — who, when, which action, the settings before and after. Made from the console (an
admin's account) or by hand in the file (no account: 文件; found by comparing the file with
the state last recorded, ``experiment_file_states``, migration 0019)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.db.errors import InvalidRequest
from shop.db.models import ConsoleUser, ExperimentChange, ExperimentFileState
from shop.db.validation import text_arg
from shop.domain.clock import require_aware

MAX_SETTINGS = 500
FILE_ACTION = "file"        # a hand edit of the file (account_id NULL)


@dataclass(frozen=True)
class AuditedChange:
    id: int
    experiment: str
    action: str
    variant: Optional[str]
    before: str
    after: str
    account_id: Optional[int]      # None: edited by hand in the file
    account_name: Optional[str]
    changed_at: datetime


@dataclass(frozen=True)
class FileState:
    sha256: str
    settings: dict          # experiment name -> its settings in words


def record_experiment_change(session: Session, experiment: str, action: str, variant: Optional[str], before: str,
                             after: str, account_id: Optional[int], now: datetime) -> int:
    """Keep one change (flushed, so a database that refuses it raises here, before the caller
    commits to anything else); returns its id. ``account_id`` None only for a hand edit
    (``FILE_ACTION``): every other change has its admin."""
    require_aware(now)
    if account_id is None and action != FILE_ACTION:
        raise InvalidRequest(f"a {action!r} change needs the admin's account")
    if account_id is not None and (isinstance(account_id, bool) or not isinstance(account_id, int)
                                   or account_id <= 0):
        raise InvalidRequest(f"account_id must be a positive integer, got {account_id!r}")
    row = ExperimentChange(experiment=text_arg(experiment, "experiment", 64), action=text_arg(action, "action", 16),
                           variant=text_arg(variant, "variant", 64, required=False),
                           before=text_arg(before, "before", MAX_SETTINGS),
                           after=text_arg(after, "after", MAX_SETTINGS), account_id=account_id, changed_at=now)
    session.add(row)
    session.flush()
    return row.id


def experiment_changes(session: Session, experiment: str, limit: int = 50) -> List[AuditedChange]:
    """One experiment's changes, newest first (the console's 修改记录)."""
    rows = session.execute(
        select(ExperimentChange, ConsoleUser.display_name)
        .outerjoin(ConsoleUser, ConsoleUser.id == ExperimentChange.account_id)
        .where(ExperimentChange.experiment == text_arg(experiment, "experiment", 64))
        .order_by(ExperimentChange.id.desc()).limit(max(1, min(int(limit), 500)))).all()
    return [AuditedChange(c.id, c.experiment, c.action, c.variant, c.before, c.after, c.account_id, name,
                          c.changed_at) for c, name in rows]


def last_file_state(session: Session) -> Optional[FileState]:
    """The experiment file as last recorded; None before the first record."""
    row = session.execute(select(ExperimentFileState).order_by(ExperimentFileState.id.desc()).limit(1)).scalar()
    return FileState(row.sha256, json.loads(row.settings)) if row is not None else None


def record_file_state(session: Session, sha256: str, settings: dict, now: datetime) -> None:
    """Keep the file's state (after a console change, or a hand edit found on load)."""
    require_aware(now)
    if not isinstance(sha256, str) or len(sha256) != 64:
        raise InvalidRequest("sha256 must be 64 hex characters")
    session.add(ExperimentFileState(sha256=sha256, settings=json.dumps(settings, ensure_ascii=False, sort_keys=True),
                                    recorded_at=now))
    session.flush()
