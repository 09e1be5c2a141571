"""A small, explicit state machine: which status may follow which.

Machines are data (a mapping of allowed transitions), so tests and documentation can list
every edge, and every status change in the data layer goes through ``check``.
"""
from __future__ import annotations

from enum import Enum
from typing import Callable, Generic, Iterable, Mapping, TypeVar

S = TypeVar("S", bound=Enum)


class IllegalTransition(Exception):
    """A status change the life cycle does not allow. Nothing was written."""

    def __init__(self, machine: str, machine_label: str, from_status: Enum, to_status: Enum,
                 from_label: str, to_label: str) -> None:
        self.machine = machine
        self.from_status = from_status
        self.to_status = to_status
        self.message_zh = f"{machine_label}不能从「{from_label}」变为「{to_label}」"
        self.message_en = (
            f"illegal {machine} transition: {from_status.value} -> {to_status.value}"
        )
        super().__init__(f"{self.message_zh} ({self.message_en})")


class StateMachine(Generic[S]):
    """Allowed transitions between the members of one status enum."""

    def __init__(self, name: str, label: str, transitions: Mapping[S, Iterable[S]],
                 status_label: Callable[[S], str]) -> None:
        self.name = name
        self.label = label
        self._edges = {src: frozenset(dsts) for src, dsts in transitions.items()}
        self._status_label = status_label

    def allowed_from(self, status: S) -> frozenset[S]:
        return self._edges.get(status, frozenset())

    def can(self, from_status: S, to_status: S) -> bool:
        return to_status in self.allowed_from(from_status)

    def is_terminal(self, status: S) -> bool:
        return not self.allowed_from(status)

    def check(self, from_status: S, to_status: S) -> None:
        """Raise ``IllegalTransition`` unless ``from_status -> to_status`` is an edge."""
        if not self.can(from_status, to_status):
            raise IllegalTransition(
                self.name, self.label, from_status, to_status,
                self._status_label(from_status), self._status_label(to_status),
            )

    def edges(self) -> list[tuple[S, S]]:
        return [(src, dst) for src, dsts in self._edges.items() for dst in sorted(dsts, key=lambda s: s.value)]
