"""Service points by city (with the categories they repair) and installation fees by category.

Plain SQLAlchemy types, as in 0001, so this file never changes with application code. The
tables start empty: ``shop.seed`` fills them for the demo shop (and ``shop.db.bootstrap``
tops up a demo database seeded before this revision); a real shop enters its own.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'service_points',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('province', sa.String(length=16), nullable=False),
        sa.Column('city', sa.String(length=32), nullable=False),
        sa.Column('district', sa.String(length=32), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('opening_hours', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_points')),
    )
    op.create_index('ix_service_points_city', 'service_points', ['city'], unique=False)

    op.create_table(
        'service_point_categories',
        sa.Column('service_point_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'],
                                name=op.f('fk_service_point_categories_service_point_id_service_points')),
        sa.ForeignKeyConstraint(['category_id'], ['categories.id'],
                                name=op.f('fk_service_point_categories_category_id_categories')),
        sa.PrimaryKeyConstraint('service_point_id', 'category_id', name=op.f('pk_service_point_categories')),
    )
    op.create_index(op.f('ix_service_point_categories_category_id'), 'service_point_categories',
                    ['category_id'], unique=False)

    op.create_table(
        'installation_fees',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('fee_cents', sa.Integer(), nullable=False),
        sa.Column('included', sa.String(length=200), nullable=False),
        sa.Column('extra_charges', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['category_id'], ['categories.id'],
                                name=op.f('fk_installation_fees_category_id_categories')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_installation_fees')),
        sa.UniqueConstraint('category_id', name=op.f('uq_installation_fees_category_id')),
    )


def downgrade() -> None:
    op.drop_table('installation_fees')
    op.drop_index(op.f('ix_service_point_categories_category_id'), table_name='service_point_categories')
    op.drop_table('service_point_categories')
    op.drop_index('ix_service_points_city', table_name='service_points')
    op.drop_table('service_points')
