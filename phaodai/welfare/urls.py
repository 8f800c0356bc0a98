"""Pages of welfare (namespace "welfare", mounted under /welfare/): the officials' pages (applications,
the wards' lists, the district's appraisal and decisions, payments) and the public transparency pages."""

from django.urls import URLPattern, path

from phaodai.welfare import views_applications as applications
from phaodai.welfare import views_home, views_lists, views_payments, views_public

app_name = "welfare"

urlpatterns: list[URLPattern] = [
    path("", views_home.home, name="home"),
    # Applications: filing for a resident, the ward's review, documents, objections.
    path("applications/", applications.application_list, name="applications"),
    path("applications/new/", applications.application_new, name="application_new"),
    path("applications/new/find/", applications.application_find, name="application_find"),
    path("candidates/food/", applications.food_candidates, name="food_candidates"),
    path("applications/<int:pk>/", applications.application_detail, name="application"),
    path("applications/<int:pk>/review/", applications.application_review, name="application_review"),
    path("applications/<int:pk>/withdraw/", applications.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/documents/", applications.application_attach, name="application_attach"),
    path("applications/<int:pk>/objections/", applications.objection_new, name="objection_new"),
    path("documents/<int:pk>/", applications.document_download, name="document"),
    path("objections/<int:pk>/resolve/", applications.objection_resolve, name="objection_resolve"),
    # The wards' lists and the district's appraisal and approval.
    path("lists/", views_lists.list_index, name="lists"),
    path("lists/post/", views_lists.list_post, name="list_post"),
    path("lists/<int:pk>/", views_lists.list_detail, name="list"),
    path("lists/<int:pk>/send/", views_lists.list_submit, name="list_submit"),
    path("lists/<int:pk>/appraise/", views_lists.list_appraise, name="list_appraise"),
    path("approve/", views_lists.approve, name="approve"),
    # Decisions and payments.
    path("payments/", views_payments.payment_index, name="payments"),
    path("payments/<int:pk>/", views_payments.payment_detail, name="payment"),
    path("applications/<int:pk>/pay/", views_payments.pay_line, name="pay"),
    path("applications/<int:pk>/revoke/", views_payments.revoke_line, name="revoke"),
    path("decisions/<int:pk>/", views_payments.decision_detail, name="decision"),
    path("decisions/<int:pk>/payment-list.csv", views_payments.payment_list_csv, name="payment_list"),
    path("decisions/<int:pk>/reconcile/", views_payments.payments_reconcile, name="payments_reconcile"),
    # Public transparency (no sign-in).
    path("public/", views_public.public_index, name="public"),
    path("public/<str:code>/", views_public.public_ward, name="public_ward"),
]
