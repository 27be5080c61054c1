"""Exporter ``figures``: each derivation's ``FIGURES`` as SVG and PDF, with the plotted data as CSV beside it.

Byte-identical across runs and ``PYTHONHASHSEED`` values: the Agg backend, a ``Figure`` built without pyplot
(no global state), DejaVu Sans (shipped with matplotlib) at fixed sizes, a fixed ``svg.hashsalt``, text as paths
in SVG, and no dates, creator or producer in the metadata. The figure's bytes still depend on the matplotlib
version, which the manifest records (``export --check`` then compares a figure through its data)."""
from __future__ import annotations

import csv
import io
from typing import Any

from .registry import ExportContext, exporter, stamp
from .spec import PALETTE, FigureData

RC = {
    "font.family": "DejaVu Sans", "font.size": 9.0, "axes.titlesize": 10.0, "axes.labelsize": 9.0,
    "legend.fontsize": 8.0, "xtick.labelsize": 8.0, "ytick.labelsize": 8.0, "svg.hashsalt": "mlsysim-sym",
    "svg.fonttype": "path", "pdf.fonttype": 3, "pdf.compression": 6, "figure.dpi": 100, "savefig.dpi": 100,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "grid.linewidth": 0.5, "lines.linewidth": 1.6, "path.simplify": False, "legend.frameon": False,
}
SVG_META = {"Date": None, "Creator": None, "Format": None, "Type": None}
PDF_META = {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}


def matplotlib_version() -> str | None:
    try:
        import matplotlib
    except ModuleNotFoundError:
        return None
    return matplotlib.__version__


def render_figure(data: FigureData, stamp: str = "") -> tuple[str, bytes]:
    """(SVG text, PDF bytes) of one figure."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from cycler import cycler
    from matplotlib.figure import Figure

    rc = {**RC, "axes.prop_cycle": cycler(color=list(PALETTE))}
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=data.size)
        ax = fig.add_subplot()
        data.draw(ax, data.columns)
        plain_log_ticks(ax)
        fig.tight_layout(pad=0.4)
        svg, pdf = io.BytesIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata={**SVG_META, "Description": stamp})
        fig.savefig(pdf, format="pdf", metadata={**PDF_META, "Subject": stamp})
    return svg.getvalue().decode("utf-8"), pdf.getvalue()


def plain_log_ticks(ax) -> None:
    """Log axes labelled with plain numbers (1, 10, 100, 0.1) instead of mathtext powers: readable, and it spares
    the mathtext parser (a third of the figures' time)."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "log":
            axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.10g}"))
            axis.set_minor_formatter(NullFormatter())


def data_csv(ctx: ExportContext, data: FigureData) -> str:
    buf = io.StringIO()
    buf.write(f"# {stamp(ctx.common)}\n")
    w = csv.writer(buf, lineterminator="\n")
    cols = list(data.columns)
    w.writerow(cols)
    for row in zip(*(data.columns[c] for c in cols)):
        w.writerow([_cell(v) for v in row])
    return buf.getvalue()


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return repr(float(f"{v:.10g}"))
    return str(v)


@exporter("figures")
def export_figures(ctx: ExportContext, _files: dict[str, Any]) -> dict[str, Any]:
    """figures/<topic>-<name>.{svg,pdf,csv} for each derivation's FIGURES (matplotlib, the `plot` extra)."""
    specs = [(t, f) for t in ctx.topics for f in t.figures]
    if not specs:
        return {}
    version = matplotlib_version()
    if version is None:
        from ..errors import MlsysimError

        raise MlsysimError("the book figures need matplotlib: pip install 'mlsysim-sym[plot]'")
    ctx.cache["matplotlib"] = version
    files: dict[str, Any] = {}
    listed = ctx.cache.setdefault("figures", [])
    for topic, fig in specs:
        ctx.progress(f"figure {topic.slug}-{fig.name}")
        data = fig.build()
        name = f"{topic.slug}-{fig.name}"
        svg, pdf = render_figure(data, stamp(ctx.common, dash="-"))
        files[f"figures/{name}.svg"] = svg
        files[f"figures/{name}.pdf"] = pdf
        files[f"figures/{name}.csv"] = data_csv(ctx, data)
        listed.append((name, fig.caption, topic.slug))
    return files
