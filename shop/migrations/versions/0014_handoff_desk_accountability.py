"""Who did what at the desk, and how long the shopper waited:
- ``handoff_requests.first_assigned_at``: when an agent first took the ticket (a claim; a
  transfer or a hand-back does not move it), so 数据分析 can show how long shoppers waited
  for a person (``assigned_at`` is the *current* holder's, and is cleared on a hand-back);
- ``handoff_requests.closed_by``: the account that closed it (the holder, or an admin closing
  someone else's), so results are counted per agent;
- ``ix_handoff_requests_updated_at``: ``analytics.desk`` copies the tickets changed since its
  last copy into the analytics database;
- ``handoff_transfers.by_agent_id``: the admin who reassigned a ticket held by someone else
  (``shop.db.handoff_desk.reassign_ticket``); NULL when the holder passed it on themselves.

Existing rows are filled from what was already recorded: the first 「客服…已接入」 notice of a
ticket is its first claim (the only line a claim writes), and a ticket the desk closed was
closed by whoever held it (only the holder or an admin could close it, and the holder is kept).

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 05:10:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: Union[str, None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # In place: a batch rebuild of handoff_requests (the only way Alembic adds a foreign
        # key there) drops the table, which fails once handoff_messages rows reference it
        # (foreign keys are enforced); SQLite adds a column with its reference directly.
        for table, column, kind, target in (
            ('handoff_requests', 'first_assigned_at', 'DATETIME', None),
            ('handoff_requests', 'closed_by', 'INTEGER', 'console_users'),
            ('handoff_transfers', 'by_agent_id', 'INTEGER', 'console_users'),
        ):
            reference = f" CONSTRAINT fk_{table}_{column}_{target} REFERENCES {target} (id)" if target else ""
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}{reference}")
    else:
        op.add_column('handoff_requests', sa.Column('first_assigned_at', sa.DateTime(), nullable=True))
        op.add_column('handoff_requests', sa.Column('closed_by', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f('fk_handoff_requests_closed_by_console_users'),
            'handoff_requests',
            'console_users',
            ['closed_by'],
            ['id'],
        )
        op.add_column('handoff_transfers', sa.Column('by_agent_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f('fk_handoff_transfers_by_agent_id_console_users'),
            'handoff_transfers',
            'console_users',
            ['by_agent_id'],
            ['id'],
        )
    # analytics.desk copies the tickets changed since its last copy.
    op.create_index('ix_handoff_requests_updated_at', 'handoff_requests', ['updated_at'], unique=False)
    # The claim's notice is 「客服{name}已接入，…」 (shop.db.handoff_desk.JOINED_NOTICE); a
    # transfer's starts 「已为您转接…」 and never matches.
    op.execute(
        "UPDATE handoff_requests SET first_assigned_at = ("
        " SELECT min(m.created_at) FROM handoff_messages m"
        " WHERE m.ticket_id = handoff_requests.id AND m.author = 'system'"
        " AND m.text LIKE '客服%已接入%')"
        " WHERE first_assigned_at IS NULL"
    )
    op.execute(
        "UPDATE handoff_requests SET closed_by = assigned_to"
        " WHERE status = 'closed' AND cancelled_at IS NULL AND assigned_to IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index('ix_handoff_requests_updated_at', table_name='handoff_requests')
    # SQLite reflects the in-place references without their names: the rebuild drops them
    # with their columns.
    named = op.get_bind().dialect.name != "sqlite"
    with op.batch_alter_table('handoff_transfers') as batch:
        if named:
            batch.drop_constraint(op.f('fk_handoff_transfers_by_agent_id_console_users'), type_='foreignkey')
        batch.drop_column('by_agent_id')
    with op.batch_alter_table('handoff_requests') as batch:
        if named:
            batch.drop_constraint(op.f('fk_handoff_requests_closed_by_console_users'), type_='foreignkey')
        batch.drop_column('closed_by')
        batch.drop_column('first_assigned_at')
