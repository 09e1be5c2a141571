"""The audit of experiment changes made from the console (``experiment_changes``, migration
0018): one row per change — who, when, which action, the settings before and after."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.db.errors import InvalidRequest
from shop.db.models import ConsoleUser, ExperimentChange
from shop.db.validation import text_arg
from shop.domain.clock import require_aware

MAX_SETTINGS = 500


@dataclass(frozen=True)
class AuditedChange:
    id: int
    experiment: str
    action: str
    variant: Optional[str]
    before: str
    after: str
    account_id: int
    account_name: Optional[str]
    changed_at: datetime


def record_experiment_change(session: Session, experiment: str, action: str, variant: Optional[str], before: str,
                             after: str, account_id: int, now: datetime) -> int:
    """Keep one change (flushed, so a database that refuses it raises here, before the caller
    commits to anything else); returns its id."""
    require_aware(now)
    if isinstance(account_id, bool) or not isinstance(account_id, int) or account_id <= 0:
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
