"""Every variable a settings object reads is in README's configuration table, with a default."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SETTINGS_MODULES = ["actions/settings.py", "shop_channels/settings.py", "shop/identity.py", "shop/settings.py",
                    "shop_site/config.py", "console/config.py", "analytics/settings.py", "growth/experiments.py"]
# A quoted name passed to env.get(...) or to the loaders' helpers (_int(env, "X", ...), ...).
READ = re.compile(r'(?:env\.get\(|\(env, |_port\([^,]+, )"([A-Z][A-Z0-9_]+)"')


def variables_read() -> set[str]:
    found = set()
    for module in SETTINGS_MODULES:
        found |= set(READ.findall((REPO / module).read_text(encoding="utf-8")))
    return found


def test_every_setting_is_documented_with_its_default():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("| variable | default | meaning |"):readme.index("### PostgreSQL instead of SQLite")]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    names = variables_read()
    assert len(names) >= 35, sorted(names)      # the pattern still finds the loaders' reads
    missing = [name for name in sorted(names) if not any(f"`{name}`" in row.split("|")[1] for row in rows)]
    assert not missing, f"not in README's configuration table: {missing}"
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 3 and cells[1], f"a row without a default: {row}"
