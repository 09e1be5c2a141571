"""One recommendation click per exposure and product: a unique index on
recommendation_clicks (exposure_id, product_id). Before, every POST of
/api/recommendation-clicks added a row, so a script posting the same click in a loop grew the
table without bound and inflated an experiment's clicks per exposure (guest exposures can be
clicked by anyone who names their id). Repeats already stored are removed first (the
earliest click of each card is kept).

Plain SQLAlchemy types, as in 0001, so this file never changes with application code.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 09:10:00
"""

from typing import Sequence, Union

from alembic import op

revision: str = '0016'
down_revision: Union[str, None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM recommendation_clicks WHERE id NOT IN ("
        " SELECT keep FROM (SELECT min(id) AS keep FROM recommendation_clicks"
        " GROUP BY exposure_id, product_id) AS earliest)"
    )
    op.create_index('uq_recommendation_clicks_exposure_product', 'recommendation_clicks',
                    ['exposure_id', 'product_id'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_recommendation_clicks_exposure_product', table_name='recommendation_clicks')
