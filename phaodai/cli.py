"""The `phaodai` console command: Django's management commands (`phaodai migrate`, `phaodai demo`…)."""

import os
import sys
from pathlib import Path


def _ensure_var_dir() -> None:
    # SQLite cannot create the directory of its file, and var/ is not in a fresh clone.
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        var_dir = getattr(settings, "VAR_DIR", None)
    except ImproperlyConfigured:
        return  # let Django's own command runner report the configuration problem
    if var_dir:
        Path(var_dir).mkdir(parents=True, exist_ok=True)


def main(argv: list[str] | None = None) -> None:
    """Run a management command with phaodai's settings unless DJANGO_SETTINGS_MODULE says otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    _ensure_var_dir()
    execute_from_command_line(["phaodai", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
