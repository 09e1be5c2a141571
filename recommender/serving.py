"""Per-request logic on a loaded model: personalised / cold-start lists, similar items, reasons.

All entry points take and return *product ids* (the shop's ids), never internal indices.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import numpy as np

from recommender.data import KIND_CODE, PURCHASE
from recommender.model import RecommenderModel
from recommender.neighbours import contributions, row_positions
from recommender.rules import Filters, admission, diversify, membership_keys, reason_text

MAX_LIMIT = 50
POOL_CACHE = 256
ANCHOR_SHARE = 0.5
# "类似这款的": the content neighbours carry most of the weight (it must look like the same kind
# of product); co-purchase evidence orders the look-alikes; popularity breaks ties.
SIMILAR_MIX = {"content": 1.0, "knn": 0.5, "seq": 0.25, "pop": 0.02}


@dataclass(frozen=True)
class Recommendation:
    product_id: object
    title: str
    price: Optional[float]
    image: Optional[str]
    reason: str            # shown to the shopper, e.g. "买过「华为Mate 60」的顾客也买了"
    reason_code: str       # also_bought / also_viewed / similar / similar_to / for_you / category_hot / hot
    score: float
    category: tuple
    brand: str


def _check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive integer, got {limit!r}")
    return min(limit, MAX_LIMIT)


def _card(model: RecommenderModel, item: int, score: float, code: str, anchor: Optional[int]) -> Recommendation:
    cat = model.catalogue
    price = float(cat.prices[item])
    return Recommendation(
        product_id=cat.product_ids[item], title=cat.titles[item], price=None if price != price else price,
        image=cat.images[item], reason=reason_text(code, cat.short_title(anchor) if anchor is not None else None),
        reason_code=code, score=float(score), category=cat.category_paths[item], brand=cat.brands[item],
    )


def _history(model: RecommenderModel, customer_id, recent: Iterable) -> tuple[np.ndarray, np.ndarray]:
    """Stored history plus events of this conversation (``(product_id, kind)`` or bare ids = view)."""
    items, kinds = model.customers.history(customer_id)
    extra_items, extra_kinds = [], []
    for event in recent:
        pid, kind = (event if isinstance(event, tuple) else (event, "view"))
        i = model.catalogue.position(pid)
        if i is not None:
            extra_items.append(i)
            extra_kinds.append(KIND_CODE.get(kind, 0))
    if extra_items:
        items = np.concatenate([items, np.array(extra_items, np.int64)])
        kinds = np.concatenate([kinds, np.array(extra_kinds, np.int8)])
    return items, kinds


def recommend(model: RecommenderModel, customer_id=None, *, filters: Optional[Filters] = None,
              exclude_ids: Iterable = (), recent: Sequence = (), limit: int = 10,
              mix: Optional[dict] = None) -> list[Recommendation]:
    """Top ``limit`` for a shopper (``None`` = guest) under ``filters``.

    - history: what the model knows about ``customer_id`` plus ``recent`` events of this
      conversation; no history at all -> recent popularity (cold start);
    - never returns ``exclude_ids`` (pages already shown: pass them all for "还有别的吗"),
      anything the shopper interacted with before, or anything they bought — except
      consumables, which may be bought again — nor a near-duplicate listing of any of those;
    - filters are hard: nothing outside them is returned, even if that leaves the list short;
    - ``mix``: weights of named signals (e.g. ``{"content": 1.0}`` for content similarity
      only, an experiment's strategy) instead of the tuned blend; each is scaled like the blend.
    """
    limit = _check_limit(limit)
    cat, hybrid = model.catalogue, model.hybrid
    items, kinds = _history(model, customer_id, recent)
    hist_items, hist_w = hybrid.history_weights(items, kinds)
    bought = np.unique(np.concatenate([model.customers.bought(customer_id), items[kinds == PURCHASE]]))
    # Everything touched is excluded (as in the offline protocol) except bought consumables,
    # which come back for the re-purchase.
    touched = np.union1d(items, bought).astype(np.int64)
    rebuy = bought[cat.consumable[bought]] if len(bought) else bought
    excluded = model.with_duplicates(np.union1d(np.setdiff1d(touched, rebuy), cat.positions(exclude_ids)))
    coefs = None if mix is None else {name: w / (hybrid.scales.get(name, 1.0) or 1.0) for name, w in mix.items()}
    ranked, scores = hybrid.rank(hist_items, hist_w, admission(cat, filters, excluded), n=limit * 6,
                                 pool=_pool(model, filters), coefs=coefs)
    picked = diversify(ranked, cat, model.duplicates, limit)
    score_of = dict(zip(ranked.tolist(), scores.tolist()))
    kinds_of = _kinds_by_item(items, kinds)
    has_category = filters is not None and filters.category not in (None, "")
    picked = picked.tolist()
    reasons = _explain(model, hist_items, hist_w, kinds_of, picked, has_category, [score_of[i] for i in picked])
    return [_card(model, i, score_of[i], code, anchor) for i, (code, anchor) in zip(picked, reasons)]


def similar(model: RecommenderModel, product_id, *, filters: Optional[Filters] = None,
            exclude_ids: Iterable = (), limit: int = 10, same_category: bool = True) -> list[Recommendation]:
    """Items like ``product_id`` ("类似这款的"), in its leaf category by default.

    Unknown product -> empty list (the caller falls back to ``recommend``). If the leaf
    category has too few matches, the parent category fills the rest.
    """
    limit = _check_limit(limit)
    cat, hybrid = model.catalogue, model.hybrid
    i = cat.position(product_id)
    if i is None:
        return []
    one = np.array([i], np.int64)
    coefs = {name: SIMILAR_MIX[name] / (hybrid.scales.get(name, 1.0) or 1.0) for name in SIMILAR_MIX}
    path = cat.category_paths[i]
    # The parent category fills up a short leaf, but never the whole catalogue.
    scopes = ([path, path[:-1]] if len(path) > 1 else [path]) if same_category and path else [()]
    picked: list[int] = []
    score_of: dict = {}
    for scope in scopes:
        excluded = model.with_duplicates(np.concatenate([cat.positions(exclude_ids), one,
                                                         np.array(picked, np.int64)]))
        base = admission(cat, filters, excluded)
        in_scope = _path_mask(cat, scope)
        allowed = (lambda idx, base=base, in_scope=in_scope: base(idx) & in_scope[idx])
        pool = _cached_pool(model, ("path", scope), lambda m=in_scope: np.flatnonzero(m)) if scope else None
        ranked, scores = hybrid.rank(one, np.ones(1, np.float32), allowed, n=limit * 6, coefs=coefs, pool=pool)
        score_of.update(zip(ranked.tolist(), scores.tolist()))
        picked += diversify(ranked, cat, model.duplicates, limit - len(picked)).tolist()
        if len(picked) >= limit:
            break
    content = hybrid.matrices.get("content")
    out = []
    for j in picked[:limit]:
        looks_alike = content is not None and contributions(content, one, np.ones(1, np.float32), j)[0] > 0
        out.append(_card(model, j, score_of[j], "similar" if looks_alike else "also_viewed",
                         None if looks_alike else i))
    return out


def _cached_pool(model: RecommenderModel, key: tuple, members) -> np.ndarray:
    pools = model.cache.setdefault("pools", {})
    pool = pools.get(key)
    if pool is None:
        pool = model.hybrid.pop_order_of(members())
        if len(pools) >= POOL_CACHE:
            pools.pop(next(iter(pools)))
        pools[key] = pool
    return pool


def _pool(model: RecommenderModel, filters: Optional[Filters]) -> Optional[np.ndarray]:
    """Popularity-ordered members of the most selective membership filter (None: no such filter)."""
    cat = model.catalogue
    pools = [_cached_pool(model, key, lambda key=key: np.flatnonzero(cat.member_mask(key[0], *key[1:])))
             for key in membership_keys(filters)]
    return min(pools, key=len) if pools else None


def _path_mask(cat, path: tuple) -> np.ndarray:
    """Items whose category path starts with ``path`` (cached: "similar" reuses few scopes)."""
    cache = cat._index.setdefault("path_masks", {})
    m = cache.get(path)
    if m is None:
        m = np.ones(cat.n_items, bool)
        if path:
            m[:] = False
            # A leaf name can repeat under different parents ("配件"): match the whole prefix.
            keep = [j for j in cat.category_members(path[-1]).tolist() if cat.category_paths[j][:len(path)] == path]
            m[keep] = True
        if len(cache) >= 512:
            cache.pop(next(iter(cache)))
        cache[path] = m
    return m


def _kinds_by_item(items: np.ndarray, kinds: np.ndarray) -> dict:
    out: dict = {}
    for i, k in zip(items.tolist(), kinds.tolist()):
        out[i] = max(out.get(i, 0), k)
    return out


def _explain(model: RecommenderModel, hist_items: np.ndarray, hist_w: np.ndarray, kinds_of: dict,
             picked: list, has_category: bool, totals: list) -> list[tuple[str, Optional[int]]]:
    """(reason code, anchor item) per picked item: the component (and, for item-item
    components, the history item) that contributed most to its score.

    A single history item is named only when it carries at least ``ANCHOR_SHARE`` of the
    item's score, and — when the shopper asked for a category — only when it belongs to the
    same top-level category as the item: "推荐个手机" answered with "看过「衬衫」的顾客也在看"
    is true of the data but reads as a non sequitur.

    One gather of the history rows per component, then a pass over the few entries that
    point at a picked item: no per-item scans of the history.
    """
    hybrid = model.hybrid
    best = {i: (None, 0.0, None) for i in picked}
    targets = np.asarray(picked, np.int64)
    if len(hist_items):
        for name in ("seq", "knn", "content"):
            c = hybrid.coef(name)
            m = hybrid.matrices.get(name)
            if not c or m is None:
                continue
            pos, lens = row_positions(m, hist_items)
            hit = np.flatnonzero(np.isin(m.indices[pos], targets))
            if len(hit) == 0:
                continue
            owner = np.repeat(np.arange(len(hist_items)), lens)[hit]
            values = m.data[pos[hit]] * hist_w[owner] * np.float32(c)
            for item, anchor, v in zip(m.indices[pos[hit]].tolist(), hist_items[owner].tolist(), values.tolist()):
                if v > best[item][1]:
                    best[item] = (name, v, anchor)
        fc = hybrid.coef("factor")
        if fc:
            f = fc * hybrid.factor_scores(hist_items, hist_w, targets)
            for item, v in zip(picked, f.tolist()):
                if v > best[item][1]:
                    best[item] = ("factor", v, None)
    out = []
    pop_coef = hybrid.coef("pop")
    for item, total in zip(picked, totals):
        name, value, anchor = best[item]
        pop_part = pop_coef * float(hybrid.pop[item])
        if name is None or pop_part > value:
            out.append((("category_hot" if has_category else "hot"), None))
        elif value < ANCHOR_SHARE * max(total, 1e-12):
            # No one signal dominates: a blend of the shopper's tastes.
            out.append(("for_you", None))
        elif has_category and anchor is not None and \
                model.catalogue.category_paths[anchor][:1] != model.catalogue.category_paths[item][:1]:
            out.append((("category_hot" if pop_part >= 0.2 * total else "for_you"), None))
        elif name == "content":
            out.append(("similar_to", anchor))
        elif name == "factor":
            out.append(("for_you", None))
        else:
            out.append((("also_bought" if kinds_of.get(anchor, 0) == PURCHASE else "also_viewed"), anchor))
    return out
