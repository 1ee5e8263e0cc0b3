from django.urls import path

from social import views

app_name = "social"

urlpatterns = [
    path("", views.index, name="index"),
    path("calendar/", views.calendar, name="calendar"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/approve/", views.decide, {"decision": "approve"}, name="approve"),
    path("<int:pk>/reject/", views.decide, {"decision": "reject"}, name="reject"),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("drafts/<int:proposal_pk>/edit/", views.draft_edit, name="draft_edit"),
]
