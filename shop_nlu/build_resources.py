"""Regenerate the NLU resources from the shop catalogue: ``python -m shop_nlu.build_resources``.

Reads the catalogue from the shop database (``shop.db.catalogue.catalogue_terms`` and
``list_categories``; ``$SHOP_DATABASE_URL`` or var/shop.db) and merges it with the
hand-written ``data/nlu/vocab/catalogue_aliases.yml`` into:

- ``shop_nlu/dict/catalogue_terms.json`` — snapshot of the raw database terms, so the other
  files can be rebuilt (e.g. after editing the aliases) without a database;
- ``shop_nlu/dict/catalogue.json`` — the gazetteer catalogue;
- ``shop_nlu/dict/jieba/user_dict.txt`` — the jieba user dictionary;
- ``data/nlu/generated/lookups.yml`` — lookup tables for Rasa's RegexFeaturizer (brands,
  categories, colours, shop terms; *not* the models).

All of them are committed, so a fresh clone trains without a database. Files are only
rewritten when their content changes, which keeps Rasa's fingerprints (and the trained
model) when nothing changed. When the database is missing or empty, the snapshot is used.

Options: ``--if-changed`` (accepted for the train script; writing only changed files is
always the behaviour), ``--from-snapshot`` (skip the database), ``--database-url URL``,
``--check`` (exit 1 if any file would change; for CI).
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

from shop_nlu import resources
from shop_nlu.gazetteer import Catalogue
from shop_nlu.normalize import match_key
from shop_nlu.vocab import ShopVocabulary

logger = logging.getLogger("shop_nlu.build_resources")

SNAPSHOT_PATH = resources.DICT_DIR / "catalogue_terms.json"
USER_DICT_PATH = resources.JIEBA_DICT_DIR / "user_dict.txt"
USER_WORD_FREQ = 2000
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_HAS_HAN = re.compile(r"[\u4e00-\u9fff]")


# --- reading ----------------------------------------------------------------------------------

def terms_from_database(url: Optional[str] = None) -> Optional[dict]:
    """Raw catalogue terms from the shop database; None when there is none (or it is empty)."""
    try:
        from sqlalchemy import inspect

        from shop.db.catalogue import catalogue_terms, list_categories
        from shop.db.engine import make_engine, session_scope
        from shop import settings
    except ImportError as exc:  # the shop package is not installed here
        logger.warning("shop package not importable (%s)", exc)
        return None
    url = url or settings.database_url()
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        logger.warning("no shop database at %s", url)
        return None
    engine = make_engine(url)
    try:
        if "products" not in inspect(engine).get_table_names():
            logger.warning("shop database at %s is not migrated", url)
            return None
        with session_scope(engine) as session:
            terms = catalogue_terms(session)
            tree = list_categories(session)
    finally:
        engine.dispose()
    if not terms.models:
        logger.warning("shop database at %s has no products", url)
        return None
    parents = {}
    for node in tree:
        if len(node.path_names) >= 2:
            parents[node.name] = node.path_names[-2]
    return {
        "brand_aliases": dict(sorted(terms.brand_aliases.items())),
        "categories": sorted(terms.categories),
        "category_parents": dict(sorted(parents.items())),
        "models": sorted(terms.models),
        "colours": sorted(terms.colours),
    }


def load_aliases(path: Path = resources.ALIASES_PATH) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


# --- merging ----------------------------------------------------------------------------------

def build_catalogue(terms: dict, aliases: dict) -> Catalogue:
    brand_aliases: Dict[str, str] = dict(terms.get("brand_aliases") or {})
    canonical_brands = sorted(set(brand_aliases.values()))
    brands: Dict[str, List[str]] = {b: [] for b in canonical_brands}
    for spelling, brand in brand_aliases.items():
        brands[brand].append(spelling)
    by_key = {match_key(b): b for b in canonical_brands}
    for brand, extra in (aliases.get("brand_spellings") or {}).items():
        target = by_key.get(match_key(str(brand)))
        if target is None:
            logger.warning("catalogue_aliases.yml: brand %r is not in the catalogue; skipped", brand)
            continue
        brands[target].extend(str(e) for e in (extra or []))
    brands = {b: sorted({s.strip() for s in spellings if s and s.strip()} | {b})
              for b, spellings in brands.items()}

    categories: Dict[str, List[str]] = {c: [c] for c in terms.get("categories") or []}
    owner: Dict[str, str] = {match_key(c): c for c in categories}
    for category, words in (aliases.get("category_aliases") or {}).items():
        if category not in categories:
            logger.warning("catalogue_aliases.yml: category %r is not in the catalogue; skipped",
                           category)
            continue
        for word in words or []:
            word = str(word).strip()
            key = match_key(word)
            if not key:
                continue
            if key in owner and owner[key] != category:
                logger.warning("category alias %r of %r already names %r; kept for %r",
                               word, category, owner[key], owner[key])
                continue
            owner[key] = category
            categories[category].append(word)
    categories = {c: sorted(set(words)) for c, words in sorted(categories.items())}

    models = sorted(set(terms.get("models") or []))
    known_models = set(models)
    model_aliases: Dict[str, List[str]] = {}
    for model, nicknames in (aliases.get("model_aliases") or {}).items():
        if str(model) not in known_models:
            logger.warning("catalogue_aliases.yml: model %r is not in the catalogue; skipped", model)
            continue
        model_aliases[str(model)] = sorted({str(n) for n in nicknames or []})

    return Catalogue(
        brands=dict(sorted(brands.items())),
        brand_blocks={str(k): [str(w) for w in (v or [])]
                      for k, v in sorted((aliases.get("brand_blocks") or {}).items()) if v},
        categories=categories,
        category_parents=dict(terms.get("category_parents") or {}),
        models=models,
        colours=sorted(set(terms.get("colours") or [])),
        series=sorted({str(s) for s in aliases.get("series") or []}),
        not_series=sorted({str(s) for s in aliases.get("not_series") or []}),
        weak_brands=sorted({str(s) for s in aliases.get("weak_brand_spellings") or []}),
        model_aliases=model_aliases,
        standalone_series=sorted({str(s) for s in aliases.get("standalone_series") or []}),
    )


def _split_known(chunk: str, known: Iterable[str]) -> List[str]:
    """Pieces of a Chinese run once known words are cut out ("小棕瓶精华液" → 小棕瓶, 精华液)."""
    pieces = [chunk]
    for word in sorted(known, key=len, reverse=True):
        nxt = []
        for piece in pieces:
            if word in piece and piece != word:
                parts = piece.split(word)
                for k, part in enumerate(parts):
                    if part:
                        nxt.append(part)
                    if k < len(parts) - 1:
                        nxt.append(word)
            else:
                nxt.append(piece)
        pieces = nxt
    return pieces


def user_dictionary_words(catalogue: Catalogue, shop_terms: Iterable[str],
                          vocabulary: Optional[ShopVocabulary] = None) -> List[str]:
    known = set()
    for brand, spellings in catalogue.brands.items():
        known.update(s for s in spellings if _HAS_HAN.search(s))
    for category, words in catalogue.categories.items():
        known.update(w for w in words if _HAS_HAN.search(w))
    known.update(c for c in catalogue.colours if _HAS_HAN.search(c))
    known.update(t for t in shop_terms if _HAS_HAN.search(t))
    for nicknames in catalogue.model_aliases.values():
        known.update(n for n in nicknames if _HAS_HAN.search(n) and len(n) <= 6)
    known = {w for w in known if len(w) >= 2 and " " not in w}
    words = set(known)
    for model in catalogue.models:
        for chunk in _HAN_RUN.findall(model):
            for piece in _split_known(chunk, [k for k in known if k in chunk]):
                if 2 <= len(piece) <= 4:
                    words.add(piece)
    return sorted(words)


def render_lookups(catalogue: Catalogue, shop_terms: Iterable[str]) -> str:
    def clean(items: Iterable[str]) -> List[str]:
        out = []
        for item in items:
            item = str(item).strip()
            # one-character and purely numeric entries would fire everywhere
            if len(item) < 2 or item.isdigit():
                continue
            out.append(item)
        return sorted(set(out), key=lambda s: (match_key(s), s))

    brand_words = clean(s for spellings in catalogue.brands.values() for s in spellings
                        if match_key(s) not in {match_key(w) for w in catalogue.weak_brands})
    tables = OrderedDict([
        ("brand", brand_words),
        ("category", clean(w for words in catalogue.categories.values() for w in words)),
        ("color", clean(catalogue.colours)),
        ("shop_term", clean(shop_terms)),
    ])
    out = ["# Generated by `python -m shop_nlu.build_resources` from the shop catalogue and",
           "# data/nlu/vocab/catalogue_aliases.yml. Do not edit; rerun the command instead.",
           "# Lookup tables feed the RegexFeaturizer (features only; entities come from",
           "# shop_nlu.extractor.ShopEntityExtractor). Product models are deliberately absent:",
           "# they are matched by the catalogue gazetteer, whatever their number.",
           'version: "3.1"', "nlu:"]
    for name, items in tables.items():
        out.append(f"- lookup: {name}")
        out.append("  examples: |")
        out.extend(f"    - {item}" for item in items)
    return "\n".join(out) + "\n"


# --- writing ----------------------------------------------------------------------------------

def _write_if_changed(path: Path, content: str, check: bool) -> bool:
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old == content:
        return False
    if not check:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return True


def build(from_snapshot: bool = False, database_url: Optional[str] = None,
          check: bool = False) -> Tuple[List[Path], str]:
    terms = None if from_snapshot else terms_from_database(database_url)
    source = "database"
    if terms is None:
        if not SNAPSHOT_PATH.exists():
            raise SystemExit("no shop database and no snapshot at "
                             f"{SNAPSHOT_PATH}: run `python -m shop.db.bootstrap` first")
        terms = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))
        source = f"snapshot {SNAPSHOT_PATH.relative_to(resources.REPO_ROOT)}"
    aliases = load_aliases()
    catalogue = build_catalogue(terms, aliases)
    shop_terms = [str(t) for t in aliases.get("shop_terms") or []]
    words = user_dictionary_words(catalogue, shop_terms)

    outputs = {
        SNAPSHOT_PATH: json.dumps(terms, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        resources.CATALOGUE_PATH: json.dumps(catalogue.to_dict(), ensure_ascii=False, indent=1) + "\n",
        USER_DICT_PATH: "\n".join(f"{w} {USER_WORD_FREQ}" for w in words) + "\n",
        resources.LOOKUPS_PATH: render_lookups(catalogue, shop_terms),
    }
    changed = [path for path, content in outputs.items() if _write_if_changed(path, content, check)]
    summary = (f"{len(catalogue.brands)} brands, {len(catalogue.categories)} categories, "
               f"{len(catalogue.models)} models, {len(catalogue.colours)} colours, "
               f"{len(words)} dictionary words (from {source})")
    return changed, summary


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--if-changed", action="store_true",
                        help="only rewrite files whose content changes (always the case)")
    parser.add_argument("--from-snapshot", action="store_true",
                        help="use shop_nlu/dict/catalogue_terms.json instead of the database")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a generated file is out of date")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    changed, summary = build(args.from_snapshot, args.database_url, args.check)
    logger.info(summary)
    rel = [str(p.relative_to(resources.REPO_ROOT)) for p in changed]
    if args.check:
        if rel:
            logger.error("out of date: %s", ", ".join(rel))
            return 1
        logger.info("NLU resources are up to date")
        return 0
    logger.info("updated: %s" % ", ".join(rel) if rel else "NLU resources unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
