from django.urls import path

from phaodai.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("<str:code>/", views.unit, name="unit"),
]
