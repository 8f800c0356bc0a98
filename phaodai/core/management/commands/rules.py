"""`phaodai rules eval`: read {"logic": ..., "data": ...} on stdin, print {"result": ...} or {"error": ...}.

Date-times print as JavaScript's Date.toJSON does ("2021-09-09T23:00:00.000Z"), so the output can be
compared with the JS twin's. Exit status: 0 with a result, 1 when the rule raised, 2 for bad input.
"""

import json
import sys
from datetime import UTC, date, datetime
from typing import Any, Final, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaodai.core.rules import RuleError, apply

MAX_INPUT_CHARS: Final = 1 << 20


class Command(BaseCommand):
    help = 'Rules engine: `eval` applies {"logic", "data"} read from stdin and prints the result as JSON.'
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{eval}")
        commands.add_parser(
            "eval", help='Apply {"logic": ..., "data": ...} from stdin; print {"result": ...}.'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "eval":
            self.evaluate(options.get("stdin") or sys.stdin)

    def evaluate(self, stdin: Any) -> None:
        try:
            logic, data = _read(stdin)
        except ValueError as error:
            self._fail(str(error), 2)
        try:
            result = apply(logic, data)
            text = json.dumps({"result": result}, default=_date_json, ensure_ascii=False, allow_nan=False)
        except (RuleError, ValueError, TypeError) as error:  # a result JSON cannot show (NaN, infinity)
            self._fail(str(error), 1)
        self.stdout.write(text)

    def _fail(self, message: str, status: int) -> NoReturn:
        self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        raise CommandError(message, returncode=status)


def _read(stdin: Any) -> tuple[Any, Any]:
    text = stdin.read(MAX_INPUT_CHARS + 1)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("stdin is not UTF-8 text") from None
    if len(text) > MAX_INPUT_CHARS:
        raise ValueError(f"stdin holds more than {MAX_INPUT_CHARS} characters")
    try:
        request = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise ValueError('stdin must be a JSON object {"logic": ..., "data": ...}') from None
    if not isinstance(request, dict) or "logic" not in request or not set(request) <= {"logic", "data"}:
        raise ValueError('stdin must be a JSON object {"logic": ..., "data": ...}')
    return request["logic"], request.get("data")


def _date_json(value: Any) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")
