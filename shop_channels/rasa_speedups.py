"""One measured fix to Rasa's hot path, applied when the shop's channels are loaded.

Rasa 3.6 checks every action-server response with the one-shot ``jsonschema.validate()``
(``RemoteAction._validate_action_result``). That helper rebuilds a validator and checks the
*schema itself* against the JSON-Schema meta-schema on every call, then throws it away. Rasa
sends every custom action and every form validation to the action server, so this ran several
times per shopper turn: profiling the conversation benchmark (py-spy on the Rasa process at 8
concurrent shoppers) put 36 % of the Rasa server's CPU time in it.

``install()`` replaces that method with one that validates against a validator compiled once.
Same schema (``RemoteAction.action_response_format_spec()``), same choice of error
(``jsonschema.exceptions.best_match``, as ``jsonschema.validate`` does), same message suffix,
same ``ValidationError``: a malformed action-server response is still refused. It only
patches the Rasa version it was written against and leaves any other version untouched.
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Dict

import rasa
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})


@functools.lru_cache(maxsize=1)
def action_response_validator():
    """The validator of action-server responses, built and schema-checked once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    error = best_match(action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> bool:
    """Patch RemoteAction once; True when the compiled validator is in place."""
    if RemoteAction._validate_action_result is validate_action_result:
        return True
    if rasa.__version__ not in PATCHED_RASA_VERSIONS:
        logger.info("Rasa %s: action responses validated the stock way (patch written for %s)",
                    rasa.__version__, ", ".join(sorted(PATCHED_RASA_VERSIONS)))
        return False
    RemoteAction._validate_action_result = validate_action_result
    return True


__all__ = ["ValidationError", "action_response_validator", "install", "validate_action_result"]
