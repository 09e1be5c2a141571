"""Hand-off transfers: an agent passes a conversation they hold to another agent on duty, or
back to the queue, with a note for whoever takes it (``shop.db.handoff_desk.transfer_ticket``).
One row per transfer: the ticket's history for the next agent, and what 数据分析 counts
(transfers per ticket). ``to_agent_id`` NULL: back to the queue.

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 02:30:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: Union[str, None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'handoff_transfers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('from_agent_id', sa.Integer(), nullable=False),
        sa.Column('to_agent_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['handoff_requests.id'],
                                name=op.f('fk_handoff_transfers_ticket_id_handoff_requests')),
        sa.ForeignKeyConstraint(['from_agent_id'], ['console_users.id'],
                                name=op.f('fk_handoff_transfers_from_agent_id_console_users')),
        sa.ForeignKeyConstraint(['to_agent_id'], ['console_users.id'],
                                name=op.f('fk_handoff_transfers_to_agent_id_console_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_transfers')),
    )
    op.create_index('ix_handoff_transfers_ticket_id', 'handoff_transfers', ['ticket_id', 'id'], unique=False)
    op.create_index('ix_handoff_transfers_created_at', 'handoff_transfers', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_handoff_transfers_created_at', table_name='handoff_transfers')
    op.drop_index('ix_handoff_transfers_ticket_id', table_name='handoff_transfers')
    op.drop_table('handoff_transfers')
