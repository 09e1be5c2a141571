"""The operator's decisions: the review file (``--export`` / ``--apply``), the terminal review,
and the listing itself (text or JSON).

Review file (YAML; JSON is read too, so the operator console can write one): the groups as
listed, each with an empty ``intent:`` for the operator to fill in — an intent name, or empty
/ ``skip`` to leave the group out. A message's own ``intent:`` overrides its group's
(``skip`` leaves just that message out); its ``text`` may be corrected before applying.
Every decision is checked before anything is written: one unknown intent and nothing is.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from shop_nlu.improve.grouping import Group, Message

FORMAT = "shop-nlu-improve-review/1"
SKIP = "skip"


class ReviewError(Exception):
    """The review file or an answer cannot be used (message meant for the operator)."""


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def _counts(counter: Counter) -> Dict[str, int]:
    return {name: count for name, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))}


def message_dict(message: Message, known: Dict[str, str]) -> dict:
    row = {
        "text": message.text,
        "count": message.count,
        "conversations": len(message.conversations),
        "guessed": message.guessed_intent,
        "confidence": message.confidence,
        "second": message.second_intent,
        "reasons": sorted(message.reasons),
        "shopper_chose": _counts(message.shopper_chose),
        "first_seen": _when(message.first_seen),
        "last_seen": _when(message.last_seen),
    }
    if message.key in known:
        row["in_training_data"] = known[message.key]
    return row


def group_dict(number: int, group: Group, known: Dict[str, str]) -> dict:
    return {
        "group": number,
        "count": group.count,
        "conversations": group.conversations,
        "distinct": len(group.messages),
        "model_guessed": _counts(group.guessed),
        "shopper_chose": _counts(group.shopper_chose),
        "reasons": _counts(group.reasons),
        "suggested": group.suggested_intent,
        "messages": [message_dict(m, known) for m in group.messages],
    }


def listing(groups: Sequence[Group], known: Dict[str, str], summary: dict) -> dict:
    """The machine-readable listing (``--json``)."""
    return {"format": FORMAT, **summary,
            "groups": [group_dict(i, g, known) for i, g in enumerate(groups, 1)]}


# --- text listing ----------------------------------------------------------------------------

def _counter_text(counts: Dict[str, int]) -> str:
    return ", ".join(f"{name} ×{count}" for name, count in counts.items()) or "—"


def group_text(row: dict, examples: int, total: int) -> List[str]:
    lines = [f"Group {row['group']}/{total} · {row['count']} message(s), {row['distinct']} distinct, "
             f"{row['conversations']} conversation(s) · why: {_counter_text(row['reasons'])}",
             f"  model guessed: {_counter_text(row['model_guessed'])}"]
    if row["shopper_chose"]:
        lines.append(f"  shoppers clicked: {_counter_text(row['shopper_chose'])}")
    shown = row["messages"][:examples]
    for index, message in enumerate(shown, 1):
        note = f"  [already in data/nlu as {message['in_training_data']}]" if "in_training_data" in message else ""
        lines.append(f"  {index:>3}. ×{message['count']:<3} {message['text']}   "
                     f"({message['guessed'] or '?'} {message['confidence']:.2f}){note}")
    if len(row["messages"]) > len(shown):
        lines.append(f"       … and {len(row['messages']) - len(shown)} more")
    return lines


def summary_text(data: dict) -> str:
    period = f"{data['since'] or 'start'} … {data['until'] or 'now'}"
    return (f"Conversation store: {data['store']}\n"
            f"Period: {period} · conversations read: {data['conversations_read']} · "
            f"shopper messages: {data['user_messages_in_range']} · listed: {data['messages_listed']} "
            f"in {len(data['groups'])} group(s) (low confidence: below {data['min_confidence']})")


def listing_text(data: dict, examples: int) -> str:
    lines = [summary_text(data)]
    for row in data["groups"]:
        lines.append("")
        lines.extend(group_text(row, examples, len(data["groups"])))
    return "\n".join(lines) + "\n"


# --- review file -----------------------------------------------------------------------------

def _header(intents: Sequence[str]) -> str:
    return (
        "# NLU improvement loop: review file (python -m shop_nlu.improve --export).\n"
        "# It holds shoppers' messages (shop data): keep it private, delete it once applied.\n"
        "#\n"
        "# For each group, set `intent:` to one of\n"
        f"#   {' '.join(intents)}\n"
        "# or leave it empty (or `skip`) to leave the group out. A message's own `intent:`\n"
        "# overrides the group's (`skip` leaves only that message out); a `text` may be\n"
        "# corrected. Then: python -m shop_nlu.improve --apply THIS_FILE   (and make train)\n"
    )


# `intent:` left empty reads better than `intent: null` for the operator to fill in.
_EMPTY_CHOICE = re.compile(r"^( *(?:- )?)intent: null$", re.MULTILINE)


def _dumped(yaml, document) -> str:
    import io

    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


def export(path: Path, data: dict, intents: Sequence[str]) -> None:
    from ruamel.yaml import YAML

    document = {key: value for key, value in data.items() if key != "groups"}
    document["groups"] = []
    for row in data["groups"]:
        group = {key: value for key, value in row.items() if key != "messages"}
        group["intent"] = None
        group["messages"] = [{**message, "intent": None} for message in row["messages"]]
        document["groups"].append(group)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Shop data: readable by the operator only.
    with open(path, "w", encoding="utf-8", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
        out.write(_header(intents))
        out.write(_EMPTY_CHOICE.sub(r"\1intent:", _dumped(yaml, document)))
    os.chmod(path, 0o600)  # also when the file was there before


def _choice(value, intents: Sequence[str], where: str, errors: List[str]) -> Optional[str]:
    if value is None or (isinstance(value, str) and value.strip() in ("", SKIP)):
        return SKIP if isinstance(value, str) and value.strip() == SKIP else None
    if not isinstance(value, str) or value.strip() not in intents:
        errors.append(f"{where}: intent {value!r} is not one of {', '.join(intents)}")
        return None
    return value.strip()


def decisions_from_file(path: Path, intents: Sequence[str]) -> List[Tuple[str, str]]:
    """(text, intent) for every message the operator assigned; raises on any bad entry."""
    from rasa.shared.utils.io import read_yaml

    try:
        document = read_yaml(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ReviewError(f"cannot read {path}: {error.strerror}") from error
    except Exception as error:
        raise ReviewError(f"{path} is not valid YAML/JSON: {error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ReviewError(f"{path} is not a review file of this command (format {FORMAT})")
    groups = document.get("groups")
    if not isinstance(groups, list):
        raise ReviewError(f"{path}: no `groups:` list")
    errors: List[str] = []
    decisions: List[Tuple[str, str]] = []
    for position, group in enumerate(groups, 1):
        where = f"group {group.get('group', position) if isinstance(group, dict) else position}"
        if not isinstance(group, dict) or not isinstance(group.get("messages"), list):
            errors.append(f"{where}: not a group with `messages:`")
            continue
        group_intent = _choice(group.get("intent"), intents, where, errors)
        for number, message in enumerate(group["messages"], 1):
            here = f"{where}, message {number}"
            if not isinstance(message, dict) or not isinstance(message.get("text"), str):
                errors.append(f"{here}: no `text:`")
                continue
            own = _choice(message.get("intent"), intents, here, errors)
            intent = own or group_intent
            if intent and intent != SKIP:
                decisions.append((message["text"], intent))
    if errors:
        raise ReviewError("the review file has errors, nothing was applied:\n  " + "\n  ".join(errors))
    return decisions


# --- terminal review -------------------------------------------------------------------------

def _menu(intents: Sequence[str]) -> str:
    cells = [f"{number:>2} {intent:<19}" for number, intent in enumerate(intents, 1)]
    rows = ["  " + "".join(cells[i:i + 4]).rstrip() for i in range(0, len(cells), 4)]
    return "\n".join(rows + ["   s / Enter = skip    m = decide message by message    q = stop reviewing"])


def _parse(answer: str, intents: Sequence[str], allow_messages: bool) -> Optional[str]:
    """An intent, 'skip', 'm', 'q', or None for an answer that means nothing."""
    answer = answer.strip()
    if answer in ("", "s", SKIP):
        return SKIP
    if answer in ("q", "m") and (answer == "q" or allow_messages):
        return answer
    if answer.isdigit() and 1 <= int(answer) <= len(intents):
        return intents[int(answer) - 1]
    if answer in intents:
        return answer
    return None


def review_interactively(data: dict, intents: Sequence[str], examples: int,
                         ask: Callable[[str], str] = input,
                         say: Callable[[str], None] = print) -> List[Tuple[str, str]]:
    """Ask group by group (or message by message); returns (text, intent) decisions."""
    decisions: List[Tuple[str, str]] = []
    groups = data["groups"]
    say(f"{len(groups)} group(s) to review. For each, type the number of the right intent.")
    for row in groups:
        say("")
        say("\n".join(group_text(row, examples, len(groups))))
        if row["suggested"]:
            say(f"  suggested: {row['suggested']}")
        say(_menu(intents))
        answer = _ask(ask, say, "intent for the whole group> ", intents, allow_messages=True)
        if answer == "q":
            break
        if answer == "m":
            stop = False
            for number, message in enumerate(row["messages"], 1):
                choice = _ask(ask, say, f"  {number}. {message['text']}> ", intents, allow_messages=False)
                if choice == "q":
                    stop = True
                    break
                if choice != SKIP:
                    decisions.append((message["text"], choice))
            if stop:
                break
            continue
        if answer != SKIP:
            decisions.extend((message["text"], answer) for message in row["messages"])
    return decisions


def _ask(ask, say, prompt: str, intents: Sequence[str], allow_messages: bool) -> str:
    while True:
        try:
            answer = ask(prompt)
        except EOFError:
            return "q"
        choice = _parse(answer, intents, allow_messages)
        if choice is not None:
            return choice
        say(f"  type 1–{len(intents)}, an intent name, s to skip" + (", m" if allow_messages else "") + " or q")


def plan_text(plan, files: Callable[[str], Path]) -> str:
    lines = []
    for intent, rows in sorted(plan.additions.items()):
        lines.append(f"{files(intent)}: +{len(rows)}")
        lines.extend(f"    - {example}" for (_, example) in rows)
    for text, wanted, existing in plan.duplicates:
        lines.append(f"not added (already an example of {existing}): {text}")
    for text, intent, why in plan.rejected:
        lines.append(f"not added ({why}): {text}")
    return "\n".join(lines)


def plan_dict(plan, files: Callable[[str], Path], written: bool) -> dict:
    return {
        "written": written,
        "added": {intent: {"file": str(files(intent)), "examples": [example for (_, example) in rows]}
                  for intent, rows in sorted(plan.additions.items())},
        "duplicates": [{"text": t, "intent": w, "already": e} for (t, w, e) in plan.duplicates],
        "rejected": [{"text": t, "intent": i, "why": why} for (t, i, why) in plan.rejected],
    }


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
