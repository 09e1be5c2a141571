"""The one shape of every version-pinned Rasa patch in ``shop_channels``.

Each patch replaces Rasa internals it was written and measured against; on another Rasa
version those internals may differ, so the patch is not applied and Rasa keeps its stock
behaviour (a log line says which). ``patch_pinned`` does that check and the replacing once,
for all of them: each module keeps, with its own ``install()``, the reason it exists.
"""
from __future__ import annotations

import inspect
import logging
from typing import Any, Collection, Sequence, Tuple

import rasa

Patch = Tuple[Any, str, Any]     # (class or module, attribute name, replacement)


def _function(value: Any) -> Any:
    """The function a ``staticmethod`` / ``classmethod`` wraps; anything else as it is."""
    return value.__func__ if isinstance(value, (staticmethod, classmethod)) else value


def is_patched(owner: Any, name: str, replacement: Any) -> bool:
    """True when ``owner.name`` is ``replacement`` (wrapped as a static / class method or not)."""
    return _function(inspect.getattr_static(owner, name, None)) is _function(replacement)


def patch_pinned(patches: Sequence[Patch], pinned_versions: Collection[str], stock: str, *,
                 logger: logging.Logger, level: int = logging.WARNING) -> bool:
    """Apply ``patches`` once, on a pinned Rasa version only; True when they are in place.

    All already in place: True, nothing done. The running Rasa not in ``pinned_versions``:
    ``logger`` says at ``level`` what stays ``stock`` ("Rasa 3.7.0: <stock> (patch written
    for 3.6.21)") and False, nothing patched. Otherwise each ``(owner, name, replacement)``
    is set, in order, and True."""
    if all(is_patched(owner, name, replacement) for owner, name, replacement in patches):
        return True
    if rasa.__version__ not in pinned_versions:
        logger.log(level, "Rasa %s: %s (patch written for %s)",
                   rasa.__version__, stock, ", ".join(sorted(pinned_versions)))
        return False
    for owner, name, replacement in patches:
        setattr(owner, name, replacement)
    return True


__all__ = ["Patch", "is_patched", "patch_pinned"]
