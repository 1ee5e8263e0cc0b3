"""What the load test's users visit, shared by the locustfile and the test's unloaded pass.

Kept apart from the locustfile: importing locust patches the process for gevent.
"""

from typing import Any

PROXY = {"X-Forwarded-Proto": "https"}  # what production's TLS proxy adds
HTMX = {"HX-Request": "true", "HX-Target": "dashboard-body"}  # the period form's request
DASHBOARDS = ("overview", "ads", "search", "sales", "inventory", "social", "changes")
RANGES = ("last_7", "last_28", "last_90", "last_365")
COMPARES = ("prev", "yoy", "none")
QUEUES = {
    "queue: proposals": ("/proposals/", "/proposals/?status=pending", "/proposals/?page=2"),
    "queue: reconciliation": (
        "/reconciliation/",
        "/reconciliation/?bucket=missing_in_shippo&sort=-age",
        "/reconciliation/?page=3",
    ),
    "queue: social": ("/social/", "/social/calendar/"),
    "queue: connections": ("/connections/",),
}
PRIVACY = ("public: /privacy", "/privacy")


def dashboard_path(slug: str, range_: str = "", compare: str = "") -> str:
    query = f"?range={range_}&compare={compare}" if range_ else ""
    return f"/dashboards/{slug}/{query}"


def item_path(queue: str, plan: dict[str, Any], pick: int) -> str | None:
    """One item of a queue that has item pages (a proposal, a case), else None."""
    ids = {"queue: proposals": plan["proposals"], "queue: reconciliation": plan["cases"]}
    found = ids.get(queue)
    if not found:
        return None
    prefix = "/proposals/" if queue == "queue: proposals" else "/reconciliation/cases/"
    return f"{prefix}{found[pick % len(found)]}/"


def every_path(plan: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """Every URL the load visits once: (group, path, extra headers)."""
    paths: list[tuple[str, str, dict[str, str]]] = []
    for slug in DASHBOARDS:
        name = f"dashboards: {slug}"
        paths.append((name, dashboard_path(slug), {}))
        paths += [(name, dashboard_path(slug, r, c), HTMX) for r in RANGES for c in ("prev", "yoy")]
    for queue, queue_paths in QUEUES.items():
        paths += [(queue, path, {}) for path in queue_paths]
        item = item_path(queue, plan, 0)
        if item:
            paths.append((queue, item, {}))
    paths.append((*PRIVACY, {}))
    return paths
