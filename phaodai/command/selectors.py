"""Reads of the command app: directives, tasks (selectors_tasks), committees and more (selectors_bodies)."""

from phaodai.command.selectors_bodies import *  # noqa: F403
from phaodai.command.selectors_tasks import *  # noqa: F403
