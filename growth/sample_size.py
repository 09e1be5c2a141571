"""How many shoppers an experiment needs before it starts:

    python -m growth.sample_size --lift 0.10 --rate 0.05              # a conversion rate of 5 %
    python -m growth.sample_size --lift 0.10 --mean 312.6 --sd 1480   # GMV per shopper (yuan)
        [--alpha 0.05] [--power 0.8] [--variants 2]

Units per variant to detect a relative ``--lift`` (two-sided test, equal split) — for a rate
on Cohen's h, for a mean on the standardised difference; the statistics are
``growth.statistics`` (statsmodels' power solver), the same the report's planner and the
console's planner use. A running experiment's own control figures: ``python -m growth.analyse
NAME --plan-lift 0.10``.
"""
from __future__ import annotations

import argparse
import sys
from typing import Optional

from growth import statistics as st


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Units per variant needed to detect a relative lift.")
    parser.add_argument("--lift", type=float, required=True, help="relative lift, e.g. 0.10 for +10 %%")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--rate", type=float, help="the control's rate (conversion, click-through), 0-1")
    what.add_argument("--mean", type=float, help="the control's mean per unit (e.g. GMV per shopper)")
    parser.add_argument("--sd", type=float, help="the control's standard deviation per unit (with --mean)")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--power", type=float, default=0.8)
    parser.add_argument("--variants", type=int, default=2, help="variants sharing the traffic equally")
    args = parser.parse_args(argv)
    if args.mean is not None and args.sd is None:
        parser.error("--mean needs --sd")
    if not 0 < args.alpha < 1 or not 0 < args.power < 1 or args.variants < 2:
        parser.error("alpha and power lie strictly between 0 and 1; at least two variants")
    try:
        if args.rate is not None:
            units = st.sample_size_for_rate(args.rate, args.lift, args.alpha, args.power)
            basis = f"a rate of {args.rate:.2%}"
        else:
            units = st.sample_size_for_mean(args.mean, args.sd, args.lift, args.alpha, args.power)
            basis = f"a mean of {args.mean:g} (sd {args.sd:g})"
    except ValueError as error:
        parser.error(str(error))
    print(f"to detect a {args.lift:+.1%} lift on {basis} at alpha {args.alpha:g} with power {args.power:.0%}: "
          f"{units} units per variant, {units * args.variants} in all ({args.variants} variants)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
