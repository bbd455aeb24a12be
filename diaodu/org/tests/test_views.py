"""The password-change page, which every signed-in user may use at any time."""

from django.urls import reverse

from diaodu.conftest import login
from diaodu.factories import PASSWORD

URL = reverse("password_change")


def test_anonymous_users_are_sent_to_sign_in(client, city):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_wrong_old_password_changes_nothing(city):
    client = login(city.users.owner)
    response = client.post(
        URL,
        {"old_password": "not-it", "new_password1": "Jz#Kp7qm-x", "new_password2": "Jz#Kp7qm-x"},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    city.users.owner.refresh_from_db()
    assert city.users.owner.check_password(PASSWORD)


def test_a_user_changes_the_password_and_stays_signed_in(city):
    client = login(city.users.owner)
    assert client.get(URL).status_code == 200
    response = client.post(
        URL,
        {"old_password": PASSWORD, "new_password1": "Jz#Kp7qm-x", "new_password2": "Jz#Kp7qm-x"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "密码已修改。" in response.content.decode()
    city.users.owner.refresh_from_db()
    assert city.users.owner.check_password("Jz#Kp7qm-x")
    assert client.get(reverse("projects:list")).status_code == 200
