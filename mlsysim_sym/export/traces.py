"""Exporter ``traces``: one source trace per value, Markdown (``[@bibkey]`` citations, for Quarto) and JSON
(every equation symbolic, substituted and evaluated, with the cited leaves)."""
from __future__ import annotations

import json
from typing import Any

from .registry import ExportContext, exporter
from .tree import GENERATED


@exporter("traces")
def export_traces(ctx: ExportContext, _files: dict[str, Any]) -> dict[str, Any]:
    """traces/<Name>.md and traces/<Name>.json for every value."""
    from ..catalog import catalog
    from . import _env
    from .valuefiles import records

    cat = catalog()
    md = _env(False)
    files: dict[str, Any] = {}
    for rec in records(ctx):
        result = ctx.cache["views"][rec["name"]].result
        trace = result.trace
        bib = [cat.bib[k] for k in rec["bibkeys"] if k in cat.bib]
        files[f"traces/{rec['name']}.md"] = md.get_template("trace.md.j2").render(
            **ctx.common, name=rec["name"], description=rec["description"], printed=rec["printed"],
            unit=rec["unit"], field=rec["field"], equation=rec["equation"], trace=trace.to_markdown(), bib=bib)
        doc = {"generated": GENERATED, **ctx.common, "name": rec["name"], "description": rec["description"],
               "printed": rec["printed"], "value": rec["value"], "unit": rec["unit"], "field": rec["field"],
               "equation": rec["equation"], "bibkeys": rec["bibkeys"], "trace": trace.as_dict()}
        files[f"traces/{rec['name']}.json"] = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False,
                                                         default=_json_default) + "\n"
    return files


def _json_default(v: Any) -> Any:
    if hasattr(v, "item"):
        return v.item()
    return str(v)
