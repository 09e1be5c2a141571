"""``python -m growth.analyse NAME`` on the command line: with ``planned_units`` in the file it
prints the progress against that plan — the same figures as the console's 实验 page
(``growth.analyse.progress``, one rule) — and says when the plan is reached."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone

import yaml

from growth.analyse import main
from growth.experiments import DEFAULT_PATH
from shop.db.engine import make_engine, session_scope
from shop.db.experiments import Shown, log_exposures
from shop.db.migrate import upgrade_to_head


def _shop(tmp_path, monkeypatch, planned_units, counts=None):
    tmp_path.mkdir(exist_ok=True)
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    now = datetime.now(timezone.utc) - timedelta(hours=1)
    with session_scope(engine) as session:
        for variant, n in (counts or {"hybrid": 30, "popularity": 12}).items():
            for i in range(n):
                log_exposures(session, [Shown("rec_strategy", variant)], f"g:{variant}{i}", None,
                              f"{variant}{i}", [1, 2, 3], now)
    engine.dispose()
    path = tmp_path / "experiments.yml"
    shutil.copy(DEFAULT_PATH, path)
    if planned_units:
        document = yaml.safe_load(path.read_text("utf-8"))
        document["experiments"][0]["planned_units"] = planned_units
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    monkeypatch.setenv("SHOP_DATABASE_URL", url)
    monkeypatch.setenv("SHOP_EXPERIMENTS_PATH", str(path))


def test_the_report_prints_the_progress_against_the_planned_units(tmp_path, monkeypatch, capsys):
    _shop(tmp_path, monkeypatch, 20)
    assert main(["rec_strategy"]) == 0
    out = capsys.readouterr().out
    # content is excluded: not counted; popularity's 12 of 20 decides, 2 × 8 units missing.
    assert ("plan: 20 units per variant; now hybrid 30, popularity 12: smallest variant at 60%, "
            "about 16 units still missing — too early to conclude") in out
    assert main(["rec_strategy", "--json"]) == 0
    progress = json.loads(capsys.readouterr().out)["progress"]
    assert progress["per_variant"] == {"hybrid": 30, "popularity": 12} and progress["missing"] == 16


def test_a_reached_plan_says_so_and_a_broken_split_is_flagged_beside_it(tmp_path, monkeypatch, capsys):
    _shop(tmp_path, monkeypatch, 12)
    assert main(["rec_strategy"]) == 0
    out = capsys.readouterr().out
    assert "plan: 12 units per variant; now hybrid 30, popularity 12: plan reached\n" in out   # 30 : 12 passes
    _shop(tmp_path / "broken", monkeypatch, 10, {"hybrid": 40, "popularity": 10})
    assert main(["rec_strategy"]) == 0
    out = capsys.readouterr().out
    assert "plan: 10 units per variant; now hybrid 40, popularity 10: plan reached  ⚠ but the sample ratio mismatches" in out   # p < 0.001


def test_without_a_plan_there_is_no_progress_line(tmp_path, monkeypatch, capsys):
    _shop(tmp_path, monkeypatch, None)
    assert main(["rec_strategy"]) == 0
    assert "plan:" not in capsys.readouterr().out


def test_the_json_report_carries_the_verdict_the_console_reads(tmp_path, monkeypatch, capsys):
    """``--json`` says whether the report may be acted on (``growth.analyse.verdict``): a
    reached plan with a sound split is conclusive; short of the plan it is too early; a
    broken split or no plan at all is never conclusive, whatever the p-values."""
    def verdict_of(shop_dir, planned_units, counts=None):
        _shop(shop_dir, monkeypatch, planned_units, counts)
        assert main(["rec_strategy", "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["verdict"] in {"no_units", "srm", "no_plan", "too_early", "conclusive"}
        return report["verdict"], report["progress"]

    verdict, plan = verdict_of(tmp_path / "reached", 12)                  # hybrid 30, popularity 12: plan met
    assert verdict == "conclusive" and plan["reached"]
    verdict, plan = verdict_of(tmp_path / "early", 20)                    # popularity 12 of 20
    assert verdict == "too_early" and not plan["reached"]
    assert verdict_of(tmp_path / "unplanned", None) == ("no_plan", None)
    verdict, plan = verdict_of(tmp_path / "broken", 10, {"hybrid": 40, "popularity": 10})
    assert verdict == "srm" and plan["reached"]                          # the plan met does not save a broken split
