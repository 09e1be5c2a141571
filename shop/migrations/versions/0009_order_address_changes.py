"""Address changes of orders: a label on saved addresses (家 / 公司, so a shopper can say
"公司那个") and one audit row per change of an order's address snapshot (old and new
address, who and when) — the order keeps only its current snapshot.

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 08:10:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('customer_addresses') as batch:
        batch.add_column(sa.Column('label', sa.String(length=16), nullable=True))
    op.create_table(
        'order_address_changes',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.String(length=16), nullable=False),
        sa.Column('old_address', sa.String(length=400), nullable=False),
        sa.Column('new_address', sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_address_changes_order_id_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_address_changes')),
    )
    op.create_index(op.f('ix_order_address_changes_order_id'), 'order_address_changes', ['order_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_order_address_changes_order_id'), table_name='order_address_changes')
    op.drop_table('order_address_changes')
    with op.batch_alter_table('customer_addresses') as batch:
        batch.drop_column('label')
