"""The command API: directives and tasks; committees, duty, hotlines and commendations."""

from ninja import Router

from phaodai.command.api_bodies import router as bodies_router
from phaodai.command.api_tasks import router as tasks_router

router = Router(tags=["command"])
router.add_router("", tasks_router)
router.add_router("", bodies_router)
