"""Who may change a checkpoint and its roster: its focal unit's managers (and the units above them)."""

from typing import Any

from phaodai.accounts.roles import Perm
from phaodai.checkpoints.errors import NotManagingHere
from phaodai.checkpoints.models import Checkpoint
from phaodai.checkpoints.selectors import CHECKPOINT_TYPE, may_manage, reaches
from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.core.jurisdiction import log_out_of_scope, paths_of


def require_manager(by: Any, checkpoint: Checkpoint) -> None:
    """403 without the permission, or for a reader who does not manage it (the other side, a checkpoint
    officer); 404, logged, for a checkpoint out of the user's reach."""
    if not paths_of(by, Perm.MANAGE_CHECKPOINTS):
        raise NotPermitted()
    if may_manage(by, checkpoint):
        return
    if reaches(by, checkpoint):
        raise NotManagingHere()
    log_out_of_scope(by, CHECKPOINT_TYPE, checkpoint.pk, checkpoint.unit_path)
    raise OutOfScope()
