from django.urls import path

from diaodu.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/agenda.docx", views.agenda_download, name="agenda-docx"),
    path("<int:pk>/minutes.docx", views.minutes_download, name="minutes-docx"),
    path("<int:pk>/extract/", views.meeting_extract, name="extract"),
    path("<int:pk>/confirm/", views.meeting_confirm, name="confirm"),
    path("<int:pk>/alias/", views.meeting_add_alias, name="add-alias"),
]
