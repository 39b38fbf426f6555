from django.urls import path

from agreements.accounts import account, members, views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.overview, name="two-factor"),
    path("two-factor/set-up/", views.EnrolmentView.as_view(), name="two-factor-enrol"),
    path("two-factor/set-up/qr-code.svg", views.enrolment_qr_code, name="two-factor-qr"),
    path("two-factor/code/", views.SecondStepView.as_view(), name="two-factor-verify"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="two-factor-codes"),
    path("two-factor/off/", views.turn_off, name="two-factor-off"),
    path("me/", account.account, name="account"),
    path("invitation/<str:token>/", members.invitation, name="invitation"),
    path("agencies/<slug:slug>/officials/", members.agency_members, name="agency-members"),
]

# Under /parks/, namespace "parks" (symbiosis/urls.py places them there).
park_patterns = [
    path("<slug:slug>/members/", members.park_members, name="members"),
]
