"""Infrastructure and systems registries with 0.3.0's names: ``Infrastructure.{Grids, Datacenters}`` and
``Systems.{Fabrics, Nodes, Clusters}``; objects built from the catalogue (no SymPy, no pint until a Quantity is
asked for). A cluster is a ``Fleet`` (0.3.0's name): nodes × accelerators, a fabric and a region."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from .catalog import Catalog, catalog
from .errors import UnknownKeyError
from .objects import _CatalogObject


class Grid(_CatalogObject):
    kind = "grid"

    @property
    def carbon_intensity_g_kwh(self) -> float | None:
        from .units import si_factor

        c = self._e.values.get("carbon_intensity")
        return None if c is None else c.si * si_factor(c.si_unit, "gCO2e/kWh")

    @property
    def pue(self) -> float | None:
        return self._e.si("pue")

    @property
    def wue(self) -> Any:
        return self.value("wue")

    @property
    def carbon_intensity(self) -> Any:
        return self.value("carbon_intensity")


class Datacenter(_CatalogObject):
    kind = "datacenter"

    @property
    def grid(self) -> Grid:
        return Grid(self._cat.entity("grid", self._e.attrs["grid"]), self._cat)

    @property
    def pue(self) -> float | None:
        own = self._e.si("pue")
        return own if own is not None else self.grid.pue


class NetworkFabric(_CatalogObject):
    kind = "fabric"

    @property
    def bandwidth(self) -> Any:
        return self.value("bandwidth")

    @property
    def latency(self) -> Any:
        return self.value("latency")

    @property
    def oversubscription_ratio(self) -> float:
        c = self._e.values.get("oversubscription")
        return c.si if c else 1.0

    @property
    def topology(self) -> str:
        return self._e.attrs.get("topology", "fat-tree")


class Node(_CatalogObject):
    kind = "node"

    @property
    def accelerator(self) -> Any:
        from .objects import HardwareNode

        return HardwareNode(self._cat.entity("hardware", self._e.attrs["accelerator"]), self._cat)

    @property
    def accelerators_per_node(self) -> int:
        return int(self._e.values["accelerators_per_node"].value)

    @property
    def intra_node_bw(self) -> Any:
        return self.value("intra_node_bw")

    @property
    def nics_per_node(self) -> int | None:
        c = self._e.values.get("nics_per_node")
        return int(c.value) if c else None

    @property
    def psus_per_node(self) -> int | None:
        c = self._e.values.get("psus_per_node")
        return int(c.value) if c else None


class Fleet(_CatalogObject):
    kind = "cluster"

    @property
    def node(self) -> Node:
        return Node(self._cat.entity("node", self._e.attrs["node"]), self._cat)

    @property
    def fabric(self) -> NetworkFabric:
        return NetworkFabric(self._cat.entity("fabric", self._e.attrs["fabric"]), self._cat)

    @property
    def count(self) -> int:
        return int(self._e.values["node_count"].value)

    @property
    def region(self) -> Grid | None:
        r = self._e.attrs.get("region")
        return Grid(self._cat.entity("grid", r), self._cat) if r else None

    @property
    def total_accelerators(self) -> int:
        return self.count * self.node.accelerators_per_node


class FlatRegistry:
    """A registry of one catalogue kind without categories (``Systems.Fabrics.InfiniBand_NDR``)."""

    def __init__(self, label: str, kind: str, factory: type):
        self._label, self._kind, self._factory = label, kind, factory
        self._items: dict[str, Any] | None = None

    def _all(self) -> dict[str, Any]:
        if self._items is None:
            cat: Catalog = catalog()
            self._items = {e.key: self._factory(e, cat) for e in cat.of_kind(self._kind)}
        return self._items

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return self.get(key)

    def get(self, key: str) -> Any:
        items = self._all()
        if isinstance(key, str) and key in items:
            return items[key]
        raise UnknownKeyError(f"{self._label} key", str(key), items)

    __getitem__ = get

    def list(self) -> list[str]:
        return sorted(self._all())

    def __iter__(self):
        return iter(self._all().values())

    def __len__(self) -> int:
        return len(self._all())

    def __dir__(self) -> list[str]:
        return self.list()

    def __repr__(self) -> str:
        return f"<{self._label}: {len(self)} entries>"


Infrastructure = SimpleNamespace(Grids=FlatRegistry("Infrastructure.Grids", "grid", Grid),
                                 Datacenters=FlatRegistry("Infrastructure.Datacenters", "datacenter", Datacenter))
Systems = SimpleNamespace(Fabrics=FlatRegistry("Systems.Fabrics", "fabric", NetworkFabric),
                          Nodes=FlatRegistry("Systems.Nodes", "node", Node),
                          Clusters=FlatRegistry("Systems.Clusters", "cluster", Fleet))

