"""The zoning API for officials: criteria tables and indicators, rounds, proposals and decisions."""

from ninja import Router

from phaodai.zoning.api_authoring import router as authoring
from phaodai.zoning.api_workflow import router as workflow

router = Router(tags=["zoning"])
router.add_router("", authoring)
router.add_router("", workflow)
