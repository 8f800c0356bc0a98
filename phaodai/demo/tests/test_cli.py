"""The `phaodai` console command forwards to Django's management commands."""

import pytest

from phaodai.cli import main


def test_phaodai_demo_help_lists_the_demo_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--help"])
    assert exit_info.value.code == 0
    usage = capsys.readouterr().out
    for option in ("--seed", "--persons", "--password", "--reset", "--no-serve", "--port"):
        assert option in usage


def test_phaodai_runs_any_management_command(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check"])
    assert "no issues" in capsys.readouterr().out
