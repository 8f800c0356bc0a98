"""`phaodai import_boundaries FILE`: store unit and area outlines from a GeoJSON FeatureCollection."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaodai.territory.boundaries import BoundaryImportError, import_boundaries

ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import outlines of units and areas from a GeoJSON FeatureCollection (Polygon or MultiPolygon, "
        "lon/lat); each feature names its unit or area code in a property. A file with any bad feature "
        "saves nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the GeoJSON file")
        parser.add_argument("--source", default="", help="where the outlines come from and their licence")
        parser.add_argument(
            "--code-property",
            default=None,
            help="the property holding the code (default: code, unit_code, area_code)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        try:
            result = import_boundaries(
                raw, source=options["source"] or path.name, code_property=options["code_property"]
            )
        except BoundaryImportError as error:
            lines = [str(error.detail), *(str(e) for e in error.errors[:ERRORS_SHOWN])]
            if len(error.errors) > ERRORS_SHOWN:
                lines.append(f"… and {len(error.errors) - ERRORS_SHOWN} more")
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(f"{result.created} outlines created, {result.replaced} replaced")
