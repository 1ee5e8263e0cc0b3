"""Chart.js configurations built in Python and handed to the page as JSON (no inline script)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

PALETTE = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545", "#20c997", "#6c757d"]


def line_chart(
    *,
    labels: Sequence[date | str],
    series: dict[str, Sequence[float | int | None]],
    settling_from: int | None = None,
    y_title: str = "",
    second_axis: Sequence[str] = (),
) -> dict[str, Any]:
    """A line chart; points from `settling_from` on are drawn dashed (still settling)."""
    datasets = [
        {
            "label": name,
            "data": list(values),
            "borderColor": PALETTE[n % len(PALETTE)],
            "backgroundColor": PALETTE[n % len(PALETTE)],
            "yAxisID": "y2" if name in second_axis else "y",
            "tension": 0.2,
            "pointRadius": 0,
        }
        for n, (name, values) in enumerate(series.items())
    ]
    scales: dict[str, Any] = {"y": {"beginAtZero": True, "title": _title(y_title)}}
    if second_axis:
        scales["y2"] = {
            "beginAtZero": True,
            "position": "right",
            "grid": {"drawOnChartArea": False},
        }
    return {
        "type": "line",
        "data": {"labels": [str(label) for label in labels], "datasets": datasets},
        "options": {"scales": scales, "interaction": {"mode": "index", "intersect": False}},
        "flux": {"settlingFrom": settling_from},
    }


def bar_chart(
    *, labels: Sequence[str], series: dict[str, Sequence[float | int]], stacked: bool = False
) -> dict[str, Any]:
    """A bar chart, stacked or side by side."""
    datasets = [
        {"label": name, "data": list(values), "backgroundColor": PALETTE[n % len(PALETTE)]}
        for n, (name, values) in enumerate(series.items())
    ]
    axis = {"stacked": stacked, "beginAtZero": True}
    return {
        "type": "bar",
        "data": {"labels": list(labels), "datasets": datasets},
        "options": {"scales": {"x": {"stacked": stacked}, "y": axis}},
        "flux": {},
    }


def _title(text: str) -> dict[str, Any]:
    return {"display": bool(text), "text": text}
