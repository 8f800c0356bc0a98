"""Pages of dose imports and the queue of doses to match (part of the "vaccination" namespace)."""

from phaodai.vaccination.views_imports import PAGES

urlpatterns = PAGES.urlpatterns()
