"""Operator console accounts and sessions; live hand-off (who claimed a ticket, and the
messages exchanged after the hand-off).

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.
``handoff_requests`` gains columns through a batch operation (SQLite rebuilds the table).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'console_users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('display_name', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_console_users')),
        sa.UniqueConstraint('username', name=op.f('uq_console_users_username')),
    )
    op.create_table(
        'console_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['console_users.id'],
                                name=op.f('fk_console_sessions_user_id_console_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_console_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_console_sessions_token_hash')),
    )
    op.create_index(op.f('ix_console_sessions_user_id'), 'console_sessions', ['user_id'], unique=False)

    with op.batch_alter_table('handoff_requests') as batch:
        batch.add_column(sa.Column('assigned_to', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('assigned_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch.create_foreign_key(op.f('fk_handoff_requests_assigned_to_console_users'),
                                 'console_users', ['assigned_to'], ['id'])
        batch.create_index(op.f('ix_handoff_requests_assigned_to'), ['assigned_to'], unique=False)

    op.create_table(
        'handoff_messages',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('author', sa.String(length=16), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['handoff_requests.id'],
                                name=op.f('fk_handoff_messages_ticket_id_handoff_requests')),
        sa.ForeignKeyConstraint(['agent_id'], ['console_users.id'],
                                name=op.f('fk_handoff_messages_agent_id_console_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_messages')),
    )
    op.create_index('ix_handoff_messages_ticket_id', 'handoff_messages', ['ticket_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_handoff_messages_ticket_id', table_name='handoff_messages')
    op.drop_table('handoff_messages')
    with op.batch_alter_table('handoff_requests') as batch:
        batch.drop_index(op.f('ix_handoff_requests_assigned_to'))
        batch.drop_constraint(op.f('fk_handoff_requests_assigned_to_console_users'), type_='foreignkey')
        batch.drop_column('closed_at')
        batch.drop_column('assigned_at')
        batch.drop_column('assigned_to')
    op.drop_index(op.f('ix_console_sessions_user_id'), table_name='console_sessions')
    op.drop_table('console_sessions')
    op.drop_table('console_users')
