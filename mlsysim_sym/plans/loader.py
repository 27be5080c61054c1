"""Reading a plan file: YAML composed with its node marks, checked against :mod:`.model`, every error located.

The YAML is composed (``yaml.compose`` on a safe loader with YAML 1.2 floats, so ``3.35e12`` is a number) and
turned into Python values by a walk that keeps each node's mark: an error names ``file:line:column``, the field
(``hardware.nodes``) and, for a misspelt key, the closest allowed key. Duplicate keys, non-text keys, anchors that
recurse or expand past a bound, dates and custom tags are errors too. Nothing here evaluates user text.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MlsysimError

MAX_BYTES = 1_000_000
MAX_NODES = 20_000
MAX_DEPTH = 32


class PlanError(MlsysimError):
    """A plan that cannot be read or validated: every problem with its ``file:line:column: field: message``."""

    exit_code = 1

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = self.problems[0] if len(self.problems) == 1 else f"{len(self.problems)} problems in the plan:"
        body = "" if len(self.problems) == 1 else "\n  " + "\n  ".join(self.problems)
        super().__init__(head + body)


@dataclass
class Located:
    """The plan's nodes by field path (``("hardware", "nodes")``): where each key and value sits in the file."""

    file: str
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: tuple, key: bool = False) -> str:
        """``file:line:column`` of the value (or key) at ``path``, else of its nearest located parent."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                line, col = table[p]
                return f"{self.file}:{line}:{col}"
            if p in self.values:
                line, col = self.values[p]
                return f"{self.file}:{line}:{col}"
            p = p[:-1]
        line, col = self.values.get((), (1, 1))
        return f"{self.file}:{line}:{col}"

    def error(self, path: tuple, message: str, key: bool = False) -> str:
        name = dotted(path)
        return f"{self.where(path, key)}: {name + ': ' if name else ''}{message}"


def dotted(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + str(p))
    return out


def _loader_class() -> Any:
    import yaml

    class PlanLoader(yaml.SafeLoader):
        """SafeLoader with YAML 1.2 floats (``1e9``, ``3.35e12`` are numbers, not text)."""

    PlanLoader.yaml_implicit_resolvers = {k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    PlanLoader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
                    |\.[0-9_]+(?:[eE][-+][0-9]+)?
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""", re.X),
        list("-+0123456789."))
    return PlanLoader


def _mark(node: Any) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def read_yaml(text: str, file: str) -> tuple[Any, Located]:
    """The document as plain Python values, and where each of its nodes is. Raises PlanError."""
    import yaml

    loc = Located(file)
    loader = _loader_class()(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
            raise PlanError([f"{where}: not valid YAML: {exc.problem or exc.context}"]) from None
        except yaml.YAMLError as exc:
            raise PlanError([f"{file}: not valid YAML: {exc}"]) from None
        if root is None:
            raise PlanError([f"{file}:1:1: the plan is empty; it needs version, workload and hardware"])
        count = [0]

        def walk(node: Any, path: tuple, depth: int, stack: tuple) -> Any:
            count[0] += 1
            if count[0] > MAX_NODES:
                raise PlanError([loc.error(path, f"the plan is too large (more than {MAX_NODES} YAML nodes, "
                                                 "counting aliases)")])
            if depth > MAX_DEPTH or id(node) in stack:
                raise PlanError([loc.error(path, "the plan nests too deeply (or an alias refers to itself)")])
            loc.values.setdefault(path, _mark(node))
            if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTIONS:
                raise PlanError([loc.error(path, f"unsupported YAML value ({_kind(node)}); use a block of keys, a "
                                                 "list, a number, text, true/false or null")])
            if isinstance(node, yaml.MappingNode):
                out: dict[str, Any] = {}
                try:
                    loader.flatten_mapping(node)  # merge keys (<<) as YAML defines them
                except yaml.MarkedYAMLError as exc:
                    raise PlanError([loc.error(path, f"bad merge key: {exc.problem}")]) from None
                for knode, vnode in node.value:
                    if not isinstance(knode, yaml.ScalarNode) or knode.tag != "tag:yaml.org,2002:str":
                        line, col = _mark(knode)
                        raise PlanError([f"{file}:{line}:{col}: {dotted(path) or 'plan'}: keys must be names "
                                         f"(text), not {_kind(knode)}"])
                    key = knode.value
                    if key in out:
                        line, col = _mark(knode)
                        raise PlanError([f"{file}:{line}:{col}: {dotted(path + (key,))}: duplicate key (given "
                                         f"twice in the same block)"])
                    loc.keys[path + (key,)] = _mark(knode)
                    out[key] = walk(vnode, path + (key,), depth + 1, stack + (id(node),))
                return out
            if isinstance(node, yaml.SequenceNode):
                return [walk(v, path + (i,), depth + 1, stack + (id(node),)) for i, v in enumerate(node.value)]
            tag = node.tag
            if tag not in _SCALARS:
                raise PlanError([loc.error(path, f"unsupported YAML value {node.value[:40]!r} ({_kind(node)}); "
                                                 "use a number, text, true/false or null")])
            try:
                return loader.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError) as exc:
                raise PlanError([loc.error(path, f"cannot read {node.value[:40]!r}: {exc}")]) from None

        return walk(root, (), 0, ()), loc
    finally:
        loader.dispose()


_COLLECTIONS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_SCALARS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}


