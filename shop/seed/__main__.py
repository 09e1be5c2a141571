"""Command line: ``python -m shop.seed --profile small|default|medium|large --seed N``."""
from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

from shop import settings
from shop.db.engine import make_engine
from shop.db.migrate import reset_database, upgrade_to_head
from shop.domain.clock import CHINA_TZ
from shop.seed.profiles import PROFILES
from shop.seed.runner import SeedError, anchor_for_day, seed_database


def parse_anchor(value: str) -> datetime:
    """A day (2024-06-01, meaning midnight China time) or an ISO datetime with offset."""
    try:
        if len(value) == 10:
            return anchor_for_day(date.fromisoformat(value))
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date or ISO datetime: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop.seed", description=__doc__)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="default")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: $SHOP_DATABASE_URL)")
    parser.add_argument("--anchor", type=parse_anchor, default=None,
                        help="the data's 'now' (default: today 00:00 China time)")
    parser.add_argument("--reset", action="store_true", help="drop all shop data first (asks no questions)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    url = args.database_url or settings.database_url()
    engine = make_engine(url)
    try:
        if args.reset:
            reset_database(engine)
            print("emptied the shop database")
        before, after = upgrade_to_head(engine)
        if before != after:
            print(f"migrated {before or 'empty database'} -> {after}")
        report = seed_database(engine, args.profile, args.seed, args.anchor, progress=not args.no_progress)
    except SeedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
