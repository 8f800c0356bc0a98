"""The welfare API (mounted at /api/v1/welfare): programmes, applications and their workflow, ward lists,
decisions, payments, and the public masked lists. Each part keeps its own router.

Through the same services and selectors as the pages. Errors are {"code", "message", "field"}: 401
without credentials, 403 for a role without the permission, 404 outside the user's units, 409 for a
lost race or a duplicate, 422 for bad input.
"""

from ninja import Router

from phaodai.welfare.api_applications import router as applications
from phaodai.welfare.api_lists import router as lists
from phaodai.welfare.api_payments import router as payments

router = Router(tags=["welfare"])
router.add_router("", applications)
router.add_router("", lists)
router.add_router("", payments)
