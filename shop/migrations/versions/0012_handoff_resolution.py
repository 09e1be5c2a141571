"""How an agent ended a hand-off (``handoff_requests.resolution``: resolved, follow_up, …;
``shop.domain.handoff_resolutions``), asked when they close it and counted on the dashboard.
NULL for tickets closed before, and for ones the shopper cancelled.

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 23:30:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('handoff_requests') as batch:
        batch.add_column(sa.Column('resolution', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('handoff_requests') as batch:
        batch.drop_column('resolution')
