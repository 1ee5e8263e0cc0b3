from django.urls import path

from reconciliation import views

app_name = "reconciliation"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export, name="export"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/assign", views.case_assign_view, name="case_assign"),
    path("cases/<int:pk>/note", views.case_note_view, name="case_note"),
    path("cases/<int:pk>/close", views.case_close_view, name="case_close"),
    path("cases/<int:pk>/reopen", views.case_reopen_view, name="case_reopen"),
    path("cases/<int:pk>/decide", views.match_decide_view, name="match_decide"),
]
