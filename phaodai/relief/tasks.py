"""Background work of relief, through Django's task API (the django-tasks backport).

`escalate` is safe to enqueue as often as wanted (hourly from a scheduler or cron): a request is
escalated once and its district notified once. `phaodai relief_escalate` runs it in the foreground.
"""

from django_tasks import task

from phaodai.relief import foodaid


@task()
def escalate() -> dict[str, int]:
    """Mark food-aid requests open for over 24 hours and notify each one's district."""
    return {"escalated": foodaid.escalate_overdue()}
