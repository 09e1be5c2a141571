"""Experiments (exposures shown, card clicks), orders attributed to the exposure that led to
them, and customer segments (RFM + K-means).

Plain SQLAlchemy types, as in 0001, so this file never changes with application code. The
tables start empty: the recommend flow logs exposures, the shop site's checkout records
clicks and attributions, ``python -m growth.segments`` fills the segments.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'experiment_exposures',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('experiment', sa.String(length=64), nullable=False),
        sa.Column('variant', sa.String(length=64), nullable=False),
        sa.Column('unit', sa.String(length=300), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=True),
        sa.Column('sender_id', sa.String(length=255), nullable=False),
        sa.Column('product_ids', sa.JSON(), nullable=False),
        sa.Column('shown_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_experiment_exposures_customer_id_customers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_experiment_exposures')),
    )
    op.create_index('ix_experiment_exposures_experiment_unit', 'experiment_exposures',
                    ['experiment', 'unit', 'shown_at'], unique=False)
    op.create_index('ix_experiment_exposures_customer', 'experiment_exposures',
                    ['customer_id', 'shown_at'], unique=False)

    op.create_table(
        'recommendation_clicks',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('exposure_id', BIG_ID, nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=True),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('clicked_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['exposure_id'], ['experiment_exposures.id'],
                                name=op.f('fk_recommendation_clicks_exposure_id_experiment_exposures')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_recommendation_clicks_customer_id_customers')),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'],
                                name=op.f('fk_recommendation_clicks_product_id_products')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_clicks')),
    )
    op.create_index(op.f('ix_recommendation_clicks_exposure_id'), 'recommendation_clicks',
                    ['exposure_id'], unique=False)

    op.create_table(
        'order_attributions',
        sa.Column('order_item_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('exposure_id', BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(['order_item_id'], ['order_items.id'],
                                name=op.f('fk_order_attributions_order_item_id_order_items')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_order_attributions_order_id_orders')),
        sa.ForeignKeyConstraint(['exposure_id'], ['experiment_exposures.id'],
                                name=op.f('fk_order_attributions_exposure_id_experiment_exposures')),
        sa.PrimaryKeyConstraint('order_item_id', 'exposure_id', name=op.f('pk_order_attributions')),
    )
    op.create_index(op.f('ix_order_attributions_order_id'), 'order_attributions', ['order_id'], unique=False)
    op.create_index(op.f('ix_order_attributions_exposure_id'), 'order_attributions', ['exposure_id'], unique=False)

    op.create_table(
        'customer_segments',
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('segment', sa.String(length=24), nullable=False),
        sa.Column('label', sa.String(length=24), nullable=False),
        sa.Column('recency_days', sa.Integer(), nullable=True),
        sa.Column('frequency', sa.Integer(), nullable=False),
        sa.Column('monetary_cents', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_customer_segments_customer_id_customers')),
        sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customer_segments')),
    )
    op.create_index('ix_customer_segments_segment', 'customer_segments', ['segment'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_customer_segments_segment', table_name='customer_segments')
    op.drop_table('customer_segments')
    op.drop_index(op.f('ix_order_attributions_exposure_id'), table_name='order_attributions')
    op.drop_index(op.f('ix_order_attributions_order_id'), table_name='order_attributions')
    op.drop_table('order_attributions')
    op.drop_index(op.f('ix_recommendation_clicks_exposure_id'), table_name='recommendation_clicks')
    op.drop_table('recommendation_clicks')
    op.drop_index('ix_experiment_exposures_customer', table_name='experiment_exposures')
    op.drop_index('ix_experiment_exposures_experiment_unit', table_name='experiment_exposures')
    op.drop_table('experiment_exposures')
