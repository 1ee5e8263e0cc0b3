from django.urls import include, path

from proposals import views

app_name = "proposals"

urlpatterns = [
    path("", views.index, name="index"),
    path("ai/", include("proposals.agent.urls")),
    path("rules/", include("proposals.rules.urls")),
    path("guardrails/", views.guardrails, name="guardrails"),
    path("roi/", views.roi, name="roi"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/log/", views.execution_log, name="execution_log"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/undo/", views.undo, name="undo"),
    path("<int:pk>/todo/done/", views.todo_mark_done, name="todo_done"),
    path("<int:pk>/todo/undone/", views.todo_mark_undone, name="todo_undone"),
]
