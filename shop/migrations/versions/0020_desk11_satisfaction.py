"""Shopper satisfaction (CSAT): ``satisfaction_surveys``, one row per question put to a shopper
after the desk closed their hand-off (with the ticket and the agent who served them) or after
the assistant saw a conversation through to a goodbye; the shopper's score (1-5) and comment
when they answer, or ``skipped``.

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 20:00:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: Union[str, None] = '0019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'satisfaction_surveys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sender_id', sa.String(length=255), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=16), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('score', sa.SmallInteger(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('asked_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_satisfaction_surveys_customer_id_customers')),
        sa.ForeignKeyConstraint(['ticket_id'], ['handoff_requests.id'],
                                name=op.f('fk_satisfaction_surveys_ticket_id_handoff_requests')),
        sa.ForeignKeyConstraint(['agent_id'], ['console_users.id'],
                                name=op.f('fk_satisfaction_surveys_agent_id_console_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_surveys')),
    )
    op.create_index('ix_satisfaction_surveys_sender_asked', 'satisfaction_surveys', ['sender_id', 'asked_at'],
                    unique=False)
    op.create_index('ix_satisfaction_surveys_asked_at', 'satisfaction_surveys', ['asked_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_satisfaction_surveys_asked_at', table_name='satisfaction_surveys')
    op.drop_index('ix_satisfaction_surveys_sender_asked', table_name='satisfaction_surveys')
    op.drop_table('satisfaction_surveys')
