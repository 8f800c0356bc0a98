"""Escalate food-aid requests waiting over 24 hours: mark them and notify their district (run hourly)."""

from typing import Any

from django.core.management.base import BaseCommand

from phaodai.relief import foodaid


class Command(BaseCommand):
    help = "Mark food-aid requests open for over 24 hours as escalated and notify each one's district."

    def handle(self, *args: Any, **options: Any) -> None:
        count = foodaid.escalate_overdue()
        self.stdout.write(f"{count} food-aid request(s) escalated")
