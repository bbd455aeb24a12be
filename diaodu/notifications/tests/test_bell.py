"""The bell: each person reads only their own notices, opens them, and marks them all read."""

from django.urls import reverse

from diaodu.conftest import login
from diaodu.factories import NotificationFactory
from diaodu.notifications.models import Notification


def test_the_list_shows_ones_own_notices_and_the_bell_counts_the_unread(city):
    mine = NotificationFactory(recipient=city.users.owner, title="填报被退回")
    NotificationFactory(recipient=city.users.owner, title="已读的通知", read_at=mine.created_at)
    NotificationFactory(recipient=city.users.jiefang, title="别人的通知")
    response = login(city.users.owner).get(reverse("notifications:list"))
    assert [n.title for n in response.context["page"]] == ["已读的通知", "填报被退回"]
    assert response.context["unread_notifications"] == 1
    assert "别人的通知" not in response.content.decode()


def test_opening_a_notice_marks_it_read_and_follows_its_link(city):
    notice = NotificationFactory(recipient=city.users.owner, url=reverse("projects:list"))
    response = login(city.users.owner).get(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("projects:list")
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_link_to_another_site_is_not_followed(city):
    notice = NotificationFactory(recipient=city.users.owner, url="https://evil.example.com/")
    response = login(city.users.owner).get(reverse("notifications:open", args=[notice.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_someone_elses_notice_is_404_and_stays_unread(city):
    notice = NotificationFactory(recipient=city.users.jiefang)
    for user in (city.users.owner, city.users.hq):
        response = login(user).get(reverse("notifications:open", args=[notice.pk]))
        assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_read_all_marks_only_ones_own_and_only_by_post(city):
    for _ in range(3):
        NotificationFactory(recipient=city.users.owner)
    other = NotificationFactory(recipient=city.users.jiefang)
    client = login(city.users.owner)
    assert client.get(reverse("notifications:read-all")).status_code == 405
    response = client.post(reverse("notifications:read-all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=city.users.owner, read_at=None).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_anonymous_users_are_sent_to_sign_in(client, city):
    notice = NotificationFactory(recipient=city.users.owner)
    for url in [
        reverse("notifications:list"),
        reverse("notifications:open", args=[notice.pk]),
        reverse("notifications:settings"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    assert client.post(reverse("notifications:read-all")).status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is None
