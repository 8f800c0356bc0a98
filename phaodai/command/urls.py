from django.urls import URLPattern

from phaodai.command import urls_bodies, urls_tasks

app_name = "command"

urlpatterns: list[URLPattern] = [*urls_tasks.urlpatterns, *urls_bodies.urlpatterns]
