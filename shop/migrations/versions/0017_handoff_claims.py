"""Claims recorded per agent: ``handoff_claims``, one row each time an agent takes a waiting
ticket from the queue (接入) — who, when, and since when the ticket had been waiting for it
(``queued_at``: the hand-off, or the hand-back or transfer back to the queue before this
claim). Transfers have been rows since 0013; a claim was only the current holder
(``assigned_to``, cleared by a hand-back) and the ticket's first claim time (0014), so
数据分析 could not say who took tickets from the queue, nor how long each claim had waited.

Existing claims are filled from what was already recorded: each 「客服{name}已接入…」 notice
is a claim (the only line a claim writes), by the account with that display name when
exactly one account has it (a name shared by two accounts, or renamed since, is left out:
who it was cannot be told). The first claim of a ticket waited since the hand-off; the
queue time of a later one is not known (NULL).

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 09:10:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: Union[str, None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NOTICE_START, NOTICE_NAME_END = "客服", "已接入"


def upgrade() -> None:
    op.create_table(
        'handoff_claims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(), nullable=False),
        sa.Column('queued_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['handoff_requests.id'],
                                name=op.f('fk_handoff_claims_ticket_id_handoff_requests')),
        sa.ForeignKeyConstraint(['agent_id'], ['console_users.id'],
                                name=op.f('fk_handoff_claims_agent_id_console_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_claims')),
    )
    op.create_index('ix_handoff_claims_ticket_id', 'handoff_claims', ['ticket_id', 'id'], unique=False)
    op.create_index('ix_handoff_claims_claimed_at', 'handoff_claims', ['claimed_at'], unique=False)
    _backfill(op.get_bind())


def _backfill(bind) -> None:
    accounts: dict = {}
    for account_id, name in bind.execute(sa.text("SELECT id, display_name FROM console_users")):
        accounts.setdefault(name, []).append(account_id)
    # The claim's notice is 「客服{name}已接入，…」 (shop.db.handoff_desk.JOINED_NOTICE); a
    # transfer's starts 「已为您转接…」 and never matches.
    notices = bind.execute(sa.text(
        "SELECT m.ticket_id, m.text, m.created_at, r.created_at, r.first_assigned_at"
        " FROM handoff_messages m JOIN handoff_requests r ON r.id = m.ticket_id"
        " WHERE m.author = 'system' AND m.text LIKE '客服%已接入%' ORDER BY m.id")).all()
    rows = []
    for ticket_id, text, claimed_at, created_at, first_assigned_at in notices:
        name = text[len(NOTICE_START):text.find(NOTICE_NAME_END)] if text.startswith(NOTICE_START) else None
        ids = accounts.get(name) or []
        if len(ids) != 1:
            continue
        first = first_assigned_at is not None and str(claimed_at) == str(first_assigned_at)
        rows.append({"ticket_id": ticket_id, "agent_id": ids[0], "claimed_at": claimed_at,
                     "queued_at": created_at if first else None})
    if rows:
        bind.execute(sa.text("INSERT INTO handoff_claims (ticket_id, agent_id, claimed_at, queued_at)"
                             " VALUES (:ticket_id, :agent_id, :claimed_at, :queued_at)"), rows)


def downgrade() -> None:
    op.drop_index('ix_handoff_claims_claimed_at', table_name='handoff_claims')
    op.drop_index('ix_handoff_claims_ticket_id', table_name='handoff_claims')
    op.drop_table('handoff_claims')
