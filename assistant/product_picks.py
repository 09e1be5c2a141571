"""Recommendations for the chat: the trained recommender when its artifact exists, the
catalogue's best sellers otherwise, always re-checked against the live catalogue (price,
stock and filters at the moment of asking — the artifact is a snapshot of training time)."""
from __future__ import annotations

import logging
from typing import Any, List, Optional, Tuple

from recommender.service import Filters, ModelUnavailable, get_service
from assistant.recommendation_requests import (
    COLOUR_FACET, RecommendationRequest, size_facet, other_colour_in_stock, popular_matches,
)
from shop.db.catalogue import iter_product_details
from shop.db.records import ProductDetail
from shop.domain.colours import same_colour, shades_answering

logger = logging.getLogger(__name__)

# Ask the model for more than a page: some picks may have sold out since training.
OVERFETCH = 3
# With brands left out ("换个牌子") or a word the title must hold ("卫衣"), which the model's
# filters cannot say: read further.
OVERFETCH_EXCLUDING = 12


def _overfetch(request: RecommendationRequest) -> int:
    return OVERFETCH_EXCLUDING if request.exclude_brands or request.exclude_colours or request.keyword else OVERFETCH


def _filters(request: RecommendationRequest) -> Filters:
    attributes: dict = dict(request.attributes())
    if request.colour:
        # The shop's colour rule, handed to the recommender as the shades it accepts.
        attributes[COLOUR_FACET] = shades_answering(request.colour)
    return Filters(
        category=request.category,
        min_price=request.min_price,
        max_price=request.max_price,
        brand=request.brand,
        attributes=attributes,
    )


def still_matches(product: Optional[ProductDetail], request: RecommendationRequest) -> bool:
    if product is None or not product.is_on_sale or not product.in_stock:
        return False
    price = float(product.price)
    if request.min_price is not None and price < request.min_price:
        return False
    if request.max_price is not None and price > request.max_price:
        return False
    if request.category and request.category not in product.category_path:
        return False
    if request.excludes_brand(product.brand, product.brand_en):
        return False
    if not request.fits_title(product.title):
        return False
    if request.colour:
        # Shoppers name the family (黑色); listings name the shade (雅丹黑, 黑色钛金属).
        shades = {s.attributes.get("颜色") for s in product.skus if s.in_stock} | {product.attributes.get("颜色")}
        if not any(shade and same_colour(request.colour, shade) for shade in shades):
            return False
    if request.size and not any(s.in_stock and s.attributes.get(size_facet(request.size)) == request.size for s in product.skus):
        return False
    if request.exclude_colours and not other_colour_in_stock(product, request.exclude_colours):
        return False        # "不要黑色": a listing sold only in black
    return True


def recommend_for(session, customer_id: Optional[int], request: RecommendationRequest,
                  limit: int, mix: Optional[dict] = None) -> List[Tuple[Any, str]]:
    try:
        service = get_service()
        if request.anchor_product_id is not None:
            picks = service.similar(request.anchor_product_id, filters=_filters(request),
                                    exclude_ids=request.shown, limit=limit * OVERFETCH)
        else:
            picks = service.recommend(customer_id, filters=_filters(request), exclude_ids=request.shown,
                                      limit=limit * _overfetch(request),
                                      mix=mix)
    except ModelUnavailable as unavailable:
        # The real cause (none trained yet, or a corrupt artifact), not a guess.
        logger.warning("recommender unavailable (%s); answering with best sellers", unavailable)
        return popular_matches(session, request, limit)

    chosen: List[Tuple[Any, str]] = []
    reasons = [pick.reason for pick in picks]
    # A page's worth of products per read: most picks still match, so one read usually does.
    details = iter_product_details(session, [int(pick.product_id) for pick in picks], batch=limit)
    for reason, (_, product) in zip(reasons, details):
        if still_matches(product, request) and product.id not in request.shown:
            chosen.append((product, reason))
        if len(chosen) == limit:
            break
    if not chosen and (not request.shown or request.exclude_brands or request.keyword):
        # The model knows nothing that fits (new category, new products): best sellers.
        return popular_matches(session, request, limit)
    return chosen