def _kind(node: Any) -> str:
    tag = str(node.tag)
    short = tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else tag
    return {"map": "a mapping", "seq": "a list", "timestamp": "a date", "binary": "binary data",
            "set": "a set", "omap": "an ordered map", "pairs": "pairs", "int": "a number", "float": "a number",
            "bool": "true/false", "null": "null"}.get(short, f"the tag {tag!r}")


# ---- validation against the model ----------------------------------------------------------------------------
def _model_at(path: tuple) -> Any:
    """The pydantic model of the block at ``path`` (for the allowed keys of a did-you-mean), or None."""
    from . import model as m

    cur: Any = m.Plan
    for p in path:
        if isinstance(p, int):
            continue
        f = _fields(cur).get(p)
        if f is None:
            return None
        cur = _inner_model(f.annotation)
        if cur is None:
            return None
    return cur


def _fields(model: Any) -> dict[str, Any]:
    return {(f.alias or n): f for n, f in model.model_fields.items()}


def _inner_model(ann: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in get_args(ann):
        got = _inner_model(a)
        if got is not None:
            return got
    return None


def allowed_keys(path: tuple) -> list[str]:
    model = _model_at(path)
    return list(_fields(model)) if model is not None else []


def suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        lower = {c.lower(): c for c in choices}
        close = [lower[c] for c in difflib.get_close_matches(word.lower(), list(lower), n=1, cutoff=0.6)]
    return f"; did you mean {close[0]!r}?" if close else ""


_TYPE_WORDS = {"int_type": "an integer is expected", "int_from_float": "an integer is expected (no fraction)",
               "int_parsing": "an integer is expected", "float_type": "a number is expected",
               "float_parsing": "a number is expected", "string_type": "a text is expected",
               "model_type": "a block (mapping of keys) is expected", "model_attributes_type":
               "a block (mapping of keys) is expected", "dict_type": "a block (mapping of keys) is expected",
               "list_type": "a list is expected", "missing": "required key is missing",
               "finite_number": "the number must be finite (no .nan or .inf)"}


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind in _TYPE_WORDS:
        got = err.get("input")
        shown = "" if kind == "missing" else f", got {_shown(got)}"
        return _TYPE_WORDS[kind] + shown
    msg = str(err.get("msg", "invalid"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if kind == "string_pattern_mismatch":
        msg = "expected a number, or a number followed by a unit such as '50 GB/s'"
    return msg + ("" if kind.startswith("value_error") or "input" not in err else f", got {_shown(err['input'])}")


def _shown(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, dict):
        return "a block"
    if isinstance(v, list):
        return "a list"
    text = repr(v)
    return text if len(text) <= 50 else text[:47] + "..."


def validate(data: Any, loc: Located) -> Any:
    """The :class:`~.model.Plan` of ``data``, or PlanError listing every problem with its place."""
    from pydantic import ValidationError

    from .model import Plan

    if not isinstance(data, dict):
        raise PlanError([loc.error((), f"a plan is a mapping of keys (version, workload, hardware, ...), not "
                                       f"{_shown(data)}")])
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        problems, seen = [], set()
        errors = exc.errors()
        # a number-or-unit-string field fails both union members: say it once, with the fuller message
        unit_paths = {_data_path(data, e["loc"]) for e in errors if e["type"] == "string_pattern_mismatch"}
        for err in errors:
            path = _data_path(data, err["loc"])
            if path in unit_paths and err["type"] in ("float_type", "float_parsing", "int_type", "int_parsing"):
                continue
            if err["type"] == "extra_forbidden":
                key = path[-1]
                allowed = allowed_keys(path[:-1])
                text = loc.error(path, f"unknown key{suggest(str(key), allowed)} (allowed: {', '.join(allowed)})",
                                 key=True)
            else:
                text = loc.error(path, _message(err))
            if text not in seen:
                seen.add(text)
                problems.append(text)
        raise PlanError(problems) from None


def _data_path(data: Any, err_loc: tuple) -> tuple:
    """The part of a pydantic error location that names keys of the document (drops union member tags)."""
    path: list[Any] = []
    cur = data
    for part in err_loc:
        if isinstance(cur, dict) and part in cur:
            path.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            path.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and isinstance(part, str) and not path[-1:] == [part]:
            # a missing key (its parent is located) or a union member's tag (dropped)
            if _model_at(tuple(path)) is not None and part in allowed_keys(tuple(path)):
                path.append(part)
            break
        else:
            break
    return tuple(path)


def read_plan_text(path: str) -> str:
    p = Path(path)
    try:
        if not p.is_file():
            raise PlanError([f"{path}: no such plan file" if not p.exists() else f"{path}: not a file"])
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise PlanError([f"{path}: the plan is {size:,} bytes; plans are at most {MAX_BYTES:,} bytes"])
        raw = p.read_bytes()
    except OSError as exc:
        raise PlanError([f"{path}: cannot read the plan: {exc.strerror or exc}"]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanError([f"{path}: the plan is not UTF-8 text (byte {exc.start})"]) from None


def load(path: str) -> tuple[Any, Located]:
    """Read and validate the plan file at ``path``: (Plan, Located). Raises PlanError."""
    text = read_plan_text(path)
    return load_text(text, path)


def load_text(text: str, file: str = "<plan>") -> tuple[Any, Located]:
    if "\x00" in text:
        raise PlanError([f"{file}: the plan contains a NUL character; it must be YAML text"])
    data, loc = read_yaml(text, file)
    return validate(data, loc), loc


__all__ = ["Located", "PlanError", "allowed_keys", "dotted", "load", "load_text", "read_yaml", "suggest",
           "validate"]
