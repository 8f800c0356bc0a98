"""Pages of vaccination (namespace "vaccination", mounted under /vaccination/)."""

from django.urls import URLPattern, path

from phaodai.vaccination import urls_imports, views, views_changes, views_outreach

app_name = "vaccination"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("vaccines/", views.products, name="products"),
    path("people/find/", views.find, name="find"),
    path("people/<uuid:person_id>/", views.person, name="person"),
    path("doses/<int:pk>/", views.dose, name="dose"),
    path("due/", views.due, name="due"),
    path("people/<uuid:person_id>/home-visit/", views_outreach.home_visit_request, name="home_visit_request"),
    path("home-visits/", views_outreach.home_visits, name="home_visits"),
    path("home-visits/<int:pk>/schedule/", views_outreach.home_visit_schedule, name="home_visit_schedule"),
    path("teams/", views_outreach.teams, name="teams"),
    path("sites/", views_outreach.site_list, name="sites"),
    path("sites/<int:pk>/", views_outreach.site, name="site"),
    path("sites/<int:pk>/invite/", views_outreach.site_invite, name="site_invite"),
    path("sites/<int:pk>/book/", views_outreach.site_book, name="site_book"),
    path("bookings/<int:pk>/check-in/", views_outreach.check_in, name="check_in"),
    path("bookings/<int:pk>/cancel/", views_changes.booking_cancel, name="booking_cancel"),
    path("home-visits/<int:pk>/cancel/", views_changes.home_visit_cancel, name="home_visit_cancel"),
    path("teams/<int:pk>/", views_changes.team_edit, name="team_edit"),
    path("sites/<int:pk>/edit/", views_changes.site_edit, name="site_edit"),
    *urls_imports.urlpatterns,
]
