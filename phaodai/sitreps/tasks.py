"""Background work of situation reports, through Django's task API (the django-tasks backport).

`remind` is safe to enqueue as often as wanted (every few minutes from a scheduler or cron): each
reminder and escalation carries a key and is sent once. `phaodai sitreps_remind` runs it in the
foreground instead.
"""

from django_tasks import task

from phaodai.sitreps import services


@task()
def remind() -> dict[str, int]:
    """Remind units that have not reported before a deadline; after it, tell the receiving level."""
    run = services.send_reminders()
    return {"reminded": run.reminded, "escalated": run.escalated}
