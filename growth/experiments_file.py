"""Changing the experiment file from the operator console: stop / start an experiment, ramp
it, exclude or re-include a variant.

Each change is one small edit of ``content/experiments.yml`` (``SHOP_EXPERIMENTS_PATH``),
made round-trip with ruamel.yaml so the operators' comments and layout stay. The edited
document must pass the same parser the action server uses — strictly: every experiment and
offer valid, none silently dropped — before anything is written; then it replaces the file
atomically (a temporary file in the same folder, flushed to disk, ``os.replace``), so the
action server, which re-reads the file when it changes, never sees half a file. No deploy.
"""
from __future__ import annotations

import io
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, Mapping, Optional

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq

from growth.experiments import ExperimentError, Plan, _offer, parse_experiment

ACTIONS = ("stop", "start", "ramp", "exclude", "include", "plan")
_write_lock = threading.Lock()   # one console process: edits never interleave


def _yaml() -> YAML:
    yaml = YAML()   # round-trip: comments, order and flow style survive
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)   # the layout content/experiments.yml uses
    return yaml


def _set(entry, key: str, value, after: str = "status") -> None:
    """Set ``key``, placing a new key after ``after`` (where an operator would look for it)."""
    if key in entry or not hasattr(entry, "insert"):
        entry[key] = value
    else:
        keys = list(entry)
        entry.insert(keys.index(after) + 1 if after in keys else len(keys), key, value)


def _flow_list(items):
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()   # excluded: [a, b] as the file writes it
    return seq


def validate_document(document: Any) -> Plan:
    """The plan of a whole document, refusing (ExperimentError) anything the action server
    would drop or guess at — an edit from the console must never make an experiment vanish."""
    if not isinstance(document, Mapping):
        raise ExperimentError("the experiment file must be a mapping with experiments: and offers:")
    offers = {}
    for name, raw in (document.get("offers") or {}).items():
        offers[str(name)] = _offer(str(name), raw)
    experiments, seen = [], set()
    for raw in document.get("experiments") or []:
        if not isinstance(raw, Mapping):
            raise ExperimentError("every experiment must be a mapping")
        try:
            experiment = parse_experiment(raw, offers)
        except (TypeError, ValueError) as error:
            raise ExperimentError(str(error)) from error
        if experiment.name in seen:
            raise ExperimentError(f"experiment {experiment.name!r} is defined twice")
        seen.add(experiment.name)
        experiments.append(experiment)
    return Plan(tuple(experiments), offers)


def _apply(document: Any, name: str, action: str, variant: Optional[str], ramp: Optional[float],
           planned_units: Optional[int] = None) -> None:
    entry = next((e for e in (document.get("experiments") or [])
                  if isinstance(e, Mapping) and e.get("name") == name), None)
    if entry is None:
        raise ExperimentError(f"no experiment named {name!r}")
    names = [v.get("name") for v in entry.get("variants") or [] if isinstance(v, Mapping)]
    excluded = [str(v) for v in entry.get("excluded") or []]
    if action in ("stop", "start"):
        entry["status"] = "stopped" if action == "stop" else "running"
    elif action == "ramp":
        if ramp is None or isinstance(ramp, bool) or not 0 <= ramp <= 100:
            raise ExperimentError("ramp must be a percentage between 0 and 100")
        _set(entry, "ramp", int(ramp) if float(ramp).is_integer() else float(ramp))
    elif action == "plan":
        # The planned units per variant (growth.experiments.MAX_PLANNED_UNITS bounds it; the
        # document's validation refuses the rest); None takes the plan away.
        if planned_units is None:
            if "planned_units" in entry:
                del entry["planned_units"]
        else:
            _set(entry, "planned_units", planned_units, after="ramp" if "ramp" in entry else "status")
    elif action in ("exclude", "include"):
        if variant not in names:
            raise ExperimentError(f"{name}: no variant named {variant!r}")
        if action == "exclude":
            if variant not in excluded:
                excluded.append(variant)
            if len(excluded) >= len(names):
                raise ExperimentError(f"{name}: cannot exclude every variant — stop the experiment instead")
        else:
            excluded = [v for v in excluded if v != variant]
        if excluded:
            _set(entry, "excluded", _flow_list(excluded), after="variants")
        elif "excluded" in entry:
            del entry["excluded"]
    else:
        raise ExperimentError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})")


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old file or the new, never a part."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def change_experiment(path: Path, name: str, action: str, variant: Optional[str] = None,
                      ramp: Optional[float] = None, planned_units: Optional[int] = None) -> Plan:
    """Apply one operator action to the file at ``path``; returns the new plan. Raises
    ExperimentError (and writes nothing) when the action or the resulting file is invalid.
    ``plan`` sets ``planned_units`` (units per variant; None removes it)."""
    yaml = _yaml()
    with _write_lock:
        try:
            document = yaml.load(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise ExperimentError(f"cannot read {path}: {error.strerror}") from error
        except Exception as error:   # ruamel's parser errors have no common public base
            raise ExperimentError(f"{path} is not valid YAML: {error}") from error
        validate_document(document)      # refuse to build on a file that is already broken
        _apply(document, name, action, variant, ramp, planned_units)
        plan = validate_document(document)
        out = io.StringIO()
        yaml.dump(document, out)
        write_atomically(Path(path), out.getvalue())
        return plan
