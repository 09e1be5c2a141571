"""Hand edits of the experiment file audited: ``experiment_file_states`` keeps the file as it
was last recorded (its SHA-256 and each experiment's settings), so the console can tell, when
it loads the file, that someone edited it by hand since — and record that edit in
``experiment_changes`` as a change by 文件, with the settings before and after. Such a row has
no account: ``experiment_changes.account_id`` becomes nullable (NULL: the file itself).

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 12:10:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: Union[str, None] = '0018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'experiment_file_states',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('settings', sa.Text(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_experiment_file_states')),
    )
    with op.batch_alter_table('experiment_changes') as batch:
        batch.alter_column('account_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM experiment_changes WHERE account_id IS NULL")
    with op.batch_alter_table('experiment_changes') as batch:
        batch.alter_column('account_id', existing_type=sa.Integer(), nullable=False)
    op.drop_table('experiment_file_states')
