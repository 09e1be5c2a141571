"""数据分析's sales by strategy: the console names each variant's recommendation strategy from
the experiment file (analytics reads no experiment file) and adds the variants up per
strategy; a variant that changes something else, or one no longer in the file, has none."""

from __future__ import annotations

from analytics import dashboard
from console.analytics_pages import label_strategies
from growth.experiments import parse_plan

PLAN = parse_plan(
    {
        "experiments": [
            {
                "name": "rec_strategy",
                "status": "running",
                "variants": [
                    {"name": "hybrid", "weight": 1, "strategy": "hybrid"},
                    {"name": "popular", "weight": 1, "strategy": "popularity"},
                    {"name": "hot2", "weight": 1, "strategy": "popularity"},
                ],
            },
            {
                "name": "winback",
                "status": "stopped",
                "variants": [{"name": "control", "weight": 1}, {"name": "coupon", "weight": 1, "cards": 3}],
            },
        ]
    }
)


def _row(experiment, variant, displays, clicks, items, orders, cents):
    return {
        "experiment": experiment,
        "variant": variant,
        "displays": displays,
        "clicks": clicks,
        "ordered_items": items,
        "orders": orders,
        "gmv_cents": cents,
        "gmv_yuan": cents / 100,
    }


def test_variants_are_named_by_strategy_and_added_up_per_strategy():
    data = {
        "sales_by_variant": [
            _row("rec_strategy", "hybrid", 10, 3, 2, 2, 12000),
            _row("rec_strategy", "popular", 8, 2, 1, 1, 5000),
            _row("rec_strategy", "hot2", 4, 1, 1, 1, 9900),
            _row("rec_strategy", "gone", 1, 0, 0, 0, 0),
            _row("winback", "coupon", 5, 1, 1, 1, 3000),
        ]
    }
    label_strategies(data, PLAN)
    assert [r["strategy"] for r in data["sales_by_variant"]] == ["hybrid", "popularity", "popularity", None, None]
    assert [
        (r["strategy"], r["displays"], r["clicks"], r["orders"], r["gmv_yuan"]) for r in data["sales_by_strategy"]
    ] == [("popularity", 12, 3, 2, 149.0), ("hybrid", 10, 3, 2, 120.0)]
    # No experiment file (or none readable): nothing is named, nothing is added up.
    bare = {"sales_by_variant": [_row("rec_strategy", "hybrid", 1, 0, 0, 0, 0)]}
    label_strategies(bare, None)
    assert bare["sales_by_variant"][0]["strategy"] is None and bare["sales_by_strategy"] == []


def test_the_csv_carries_the_strategies():
    data = {
        "period": {"first": "2026-12-01", "last": "2026-12-01"},
        "latency_ms": {},
        "per_day": [],
        "intents": {"names": [], "per_day": []},
        "by_intent": [],
        "not_understood": [],
        "unresolved": [],
        **{name: 0 for name in dashboard.SUMMARY_FIELDS},
        "funnel": {},
        "after_sales_by_reason": [],
        "return_rate_by_product": [],
        "desk": {"closed": 0, "closed_with_resolution": 0, "resolution_rate": None, "by_resolution": []},
        "desk_transfers": {
            "transfers": 0,
            "to_agent": 0,
            "to_queue": 0,
            "closed": 0,
            "closed_transfers": 0,
            "transferred_tickets": 0,
            "transfers_per_ticket": None,
            "by_count": [],
        },
        "desk_waits": {},
        "desk_agents": [],
        "sales_by_variant": [_row("rec_strategy", "hybrid", 10, 3, 2, 2, 12000)],
    }
    label_strategies(data, PLAN)
    csv_text = dashboard.to_csv(data)
    assert "sales_by_strategy,rec_strategy/hybrid,gmv_yuan,120.0" in csv_text
    assert "sales_by_variant,rec_strategy/hybrid,displays,10" in csv_text
