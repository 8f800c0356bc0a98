"""Background work of the cases app, through Django's task API (the django-tasks backport).

`rederive` is the nightly rebuild of every F-level and cluster (`phaodai cases_rederive` runs it in the
foreground): enqueue it once a day, just after midnight, Hà Nội time.
"""

from django_tasks import task

from phaodai.cases import services
from phaodai.core.clock import local_date, now


@task()
def rederive() -> dict[str, object]:
    """Rebuild every level and cluster as of today: cases leave the horizon with time alone."""
    derivation = services.rederive(as_of=local_date(now()))
    return {"levels": list(derivation.levels), "active_clusters": derivation.clusters}
