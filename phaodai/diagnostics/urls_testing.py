"""Pages of testing rounds, samples and results (included by urls.py under the "diagnostics" namespace).

Persons never appear in these URLs; a CCCD only travels in a POST body.
"""

from django.urls import URLPattern, path

from phaodai.diagnostics import views_samples, views_testing

urlpatterns: list[URLPattern] = [
    path("", views_testing.home, name="home"),
    path("rounds/new/", views_testing.round_new, name="round_new"),
    path("rounds/<int:pk>/", views_testing.round_detail, name="round"),
    path("rounds/<int:pk>/close/", views_testing.round_close, name="round_close"),
    path("rounds/<int:pk>/targets/", views_testing.round_targets, name="round_targets"),
    path("sessions/<int:pk>/", views_testing.session_detail, name="session"),
    path("samples/new/", views_samples.sample_new, name="sample_new"),
    path("samples/<int:pk>/", views_samples.sample_detail, name="sample"),
    path("samples/<int:pk>/result/", views_samples.sample_result, name="sample_result"),
    path("pools/<int:pk>/", views_samples.pool_detail, name="pool"),
    path("pools/<int:pk>/result/", views_samples.pool_result, name="pool_result"),
    path("results/", views_samples.results, name="results"),
    path("retests/", views_samples.retests, name="retests"),
    path("positives/", views_samples.positives, name="positives"),
    path("turnaround/", views_samples.turnaround_page, name="turnaround"),
]
