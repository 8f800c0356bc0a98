"""Officials' zoning pages: criteria tables and indicators (authoring), rounds, proposals, decisions."""

from django.urls import URLPattern

from phaodai.zoning.urls_authoring import urlpatterns as authoring
from phaodai.zoning.urls_workflow import urlpatterns as workflow

app_name = "zoning"

urlpatterns: list[URLPattern] = [*authoring, *workflow]
