"""Pages of lab result imports and the matching queue (mounted under /diagnostics/)."""

from phaodai.diagnostics.views_imports import PAGES

urlpatterns = PAGES.urlpatterns()
