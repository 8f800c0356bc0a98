"""Pages of the document register and tasks (namespace "command", mounted under /command/)."""

from django.urls import URLPattern, path

from phaodai.command import views_tasks as views

urlpatterns: list[URLPattern] = [
    path("documents/", views.documents, name="documents"),
    path("documents/add/", views.document_add, name="document_add"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/file/", views.document_file, name="document_file"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/add/", views.task_add, name="task_add"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/progress/", views.task_update, name="task_update"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("tasks/<int:pk>/reopen/", views.task_reopen, name="task_reopen"),
    path("updates/<int:pk>/attachment/", views.update_attachment, name="update_attachment"),
]
