"""Experiment changes audited: ``experiment_changes``, one row per change an admin makes to
an experiment from the console (stop / start, ramp, exclude / include a variant, the planned
sample size) — who, when, and the settings before and after. The experiment file itself keeps
no history, and the console's log line was the only trace of who stopped an experiment.

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 09:40:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: Union[str, None] = '0017'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'experiment_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('experiment', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('variant', sa.String(length=64), nullable=True),
        sa.Column('before', sa.Text(), nullable=False),
        sa.Column('after', sa.Text(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['console_users.id'],
                                name=op.f('fk_experiment_changes_account_id_console_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_experiment_changes')),
    )
    op.create_index('ix_experiment_changes_experiment', 'experiment_changes', ['experiment', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_experiment_changes_experiment', table_name='experiment_changes')
    op.drop_table('experiment_changes')
