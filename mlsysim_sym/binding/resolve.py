"""Resolving what a caller names: models, devices, fleets (objects of the registries, or their keys) and precisions.

Registry keys are looked up in the catalogue's dictionaries only (never with ``getattr`` on user text).
"""
from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..objects import PRECISIONS, HardwareNode, Workload
from ..systems import Fleet
from ..validate import shown

KINDS = {"model": Workload, "hardware": HardwareNode, "fleet": Fleet}


def resolve_model(model: Any, name: str = "model") -> Workload:
    if isinstance(model, Workload):
        return model
    if isinstance(model, str):
        from ..registry import Models

        return Models.get(model)
    raise InputError(f"{name} must be a Models.* entry or a registry key such as 'Llama3_8B', not {shown(model)}")


def resolve_hardware(hardware: Any, name: str = "hardware") -> HardwareNode:
    if isinstance(hardware, HardwareNode):
        return hardware
    if isinstance(hardware, str):
        from ..registry import Hardware

        return Hardware.get(hardware)
    raise InputError(f"{name} must be a Hardware.* entry or a registry key such as 'H100', not {shown(hardware)}")


def resolve_fleet(fleet: Any, name: str = "fleet") -> Fleet:
    if isinstance(fleet, Fleet):
        return fleet
    if isinstance(fleet, str):
        from ..systems import Systems

        return Systems.Clusters.get(fleet)
    raise InputError(f"{name} must be a Systems.Clusters entry or a cluster key such as 'Research_256', "
                     f"not {shown(fleet)}")


RESOLVERS = {"model": resolve_model, "hardware": resolve_hardware, "fleet": resolve_fleet}


def normalize_precision(precision: Any, name: str = "precision") -> str:
    if precision in PRECISIONS:  # already a canonical key (the common case)
        return precision
    if not isinstance(precision, str):
        raise InputError(f"{name} must be text such as 'fp16', not {shown(precision)}")
    key = precision.strip().lower()
    if key not in PRECISIONS:
        raise InputError(f"{name} {shown(precision)} is not supported; supported: {', '.join(sorted(PRECISIONS))}")
    return key
