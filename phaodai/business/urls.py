"""Pages of businesses and their COVID-safety plans (namespace "business", mounted under /business/)."""

from django.urls import URLPattern, path

from phaodai.business import views, views_attachments, views_plans

app_name = "business"

urlpatterns: list[URLPattern] = [
    path("", views.businesses, name="businesses"),
    path("mine/", views.mine, name="mine"),
    path("add/", views.business_add, name="add"),
    path("<int:pk>/", views.business_detail, name="detail"),
    path("<int:pk>/representatives/", views.representative_add, name="representative_add"),
    path("<int:pk>/plans/add/", views_plans.plan_add, name="plan_add"),
    path("plans/desk/", views_plans.desk, name="desk"),
    path("plans/<int:pk>/", views_plans.plan, name="plan"),
    path("plans/<int:pk>/edit/", views_plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/submit/", views_plans.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/documents/", views_attachments.attach, name="plan_attach"),
    path("plans/documents/<int:pk>/", views_attachments.download, name="plan_document"),
    path("plans/documents/<int:pk>/remove/", views_attachments.remove, name="plan_document_remove"),
    path("plans/<int:pk>/<slug:action>/", views_plans.plan_decide, name="plan_decide"),
]
