import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_signed_in_user_saves_a_language_and_sees_the_portal_in_it(client, employee):
    client.force_login(employee)
    response = client.post(
        reverse("accounts:set_language"), {"language": "nl", "next": reverse("portal:home")}
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.language == "nl"
    page = client.get(reverse("portal:home"))
    assert page.content.decode().startswith("<!DOCTYPE html>")
    assert 'lang="nl"' in page.content.decode()


def test_saved_language_wins_over_the_browser(client, employee):
    employee.language = "nl"
    employee.save()
    client.force_login(employee)
    page = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="nl"' in page.content.decode()


def test_unknown_language_is_refused_with_a_message(client, employee):
    client.force_login(employee)
    response = client.post(reverse("accounts:set_language"), {"language": "xx"}, follow=True)
    assert "not available" in response.content.decode()
    employee.refresh_from_db()
    assert employee.language == ""


@pytest.mark.parametrize(
    "hostile_next",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil.example"],
)
def test_language_switch_never_redirects_off_site(client, employee, hostile_next):
    client.force_login(employee)
    response = client.post(
        reverse("accounts:set_language"), {"language": "en", "next": hostile_next}
    )
    assert response["Location"] == reverse("portal:home")


def test_anonymous_visitor_can_switch_the_sign_in_page_language(client, db):
    response = client.post(reverse("set_language"), {"language": "nl", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get(reverse("account_login"))
    assert 'lang="nl"' in page.content.decode()
