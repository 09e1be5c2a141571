"""Training the recommender from the shop database (the application layer fills the
recommender's ``TrainingSource`` interface; ``recommender/`` never imports ``shop``).

    python -m assistant.recommender_training [--database-url URL] [--out DIR] [--reuse-blend | --no-tune]

Uses the data-access contract of ``shop.db``: ``interactions.interaction_rows``,
``interactions.product_feature_rows`` and ``interactions.product_extras`` (SKU facets and the
product image, which ``ProductFeatureRow`` does not carry yet).
"""
from __future__ import annotations

import logging
import os
import sys
from typing import Optional, Sequence

from recommender import train
from recommender.catalogue import Catalogue
from recommender.data import Sequences
from recommender.pipeline import prepare
from shop import settings
from shop.settings import recommender_model_dir
from shop.db.engine import make_engine, session_scope
from shop.db.interactions import interaction_rows, product_extras, product_feature_rows

log = logging.getLogger(__name__)


def load_from_shop(database_url: Optional[str] = None) -> tuple[Sequences, Catalogue]:
    engine = make_engine(database_url or settings.database_url())
    try:
        with session_scope(engine) as session:
            extras = _extras(session)
            rows = []
            for row in product_feature_rows(session):
                doc = {name: getattr(row, name) for name in row.__slots__} if hasattr(row, "__slots__") \
                    else dict(vars(row))
                facets, image = extras.get(row.id, ({}, None))
                doc.setdefault("facets", facets)
                if not doc.get("image"):
                    doc["image"] = image
                rows.append(doc)
            seqs, catalogue = prepare(rows, interaction_rows(session))
    finally:
        engine.dispose()
    return seqs, catalogue


def _extras(session) -> dict:
    try:
        return product_extras(session)
    except Exception:  # a schema without these columns: features work without them
        log.warning("facets / images not readable; colour filters and card images will be missing",
                    exc_info=True)
        session.rollback()
        return {}


def main(argv: Optional[Sequence[str]] = None) -> int:
    return train.main(argv, source=load_from_shop, default_out=str(recommender_model_dir(os.environ)))


if __name__ == "__main__":
    sys.exit(main())
