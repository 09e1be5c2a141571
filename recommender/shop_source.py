"""Reading the training data from the shop database (the only module that imports ``shop``).

Uses the data-access contract of ``shop.db``: ``interactions.interaction_rows`` and
``interactions.product_feature_rows``. Two extras the contract rows do not carry yet are read
here directly from the models, read-only: SKU facets (colours live on SKUs, so "要黑色的"
needs them) and the product image reference for the cards. Once ``ProductFeatureRow`` carries
``facets`` / ``image``, ``Catalogue.from_rows`` uses those and these queries can go.
"""
from __future__ import annotations

import logging
from typing import Optional

from recommender.catalogue import Catalogue
from recommender.data import Sequences
from recommender.pipeline import prepare

log = logging.getLogger(__name__)


def load_from_shop(database_url: Optional[str] = None) -> tuple[Sequences, Catalogue]:
    from shop import settings
    from shop.db.engine import make_engine, session_scope
    from shop.db.interactions import interaction_rows, product_feature_rows

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
    """product id -> ({facet name: [values]}, image ref); empty if the tables are absent."""
    try:
        from sqlalchemy import select

        from shop.db.models import Product, ProductFacet
    except ImportError:
        return {}
    out: dict = {}
    try:
        for pid, name, value in session.execute(select(ProductFacet.product_id, ProductFacet.name,
                                                       ProductFacet.value)):
            facets = out.setdefault(pid, ({}, None))[0]
            facets.setdefault(name, []).append(value)
        for pid, image in session.execute(select(Product.id, Product.image_ref)):
            facets = out.get(pid, ({}, None))[0]
            out[pid] = (facets, image)
    except Exception:  # a schema without these columns: features work without them
        log.warning("facets / images not readable; colour filters and card images will be missing",
                    exc_info=True)
        session.rollback()
    return out
