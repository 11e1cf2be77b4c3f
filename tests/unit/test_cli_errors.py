"""Bad arguments to any ``courier`` command: one line on stderr naming the command and
the problem, and a non-zero exit, never argparse's usage block (app/cli.py)."""

from __future__ import annotations

import pytest

from app.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "courier: error: the following arguments are required: COMMAND"),
        (["frobnicate"], "courier: error: argument COMMAND: invalid choice: 'frobnicate'"),
        (["eval", "--bogus"], "courier eval: error: unrecognized arguments: --bogus"),
        (["keys", "revoke", "k", "--x"], "courier keys revoke: error: unrecognized arguments: --x"),
        (["eval", "--provider", "psychic"], "courier eval: error: argument --provider: invalid"),
        (["keys", "create", "--user", "u"], "courier keys create: error: the following arguments"),
        (["budget", "set", "--tenant", "a", "--monthly-usd", "lots"], "not an amount"),
        (["backfill", "--kind", "k", "--since", "soon"], "not an ISO 8601 date or time"),
        (["prompts", "split", "--tenant", "a"], "courier prompts split: error:"),
    ],
)
def test_cli__bad_arguments_are_one_line_and_a_non_zero_exit(capsys, argv, message):
    with pytest.raises(SystemExit) as exited:
        main(argv)

    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "usage:" not in err
    assert message in err
