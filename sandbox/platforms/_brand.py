"""The one Brand every platform of a sandbox serves, so order numbers line up across them.

Squarespace and Shippo must describe the same orders: both ask `brand_for(options)` and get
the same instance for the same (seed, scale, orders). Building a brand is the slow part of
starting a sandbox, so the cache also saves tests from building it twice. A shared brand is
shared state: a test that edits it (`edit_orders`) should use a seed no other test uses.
"""

import threading

from sandbox.brand import Brand
from sandbox.server import SandboxOptions

_brands: dict[tuple[int, str, int | None], Brand] = {}
_lock = threading.Lock()


def brand_for(options: SandboxOptions) -> Brand:
    """Return the shared brand for these options, building it on first use."""
    key = (options.seed, options.scale, options.orders)
    with _lock:
        brand = _brands.get(key)
        if brand is None:
            brand = Brand(seed=options.seed, scale=options.scale, orders=options.orders)
            _brands[key] = brand
        return brand
