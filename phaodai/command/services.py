"""Writes of the command app: directives and tasks (services_tasks), committees and more (services_bodies)."""

from phaodai.command.services_bodies import *  # noqa: F403
from phaodai.command.services_tasks import *  # noqa: F403
