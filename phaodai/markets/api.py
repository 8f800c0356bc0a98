"""The markets API (mounted at /api/v1/markets): the registry, schemes and allocation, the gate and its
offline sync, tracing candidates, prices and shortages. Each part keeps its own router.

Through the same services and selectors as the pages. Errors are {"code", "message", "field"}: 401
without credentials, 403 for a role without the permission, 404 outside the user's units, 409 for a
lost race, 422 for bad input.
"""

from ninja import Router

from phaodai.markets.api_allocation import router as allocation
from phaodai.markets.api_gate import router as gate
from phaodai.markets.api_prices import router as prices

router = Router(tags=["markets"])
router.add_router("", allocation)
router.add_router("", gate)
router.add_router("", prices)
