"""``python -m shop_nlu.improve`` — the operator's NLU improvement loop (see README,
"Improving the NLU from real conversations").

    make improve                                   # review in the terminal
    python -m shop_nlu.improve --list --days 7     # just list the last week's groups
    python -m shop_nlu.improve --export review.yml --since 2026-12-01
    python -m shop_nlu.improve --apply review.yml  # then: make train
    python -m shop_nlu.improve --json              # for the operator console

The store is the one in the endpoints file (``$RASA_ENDPOINTS``, default ``endpoints.yml``),
with the server's variables (``source scripts/env.sh``, which ``make improve`` does).
Exit status: 0 done, 1 the store, a file or a review could not be used (nothing written),
2 bad arguments.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import List, Optional, Sequence

# Quiet imports: TensorFlow (pulled in by Rasa) and SQLAlchemy's 2.0 notice say nothing useful
# to an operator, and only what this command prints should reach the terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
warnings.filterwarnings("ignore", category=DeprecationWarning)

from shop_nlu.improve import conversations, grouping, review  # noqa: E402
from shop_nlu.improve.training_files import TrainingFileError, TrainingFiles  # noqa: E402
from shop_nlu.resources import REPO_ROOT  # noqa: E402
from shop.settings import rasa_endpoints_path  # noqa: E402



def _moment(value: str, end_of_day: bool) -> float:
    """A date (whole day, local time) or an ISO date-time, as a Unix timestamp."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, datetime.min.time())
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date (2026-12-01) or a date-time (2026-12-01T09:30)") from None
    return moment.timestamp()


def _fraction(value: str) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return number


def _reasons(value: str) -> List[str]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [name for name in names if name not in conversations.REASONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"reasons are a comma-separated subset of {','.join(conversations.REASONS)}")
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m shop_nlu.improve",
        description="List the shoppers' messages the assistant did not understand, grouped, "
                    "and add the operator's choices to data/nlu/ as training examples.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true", help="print the groups and stop (the default when not in a terminal)")
    mode.add_argument("--interactive", action="store_true", help="review in the terminal (the default in a terminal)")
    mode.add_argument("--export", metavar="FILE", type=Path, help="write a review file for the operator to fill in")
    mode.add_argument("--apply", metavar="FILE", type=Path, help="append the examples a filled-in review file assigns")
    parser.add_argument("--json", action="store_true", help="machine-readable output (listing, or what --apply did)")

    period = parser.add_argument_group("which messages")
    period.add_argument("--since", type=lambda v: _moment(v, False), help="from this date / date-time (local time)")
    period.add_argument("--until", type=lambda v: _moment(v, True), help="up to this date (inclusive) / date-time")
    period.add_argument("--days", type=int, help="the last N days (instead of --since)")
    period.add_argument("--min-confidence", type=_fraction, default=conversations.DEFAULT_MIN_CONFIDENCE,
                        help="also list answered messages whose top intent scored below this "
                             "(default %(default)s; 0 turns it off)")
    period.add_argument("--reasons", type=_reasons, default=list(conversations.REASONS),
                        help="which to list (default all): " + ",".join(conversations.REASONS))
    period.add_argument("--limit", type=int, help="only the N most recent listed messages")

    shown = parser.add_argument_group("grouping and display")
    shown.add_argument("--similarity", type=_fraction, default=grouping.DEFAULT_SIMILARITY,
                       help="how alike messages must be to share a group (default %(default)s)")
    shown.add_argument("--examples", type=int, default=8, help="messages shown per group (default %(default)s)")

    where = parser.add_argument_group("files")
    where.add_argument("--endpoints", type=Path,
                       default=rasa_endpoints_path(os.environ),
                       help="endpoints file naming the tracker store (default $RASA_ENDPOINTS or endpoints.yml)")
    where.add_argument("--domain", type=Path, default=REPO_ROOT / "domain.yml")
    where.add_argument("--data-dir", type=Path, default=REPO_ROOT / "data" / "nlu",
                       help="where the <intent>.yml training files are (default data/nlu)")
    where.add_argument("--no-annotate", action="store_true",
                       help="write plain text, without the extractor's entity annotations")
    where.add_argument("--dry-run", action="store_true", help="show what would be appended, write nothing")
    where.add_argument("--yes", action="store_true", help="do not ask before writing (interactive review)")
    return parser


