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
    """A cluster: ``count`` nodes of one catalogued node type on one catalogued fabric.

    Built from the catalogue (``Systems.Clusters.Research_256``) or, as in 0.3.0, from its parts:
    ``Fleet(name="Selene 280", node=Systems.Nodes.DGX_A100, count=35, fabric=Systems.Fabrics.InfiniBand_HDR)``
    (a node or fabric may be given by its key). The node count is the caller's and traces to ``user`` in results;
    the node's and fabric's values keep their citations."""

    kind = "cluster"

    def __init__(self, entity: Any = None, catalog_: Catalog | None = None, *, name: str | None = None,
                 node: Any = None, count: Any = None, fabric: Any = None, region: Any = None,
                 datacenter: Any = None):
        if entity is None:
            entity, catalog_ = _user_cluster(name, node, count, fabric, region, datacenter)
        elif catalog_ is None:
            from .errors import InputError

            raise InputError("Fleet takes name=, node=, count= and fabric= (keywords), or a catalogue entity")
        super().__init__(entity, catalog_)

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


def _part(kind: str, value: Any, arg: str) -> str:
    """The catalogue key of a node/fabric/grid given as an object or a key (refused if not catalogued)."""
    from .errors import InputError
    from .validate import shown

    key = value.key if isinstance(value, _CatalogObject) and value.kind == kind else value
    if not isinstance(key, str) or (kind, key) not in catalog().entities:
        have = sorted(k for (kd, k) in catalog().entities if kd == kind)
        raise InputError(f"{arg} must be a catalogued {kind} (one of {', '.join(have)}), not {shown(value)}")
    return key


def _user_cluster(name: Any, node: Any, count: Any, fabric: Any, region: Any,
                  datacenter: Any = None) -> tuple[Any, Catalog]:
    from .catalog import Entity, user_row
    from .errors import InputError
    from .validate import count as count_domain

    if not isinstance(name, str) or not name.strip():
        raise InputError(f"name must be a non-empty text, got {name!r}")
    attrs = {"node": _part("node", node, "node"), "fabric": _part("fabric", fabric, "fabric")}
    if region is not None:
        attrs["region"] = _part("grid", region, "region")
    if datacenter is not None:
        attrs["datacenter"] = _part("datacenter", datacenter, "datacenter")
    n = count_domain(1, 10**6)("count", count)
    key = "".join(ch if ch.isalnum() else "_" for ch in name)
    eid = f"cluster.{key}"
    c = user_row(eid, "node_count", float(n), "", "count")
    return Entity("cluster", key, name, "Custom", attrs, {"node_count": c}, "<user>"), catalog()


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

