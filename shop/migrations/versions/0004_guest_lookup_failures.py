"""Failed guest order look-ups, counted per order number across conversations.

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 02:30:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'guest_lookup_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_no', sa.String(length=24), nullable=False),
        sa.Column('failed_at', sa.DateTime(), nullable=False),   # naive UTC, as UTCDateTime stores it
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_guest_lookup_failures_order_time', 'guest_lookup_failures',
                    ['order_no', 'failed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_guest_lookup_failures_order_time', table_name='guest_lookup_failures')
    op.drop_table('guest_lookup_failures')