def _intents(domain, files: TrainingFiles) -> List[str]:
    """The intents an operator can assign: the domain's, without Rasa's built-in ones
    (restart, back, session_start, nlu_fallback) unless the project trains them
    (out_of_scope)."""
    from rasa.shared.core.constants import DEFAULT_INTENTS

    trained = set(files.known().values())
    return [intent for intent in domain.intents
            if intent != "nlu_fallback" and (intent not in DEFAULT_INTENTS or intent in trained)]


def _training_files(args, writes: bool) -> TrainingFiles:
    finder = None
    if writes and not args.no_annotate:  # the extractor takes seconds to load: only to write
        from shop_nlu.pipeline import ShopEntityFinder

        finder = ShopEntityFinder.from_files()
    return TrainingFiles(args.data_dir, finder)


def _listing(args, domain, files: TrainingFiles) -> dict:
    reading = conversations.read_candidates(
        args.endpoints, domain, since=args.since, until=args.until,
        min_confidence=args.min_confidence, reasons=args.reasons)
    candidates = reading.candidates
    if args.limit is not None:
        candidates = candidates[-args.limit:] if args.limit > 0 else []
    groups = grouping.group_candidates(candidates, args.similarity, background=files.texts())
    when = lambda moment: datetime.fromtimestamp(moment).isoformat(timespec="minutes") if moment else None  # noqa: E731
    summary = {
        "store": reading.store,
        "since": when(args.since), "until": when(args.until),
        "min_confidence": args.min_confidence, "reasons": list(args.reasons),
        "similarity": args.similarity,
        "conversations_read": reading.conversations_read,
        "user_messages_in_range": reading.user_messages_in_range,
        "messages_listed": len(candidates),
        "created": datetime.now().isoformat(timespec="seconds"),
    }
    return review.listing(groups, files.known(), summary)


def _write(args, files: TrainingFiles, decisions, confirm, shown: bool = False) -> int:
    plan = files.plan(decisions)
    written = False
    if plan.count and not args.dry_run and confirm(plan):
        files.write(plan, datetime.now())
        written = True
    if args.json:
        print(review.dumps(review.plan_dict(plan, files.path_for, written)))
    else:
        if (plan.additions or plan.duplicates or plan.rejected) and not shown:
            print(review.plan_text(plan, files.path_for))
        if written:
            print(f"Added {plan.count} example(s). Retrain with `make train`.")
        elif plan.count:
            print("Nothing written" + (" (--dry-run)." if args.dry_run else "."))
        else:
            print("No examples to add.")
    return 0


def run(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.days is not None:
        if args.since is not None or args.days < 0:
            parser.error("--days needs a positive number and replaces --since")
        args.since = (datetime.now() - timedelta(days=args.days)).timestamp()
    interactive = args.interactive or not (args.list or args.export or args.apply or args.json) and sys.stdin.isatty() and sys.stdout.isatty()
    if interactive and args.json:
        parser.error("--json does not go with the terminal review (use --list, --export or --apply)")

    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(args.domain))
    files = _training_files(args, writes=bool(args.apply) or interactive)
    intents = _intents(domain, files)

    if args.apply:
        decisions = review.decisions_from_file(args.apply, intents)
        return _write(args, files, decisions, confirm=lambda plan: True)

    data = _listing(args, domain, files)
    if args.export:
        review.export(args.export, data, intents)
        if args.json:
            print(review.dumps({"exported": str(args.export), "groups": len(data["groups"]),
                                "messages_listed": data["messages_listed"]}))
        else:
            print(f"Wrote {len(data['groups'])} group(s) ({data['messages_listed']} message(s)) to "
                  f"{args.export}. Fill in the intents, then: python -m shop_nlu.improve --apply {args.export}")
        return 0
    if not interactive:
        print(review.dumps(data) if args.json else review.listing_text(data, args.examples), end="" if not args.json else "\n")
        return 0

    print(review.summary_text(data))
    if not data["groups"]:
        print("Nothing to review.")
        return 0
    decisions = review.review_interactively(data, intents, args.examples)

    def confirm(plan) -> bool:
        print("\n" + review.plan_text(plan, files.path_for))
        if args.yes:
            return True
        try:
            return input(f"Append {plan.count} example(s)? [y/N] ").strip().lower() in ("y", "yes")
        except EOFError:
            return False

    return _write(args, files, decisions, confirm, shown=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        with warnings.catch_warnings(record=True):
            # Rasa warns about its own deprecations (and libraries add warning filters of
            # their own while importing): none of it is the operator's business.
            return run(argv)
    except (conversations.StoreError, review.ReviewError, TrainingFileError, grouping.TooManyMessages) as error:
        print(f"shop_nlu.improve: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopped; nothing written.", file=sys.stderr)
        return 1
