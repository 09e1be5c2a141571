"""Failed guest look-ups also counted per client: the client's tag (a keyed hash of its
address, shop.identity.client_tag), so one client trying many order numbers from many
conversations is stopped (shop.domain.privacy.GUEST_LOOKUP_MAX_CLIENT_FAILURES).

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 05:30:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: Union[str, None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('guest_lookup_failures') as batch:
        batch.add_column(sa.Column('client', sa.String(length=32), nullable=True))
    op.create_index(
        'ix_guest_lookup_failures_client_time', 'guest_lookup_failures', ['client', 'failed_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_guest_lookup_failures_client_time', table_name='guest_lookup_failures')
    with op.batch_alter_table('guest_lookup_failures') as batch:
        batch.drop_column('client')
