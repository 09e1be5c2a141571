"""When the shopper cancelled a waiting hand-off ("取消人工"): a ticket closed that way is
not one an agent took, and the dashboard counts it apart (``handoff_cancelled``).

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 18:30:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('handoff_requests') as batch:
        batch.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('handoff_requests') as batch:
        batch.drop_column('cancelled_at')
