"""When the agent last did something in a console session (``last_active_at``), apart from
when any page of it last spoke (``last_seen_at``, the heartbeat and polling included): idle
sign-out counts from the first, being on duty from the second, so an open tab keeps an
agent's conversations but not their session for ever.

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:20:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('console_sessions') as batch:
        batch.add_column(sa.Column('last_active_at', sa.DateTime(), nullable=True))
    # A session from before knew only its last use: that is its last activity too.
    op.execute("UPDATE console_sessions SET last_active_at = last_seen_at")
    with op.batch_alter_table('console_sessions') as batch:
        batch.alter_column('last_active_at', existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('console_sessions') as batch:
        batch.drop_column('last_active_at')
