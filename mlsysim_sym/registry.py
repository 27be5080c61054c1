"""Registries with MLSys·im 0.3.0's categories and keys, plus flat aliases.

``Hardware.Cloud.H100`` and ``Hardware.H100`` are the same object; ``Models.Vision.ResNet50`` and
``Models.ResNet50`` likewise. Each registry has ``.list()`` and answers an unknown key with a did-you-mean
error. Objects are built from the catalogue on first access; nothing here imports SymPy or pint.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from .catalog import catalog
from .errors import UnknownKeyError


class Category:
    """One category of a registry (``Hardware.Cloud``): attribute access by key, ``.list()``, iteration."""

    def __init__(self, registry: Registry, name: str):
        self._registry = registry
        self._name = name

    def _items(self) -> dict[str, Any]:
        return self._registry._by_category().get(self._name, {})

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        items = self._items()
        if key in items:
            return items[key]
        raise UnknownKeyError(f"{self._registry._label}.{self._name} key", key, items)

    def __getitem__(self, key: str) -> Any:
        items = self._items()
        if isinstance(key, str) and key in items:
            return items[key]
        raise UnknownKeyError(f"{self._registry._label}.{self._name} key", str(key), items)

    def __dir__(self) -> list[str]:
        return sorted(self._items())

    def __iter__(self):
        return iter(self._items().values())

    def __len__(self) -> int:
        return len(self._items())

    def list(self) -> list[str]:
        return sorted(self._items())

    def __repr__(self) -> str:
        return f"<{self._registry._label}.{self._name}: {len(self)} entries>"


class Registry:
    """A registry over one catalogue kind, organised by 0.3.0's categories."""

    def __init__(self, label: str, kind: str, factory: type, categories: tuple[str, ...]):
        self._label = label
        self._kind = kind
        self._factory = factory
        self._categories = categories
        self._cache: dict[str, dict[str, Any]] | None = None
        self._flat_cache: dict[str, Any] | None = None
        self._lower_cache: dict[str, Any] | None = None
        for c in categories:
            object.__setattr__(self, c, Category(self, c))

    def _by_category(self) -> dict[str, dict[str, Any]]:
        if self._cache is None:
            cat = catalog()
            out: dict[str, dict[str, Any]] = {c: {} for c in self._categories}
            for ent in cat.of_kind(self._kind):
                out.setdefault(ent.category or "", {})[ent.key] = self._factory(ent, cat)
            self._cache = out
        return self._cache

    def _flat(self) -> dict[str, Any]:
        """Every entry by key (built once, like the categories: the objects are immutable)."""
        if self._flat_cache is None:
            self._flat_cache = {k: v for items in self._by_category().values() for k, v in items.items()}
        return self._flat_cache

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        flat = self._flat()
        if key in flat:
            return flat[key]
        raise UnknownKeyError(f"{self._label} key", key, list(flat) + list(self._categories))

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def get(self, key: str) -> Any:
        """Look up by key (case-insensitive fallback), by ``Category.Key``, or raise with a suggestion.

        Only catalogue keys are looked up: user text never reaches ``getattr`` (``Cloud.__dict__`` or
        ``Vision._items`` are unknown keys, not attributes)."""
        if not isinstance(key, str):
            from .errors import InputError

            raise InputError(f"a {self._label.lower()} key must be text such as {self.list()[0]!r}, "
                             f"not {type(key).__name__}")
        flat = self._flat()
        if key in flat:
            return flat[key]
        if "." in key:
            cat, _, k = key.rpartition(".")
            cat = cat.split(".")[-1]
            if cat in self._categories:
                items = self._by_category().get(cat, {})
                if k in items:
                    return items[k]
                raise UnknownKeyError(f"{self._label}.{cat} key", k, items)
        if self._lower_cache is None:
            self._lower_cache = {k.lower(): v for k, v in flat.items()}
        lower = self._lower_cache
        if key.lower() in lower:
            return lower[key.lower()]
        raise UnknownKeyError(f"{self._label.lower()}", key, flat)

    def list(self) -> list[str]:
        return sorted(self._flat())

    def __iter__(self):
        return iter(self._flat().values())

    def __dir__(self) -> list[str]:
        return sorted(set(self._flat()) | set(self._categories))

    def __repr__(self) -> str:
        return f"<{self._label}: {', '.join(self._categories)}>"


def _hardware_registry() -> Registry:
    from .objects import HardwareNode

    return Registry("Hardware", "hardware", HardwareNode, ("Cloud", "Workstation", "Edge", "Mobile", "Tiny"))


def _models_registry() -> Registry:
    from .objects import Workload

    return Registry("Models", "model", Workload,
                    ("Language", "Vision", "Tiny", "Recommendation", "StateSpace", "GenerativeVision", "Embodied"))


Hardware = _hardware_registry()
Models = _models_registry()


def measured_hardware(hardware: Any) -> Any:
    """The device with its measured rows in place of the datasheet ones (``catalog.prefer_measured``): a scenario
    choice for validating against real hardware. Raises InputError if the device has no measured rows."""
    from .catalog import MEASURED_PREFIX
    from .errors import InputError
    from .objects import HardwareNode

    def measured(values: dict[str, Any]) -> bool:
        return any(f.startswith(MEASURED_PREFIX) for f in values)

    hw = hardware if isinstance(hardware, HardwareNode) else Hardware.get(hardware)
    if not measured(hw.entity.values):
        raise InputError(f"{hw.key} has no measured rows; devices with measurements: "
                         + ", ".join(sorted(e.key for e in catalog().of_kind("hardware") if measured(e.values))))
    return _measured_node(hw.key, catalog().hash)


@lru_cache(maxsize=32)
def _measured_node(key: str, catalog_hash: str) -> Any:
    from .catalog import catalog, prefer_measured
    from .objects import HardwareNode

    cat = prefer_measured(catalog(), (key,))
    return HardwareNode(cat.entity("hardware", key), cat)
