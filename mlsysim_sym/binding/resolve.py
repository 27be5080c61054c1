"""Resolving what a caller names: models, devices, fleets (objects of the registries, or their keys) and precisions.

Registry keys are looked up in the catalogue's dictionaries only (never with ``getattr`` on user text).
"""
from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..objects import PRECISIONS, HardwareNode, Workload
from ..systems import Datacenter, Fleet, Grid, NetworkFabric
from ..validate import shown

KINDS = {"model": Workload, "hardware": HardwareNode, "fleet": Fleet, "fabric": NetworkFabric, "grid": Grid,
         "datacenter": Datacenter}
#: kind -> (module and registry attribute that looks a key up, what to pass)
_REGISTRIES = {"model": ("registry", "Models", "a Models.* entry or a registry key such as 'Llama3_8B'"),
               "hardware": ("registry", "Hardware", "a Hardware.* entry or a registry key such as 'H100'"),
               "fleet": ("systems", "Systems.Clusters",
                         "a Systems.Clusters entry, a Fleet(...) or a cluster key such as 'Research_256'"),
               "fabric": ("systems", "Systems.Fabrics",
                          "a Systems.Fabrics entry or a fabric key such as 'InfiniBand_NDR'"),
               "grid": ("systems", "Infrastructure.Grids",
                        "an Infrastructure.Grids entry or a grid key such as 'Quebec'"),
               "datacenter": ("systems", "Infrastructure.Datacenters",
                              "an Infrastructure.Datacenters entry or a datacenter key such as 'Quebec_Hydro'")}


def resolve(kind: str, value: Any, name: str) -> Any:
    """An object of ``kind`` given as itself or as its registry key (looked up in the catalogue, never getattr)."""
    if isinstance(value, KINDS[kind]):
        return value
    module, registry, what = _REGISTRIES[kind]
    if isinstance(value, str):
        from importlib import import_module

        reg: Any = import_module(f"..{module}", __package__)
        for part in registry.split("."):  # a fixed path of ours, never the caller's text
            reg = getattr(reg, part)
        return reg.get(value)
    raise InputError(f"{name} must be {what}, not {shown(value)}")


def resolve_model(model: Any, name: str = "model") -> Workload:
    return resolve("model", model, name)


def resolve_hardware(hardware: Any, name: str = "hardware") -> HardwareNode:
    return resolve("hardware", hardware, name)


def resolve_fleet(fleet: Any, name: str = "fleet") -> Fleet:
    return resolve("fleet", fleet, name)


def resolve_fabric(fabric: Any, name: str = "fabric") -> NetworkFabric:
    return resolve("fabric", fabric, name)


def resolve_site(site: Any, name: str = "datacenter") -> Datacenter | Grid:
    """Where a fleet runs: a datacenter or a grid (objects, or keys: datacenters first, then grids)."""
    if isinstance(site, (Datacenter, Grid)):
        return site
    if isinstance(site, str):
        from ..systems import Infrastructure

        for kind, reg in (("datacenter", Infrastructure.Datacenters), ("grid", Infrastructure.Grids)):
            if site in reg.list():
                return resolve(kind, site, name)
    raise InputError(f"{name} must be an Infrastructure.Datacenters or Infrastructure.Grids entry (or its key), "
                     f"not {shown(site)}")


RESOLVERS = {"model": resolve_model, "hardware": resolve_hardware, "fleet": resolve_fleet, "fabric": resolve_fabric,
             "site": resolve_site}


def normalize_precision(precision: Any, name: str = "precision") -> str:
    if precision in PRECISIONS:  # already a canonical key (the common case)
        return precision
    if not isinstance(precision, str):
        raise InputError(f"{name} must be text such as 'fp16', not {shown(precision)}")
    key = precision.strip().lower()
    if key not in PRECISIONS:
        raise InputError(f"{name} {shown(precision)} is not supported; supported: {', '.join(sorted(PRECISIONS))}")
    return key
