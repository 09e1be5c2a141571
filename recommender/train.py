"""Retrain from a training source and publish a new artifact.

The shop's entry point is ``python -m assistant.recommender_training`` (it passes the shop
database as the ``source``; this package never imports ``shop``):

    python -m assistant.recommender_training                  # $SHOP_DATABASE_URL or var/shop.db
    python -m assistant.recommender_training --database-url sqlite:////tmp/shop.db --out /tmp/models
    python -m assistant.recommender_training --reuse-blend    # the latest artifact's blend, no search
    python -m assistant.recommender_training --no-tune        # the default blend, no search

Writes ``<out>/rec-<UTC time>-<hash>/`` and then points ``<out>/latest`` at it; running
services pick it up at their next check.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from dataclasses import replace
from typing import Callable, Optional, Sequence

from recommender import artifact
from recommender.hybrid import Blend
from recommender.pipeline import FitParams, FitReport, fit_model
from recommender.catalogue import Catalogue
from recommender.data import Sequences

# The interface the application layer fills: database URL (None = its default) -> training data.
TrainingSource = Callable[[Optional[str]], tuple[Sequences, Catalogue]]


def main(argv: Optional[Sequence[str]], source: TrainingSource, default_out: Optional[str] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.recommender_training", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: $SHOP_DATABASE_URL or var/shop.db)")
    parser.add_argument("--out", default=default_out,
                        help=f"artifact root (default: {default_out or artifact.default_root()})")
    parser.add_argument("--no-tune", action="store_true", help="skip the validation search; default blend")
    parser.add_argument("--reuse-blend", action="store_true",
                        help="skip the search and keep the blend of the current latest artifact (if any)")
    parser.add_argument("--keep", type=int, default=3, help="versions to keep (default 3)")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    log = logging.getLogger("assistant.recommender_training")

    t0 = time.perf_counter()
    seqs, catalogue = source(args.database_url)
    load_s = time.perf_counter() - t0
    log.info("loaded %d customers, %d products (%d on sale), %d steps in %.1fs", seqs.n_users, seqs.n_items,
             int(catalogue.available.sum()), len(seqs.items), load_s)
    if int(catalogue.available.sum()) == 0:
        log.error("no products on sale in the database; seed it first (python -m shop.seed)")
        return 1
    params = replace(FitParams(), tune=not args.no_tune)
    blend = None
    if args.reuse_blend:
        previous = artifact.latest_version(args.out)
        if previous is not None:
            blend = Blend.from_json(json.loads((previous / "meta.json").read_text(encoding="utf-8"))["blend"])
            log.info("reusing the blend of %s: %s", previous.name, blend.to_json())
        else:
            log.info("no previous artifact: tuning the blend")
    report = FitReport()
    model = fit_model(seqs, catalogue, params, report, blend)
    report.seconds["load"] = round(load_s, 3)
    path = artifact.save(model, args.out, keep=args.keep)
    summary = {"artifact": str(path), "seconds": report.seconds, "tuning": report.tuning}
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0

