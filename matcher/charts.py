"""Charts for the reports: why each candidate scores, and which themes it covers.

Plain data in, image bytes out (SVG for web pages, PNG for PDF and XLSX), so the
charts know nothing of records or labels. matplotlib is imported inside the
functions: the CLI's query path must not pay for it. Figures are built with
`matplotlib.figure.Figure` (no pyplot state), so the web app can draw in threads.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

CHART_FORMATS = ("svg", "png")
PALETTE = (
    "#1f5f8b", "#e07b39", "#3a9e6f", "#c44e52", "#8172b2",
    "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd",
)
_DPI = 150


def _short(name: str, width: int = 38) -> str:
    """A label cut to `width`, with `$` escaped: names are text, never mathtext."""
    text = name if len(name) <= width else name[: width - 1].rstrip() + "…"
    return text.replace("$", r"\$")


def _save(fig: object, fmt: str, salt: str) -> bytes:
    """Bytes of the figure; fixed metadata and ids, so the same data gives the same file."""
    import matplotlib

    if fmt not in CHART_FORMATS:
        raise ValueError(f"chart format {fmt!r}: expected one of {CHART_FORMATS}")
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "none"}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(  # type: ignore[attr-defined]
            buffer, format=fmt, dpi=_DPI, bbox_inches="tight", metadata=metadata
        )
    return buffer.getvalue()


def components_chart(
    rows: Sequence[tuple[str, Mapping[str, float]]],
    labels: Mapping[str, str],
    *,
    title: str,
    xlabel: str,
    fmt: str = "svg",
) -> bytes:
    """Stacked horizontal bars: one bar per candidate (first at the top), one colour per
    score component; negative components (penalties) stack to the left of zero."""
    from matplotlib.figure import Figure

    order: list[str] = []
    for _, components in rows:
        order.extend(k for k in components if k not in order)
    height = 1.1 + 0.32 * max(len(rows), 1)
    fig = Figure(figsize=(5.8, height))
    ax = fig.add_subplot()
    positions = list(range(len(rows)))
    plus = [0.0] * len(rows)
    minus = [0.0] * len(rows)
    for index, component in enumerate(order):
        values = [float(components.get(component, 0.0)) for _, components in rows]
        lefts = [plus[i] if v >= 0 else minus[i] + v for i, v in enumerate(values)]
        ax.barh(
            positions, [abs(v) for v in values], left=lefts, height=0.7,
            color=PALETTE[index % len(PALETTE)], label=labels.get(component, component),
        )
        for i, v in enumerate(values):
            if v >= 0:
                plus[i] += v
            else:
                minus[i] += v
    ax.set_yticks(positions, [_short(name) for name, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="#444444", linewidth=0.6)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_title(title, fontsize=10, loc="left")
    ax.tick_params(axis="x", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    if order:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _save(fig, fmt, "components")


def themes_heatmap(
    names: Sequence[str],
    themes: Sequence[str],
    matrix: Sequence[Sequence[float]],
    *,
    title: str,
    fmt: str = "svg",
) -> bytes:
    """A grid of candidates (rows) by the programme's themes (columns); a filled cell
    means the candidate's documents cover the theme (values 0..1)."""
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.figure import Figure

    width = min(7.4, 3.2 + 0.3 * max(len(themes), 1))
    height = 1.6 + 0.3 * max(len(names), 1)
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    colours = LinearSegmentedColormap.from_list("coverage", ["#f4f6f8", "#1f5f8b"])
    data = [[float(v) for v in row] for row in matrix] or [[0.0]]
    ax.imshow(data, cmap=colours, vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(themes)), [_short(t, 28) for t in themes], rotation=55,
                  ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), [_short(n) for n in names], fontsize=8)
    ax.set_xticks([x - 0.5 for x in range(1, len(themes))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(names))], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.2)
    ax.tick_params(which="minor", length=0)
    ax.set_title(title, fontsize=10, loc="left")
    for spine in ax.spines.values():
        spine.set_visible(False)
    return _save(fig, fmt, "themes")
