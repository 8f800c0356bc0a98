"""Pages of testing (namespace "diagnostics", mounted under /diagnostics/): rounds, samples and results
(urls_testing.py) and lab result imports (urls_imports.py)."""

from django.urls import URLPattern

from phaodai.diagnostics import urls_imports, urls_testing

app_name = "diagnostics"

urlpatterns: list[URLPattern] = [*urls_testing.urlpatterns, *urls_imports.urlpatterns]
