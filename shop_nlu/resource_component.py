"""The shared life cycle of the shop's resource-backed Rasa components (tokenizer,
featurizer, entity extractor).

Each reads working-tree resources — the jieba dictionary, the catalogue gazetteer, the
vocabulary file — when created for training, copies them into the model when trained, and
reads them back from the model when loaded, so a trained model never depends on files
regenerated since. The resources (and, for components whose features come from the rule
code, that code) are hashed into the fingerprint, so changing them retrains.

A component lists this class first among its bases and implements ``_from_sources``.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

from shop_nlu import resources

logger = logging.getLogger(__name__)


class ResourceBackedComponent:
    """create / load / train / fingerprint_addon for a component built from ``resources``."""

    _config: Dict[Text, Any]
    _model_storage: ModelStorage
    _resource: Resource

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["zh"]

    @classmethod
    def _with_defaults(cls, config: Dict[Text, Any]) -> Dict[Text, Any]:
        return {**cls.get_default_config(), **config}  # type: ignore[attr-defined]

    @classmethod
    def _from_sources(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                      execution_context: ExecutionContext, src: dict) -> Any:
        """The component built from resolved resource files (``resources.source_files`` shape)."""
        raise NotImplementedError

    def _keep_storage(self, model_storage: ModelStorage, resource: Resource) -> None:
        """Where ``train`` copies the resources: every constructor calls this."""
        self._model_storage = model_storage
        self._resource = resource

    def _stored_sources(self) -> dict:
        """What ``train`` copies into the model; by default every resource the config names."""
        return resources.source_files(self._config)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return resources.fingerprint(cls._with_defaults(config))

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> Any:
        src = resources.source_files(cls._with_defaults(config))
        return cls._from_sources(config, model_storage, resource, execution_context, src)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> Any:
        src = resources.restore(model_storage, resource)
        if src is None:
            logger.debug("No persisted resources for %s; using the working tree's.", cls.__name__)
            return cls.create(config, model_storage, resource, execution_context)
        return cls._from_sources(config, model_storage, resource, execution_context, src)

    def train(self, training_data: TrainingData) -> Resource:
        """Copies the resources into the model."""
        resources.store(self._model_storage, self._resource, self._stored_sources())
        return self._resource
