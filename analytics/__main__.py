"""python -m analytics sync | consume-rabbitmq | report

  sync               apply new rows of the SQL event broker (embedded setup) to the tables, and
                     copy the desk's tickets and transfers from the shop database (analytics/desk.py)
  backfill-cancels   count hand-offs cancelled before the event existed (idempotent;
                     analytics/backfill.py)
  consume-rabbitmq   consume the RabbitMQ queue the Pika broker publishes to (scale-out)
  report             print the dashboard figures for a period (--csv or JSON)
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date, datetime, timedelta

from analytics import store
from analytics.settings import AnalyticsSettings, load_settings
from shop.settings import ConfigError


def _engine(settings: AnalyticsSettings):
    from shop.db.engine import make_engine

    engine = make_engine(settings.db_url)
    store.create_tables(engine)
    return engine


def _backfill_cancels(engine, settings: AnalyticsSettings) -> int:
    from analytics.backfill import backfill_cancels
    from shop.db.engine import session_scope
    from shop.db.handoff_desk import cancelled_tickets

    if not settings.uses_rabbitmq:
        # Everything the gate published counted first, so no cancel is taken for a missing one.
        from analytics.sql_source import broker_engine, sync

        sync(engine, broker_engine(settings.events_db_path), zone=settings.timezone)
    with session_scope() as session:
        tickets = cancelled_tickets(session)
    result = backfill_cancels(engine, tickets, settings.timezone)
    # What changed in the figures, then what was only recorded, then what was there already.
    print(f"{result.counted} cancelled hand-offs counted now ({result.moved} conversations moved from handed off "
          f"to cancelled); {result.unchanged} recorded without changing any figure (a conversation the analytics "
          f"never saw, or no hand-off left to cancel); {result.tickets - result.applied} of {result.tickets} "
          f"cancelled tickets were recorded already")
    return 0


def main(argv=None) -> int:
    try:
        settings = load_settings()
    except ConfigError as error:
        sys.exit(f"analytics: {error}")
    parser = argparse.ArgumentParser(prog="python -m analytics", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sync")
    commands.add_parser("backfill-cancels")
    rabbit = commands.add_parser("consume-rabbitmq")
    rabbit.add_argument("--url", default=settings.rabbitmq_url)
    rabbit.add_argument("--queue", default=settings.queue)
    report = commands.add_parser("report")
    report.add_argument("--from", dest="first", type=date.fromisoformat)
    report.add_argument("--to", dest="last", type=date.fromisoformat)
    report.add_argument("--csv", action="store_true")
    report.add_argument("--no-sync", action="store_true", help="do not read the SQL broker first")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    engine = _engine(settings)
    if args.command == "sync":
        from analytics.sql_source import broker_engine, sync

        from analytics.desk import sync_desk
        from shop.db.engine import session_scope

        print(f"{sync(engine, broker_engine(settings.events_db_path), zone=settings.timezone)} new events applied")
        tickets, transfers = sync_desk(engine, session_scope, settings.timezone)
        print(f"desk: {tickets} tickets and {transfers} transfers copied from the shop database")
        return 0
    if args.command == "backfill-cancels":
        return _backfill_cancels(engine, settings)
    if args.command == "consume-rabbitmq":
        from analytics.rabbit import run

        try:
            run(engine, args.url, args.queue, settings.timezone)
        except ConnectionError as error:
            sys.exit(f"analytics: {error}")
        return 0
    from analytics import dashboard
    from shop.db.engine import session_scope

    if not args.no_sync and not settings.uses_rabbitmq:
        from analytics.sql_source import broker_engine, sync

        sync(engine, broker_engine(settings.events_db_path), zone=settings.timezone)
    last = args.last or datetime.now(settings.timezone).date()
    first = args.first or last - timedelta(days=6)
    data = dashboard.build(engine, session_scope, first, last, settings.timezone)
    sys.stdout.write(dashboard.to_csv(data) if args.csv else json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
