import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ess.content.attachments import attachment_add
from policies import services
from policies.models import Acknowledgement
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.matrix import Row, assert_access, expand
from tests.policies.factories import TODAY, published_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_only_policy(hr_officer, admin_user):
    """A policy for the it_agent role only, published, with a draft v2 on top."""
    policy = published_policy(
        owner=hr_officer,
        reviewer=admin_user,
        slug="it-rules",
        body="# IT rules",
        audience_everyone=False,
        roles=[Group.objects.get(name="it_agent")],
    )
    services.version_draft(
        policy=policy,
        body="secret draft",
        change_summary="d",
        significance="minor",
        effective_date=TODAY,
        review_by=TODAY.replace(year=2027),
        author=hr_officer,
    )
    return policy


def _url(name, *args):
    def build(request):
        request.getfixturevalue("it_only_policy")
        return reverse(name, args=args)

    build.__name__ = name
    return build


MATRIX = [
    Row("policies:list", {"anonymous": 302, "employee": 200, "it_agent": 200}),
    Row(
        _url("policies:detail", "it-rules"),
        {"anonymous": 302, "employee": 404, "it_agent": 200, "hr_officer": 200},
    ),
    Row(
        _url("policies:version", "it-rules", 1),
        {"employee": 404, "it_agent": 200, "hr_officer": 200},
    ),
    # The draft is for editors only.
    Row(
        _url("policies:version", "it-rules", 2),
        {"employee": 404, "it_agent": 404, "hr_officer": 200, "admin_user": 200},
    ),
    Row(_url("policies:diff", "it-rules"), {"employee": 404, "it_agent": 200}),
    Row(
        _url("policies:acknowledge", "it-rules"), {"employee": 404, "it_agent": 302}, method="post"
    ),
    Row(
        "policies:manage_list",
        {
            "anonymous": 302,
            "employee": 404,
            "manager": 404,
            "it_agent": 404,
            "hr_officer": 200,
            "admin_user": 200,
        },
    ),
    Row("policies:manage_create", {"employee": 404, "hr_officer": 200}),
    Row(
        _url("policies:manage_detail", "it-rules"),
        {"employee": 404, "auditor": 404, "hr_officer": 200},
    ),
    Row(
        _url("policies:version_action", "it-rules", 2, "submit"),
        {"employee": 404, "it_agent": 404, "hr_officer": 302},
        method="post",
    ),
    Row(
        "policies:compliance",
        {
            "anonymous": 302,
            "employee": 404,
            "it_agent": 404,
            "manager": 200,
            "hr_officer": 200,
            "auditor": 200,
        },
    ),
    Row("policies:stale", {"employee": 404, "manager": 404, "hr_officer": 200}),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_employee_reads_and_acknowledges_in_the_browser_flow(
    client, hr_officer, admin_user, employee
):
    policy = published_policy(owner=hr_officer, reviewer=admin_user)
    client.force_login(employee)
    page = client.get(reverse("policies:detail", args=[policy.slug])).content.decode()
    assert "Please read and acknowledge" in page
    version = policy.current_version
    response = client.post(
        reverse("policies:acknowledge", args=[policy.slug]),
        {"version": version.number, "text_sha256": version.text_sha256},
        follow=True,
    )
    assert "acknowledgement is recorded" in response.content.decode()
    assert Acknowledgement.objects.filter(user=employee, version=version).exists()
    home = client.get(reverse("portal:home")).content.decode()
    assert '<span class="visually-hidden"> waiting for you' not in home


def test_acknowledging_with_a_stale_hash_is_refused_with_a_message(
    client, hr_officer, admin_user, employee
):
    policy = published_policy(owner=hr_officer, reviewer=admin_user)
    client.force_login(employee)
    response = client.post(
        reverse("policies:acknowledge", args=[policy.slug]),
        {"version": 1, "text_sha256": "old"},
        follow=True,
    )
    assert "changed while you were reading" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_home_shows_how_many_policies_wait(client, hr_officer, admin_user, employee):
    published_policy(owner=hr_officer, reviewer=admin_user, slug="a")
    published_policy(owner=hr_officer, reviewer=admin_user, slug="b")
    client.force_login(employee)
    html = client.get(reverse("portal:home")).content.decode()
    assert '2<span class="visually-hidden"> waiting for you' in html


def test_editor_publishes_from_the_pages(client, hr_officer, admin_user):
    client.force_login(hr_officer)
    response = client.post(
        reverse("policies:manage_create"),
        {
            "title": "Travel",
            "slug": "travel",
            "category": "finance",
            "owner": hr_officer.pk,
            "audience_everyone": "on",
        },
    )
    assert response.status_code == 302
    client.post(
        reverse("policies:version_new", args=["travel"]),
        {
            "body": "# Travel\n\nTrain first.",
            "change_summary": "First",
            "significance": "major",
            "effective_date": "2026-11-02",
            "review_by": "2027-11-02",
        },
    )
    client.post(reverse("policies:version_action", args=["travel", 1, "submit"]))
    # The author cannot approve; the page says why.
    refused = client.post(
        reverse("policies:version_action", args=["travel", 1, "approve"]), follow=True
    )
    assert "own version" in refused.content.decode()
    client.force_login(admin_user)
    client.post(reverse("policies:version_action", args=["travel", 1, "approve"]))
    client.post(
        reverse("policies:version_action", args=["travel", 1, "publish"]), {"acknowledge_by": ""}
    )
    client.force_login(hr_officer)
    page = client.get(reverse("policies:detail", args=["travel"])).content.decode()
    assert "Train first." in page


def test_policy_text_is_sanitised_on_the_page(client, hr_officer, admin_user, employee):
    body = (
        "# Rules\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
        '<img src="x" onerror="alert(3)">\n\n<a href="data:text/html,hi">d</a>'
    )
    policy = published_policy(owner=hr_officer, reviewer=admin_user, body=body)
    client.force_login(employee)
    html = client.get(reverse("policies:detail", args=[policy.slug])).content.decode()
    article = html.split('aria-label="Policy text">', 1)[1].split("</article>", 1)[0]
    assert "<script" not in article
    assert 'href="javascript:' not in article  # the refused link stays as plain text
    assert "onerror" not in article
    assert "data:text" not in article
    assert '<h1 id="rules">Rules</h1>' in article


def test_version_diff_shows_added_and_removed_lines(client, hr_officer, admin_user, employee):
    from tests.policies.factories import publish_version

    policy = published_policy(owner=hr_officer, reviewer=admin_user, body="keep\nold line")
    publish_version(
        policy, owner=hr_officer, reviewer=admin_user, body="keep\nnew line", significance="minor"
    )
    client.force_login(employee)
    html = client.get(
        reverse("policies:diff", args=[policy.slug]), {"from": 1, "to": 2}
    ).content.decode()
    assert "<del>old line</del>" in html
    assert "<ins>new line</ins>" in html


def test_policy_list_query_count_is_fixed(
    client, hr_officer, admin_user, employee, django_assert_max_num_queries
):
    for index in range(6):
        published_policy(owner=hr_officer, reviewer=admin_user, slug=f"p{index}")
    client.force_login(employee)
    # session, user, employee, groups, policies (annotated), frame: sections, bell
    with django_assert_max_num_queries(9):
        html = client.get(reverse("policies:list")).content.decode()
    assert html.count("To acknowledge") == 6


def test_attachments_of_a_policy_follow_its_audience(
    client, hr_officer, admin_user, employee, it_agent
):
    policy = published_policy(
        owner=hr_officer,
        reviewer=admin_user,
        slug="it-rules",
        audience_everyone=False,
        roles=[Group.objects.get(name="it_agent")],
    )
    upload = SimpleUploadedFile("../../etc/passwd.pdf", b"%PDF-1.4 test", content_type="text/html")
    item = attachment_add(owner=policy.current_version, upload=upload, uploaded_by=hr_officer)
    assert item.original_name == "passwd.pdf"
    assert item.content_type == "application/pdf"
    url = reverse("content:attachment", args=[item.pk])
    client.force_login(employee)
    assert client.get(url).status_code == 404
    client.force_login(it_agent)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("fake.pdf", b"<html>not a pdf</html>"),
    ],
)
def test_svg_html_and_disguised_files_are_refused(hr_officer, admin_user, name, payload):
    from django.core.exceptions import ValidationError

    from ess.content.models import Attachment

    policy = published_policy(owner=hr_officer, reviewer=admin_user)
    with pytest.raises(ValidationError, match="cannot be attached"):
        attachment_add(
            owner=policy.current_version,
            upload=SimpleUploadedFile(name, payload),
            uploaded_by=hr_officer,
        )
    assert not Attachment.objects.exists()


def test_department_audience_member_can_read(client, hr_officer, admin_user):
    department = DepartmentFactory()
    member = EmployeeFactory(department=department).user
    outsider = EmployeeFactory().user
    policy = published_policy(
        owner=hr_officer,
        reviewer=admin_user,
        slug="dept",
        audience_everyone=False,
        departments=[department],
    )
    client.force_login(member)
    assert client.get(reverse("policies:detail", args=[policy.slug])).status_code == 200
    client.force_login(outsider)
    assert client.get(reverse("policies:detail", args=[policy.slug])).status_code == 404


def test_editor_attaches_files_to_a_draft_and_hostile_ones_are_refused(
    client, hr_officer, admin_user, employee
):
    from ess.content.models import Attachment
    from policies import services as policy_services

    policy = published_policy(owner=hr_officer, reviewer=admin_user)
    draft = policy_services.version_draft(
        policy=policy,
        body="x",
        change_summary="d",
        significance="minor",
        effective_date=TODAY,
        review_by=TODAY.replace(year=2027),
        author=hr_officer,
    )
    url = reverse("policies:version_attach", args=[policy.slug, draft.number])
    client.force_login(hr_officer)
    ok = client.post(url, {"file": SimpleUploadedFile("rules.pdf", b"%PDF-1.7 rules")}, follow=True)
    assert "rules.pdf attached" in ok.content.decode()
    assert "[rules.pdf](/content/attachments/" in ok.content.decode()
    bad = client.post(
        url, {"file": SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>")}, follow=True
    )
    assert "cannot be attached" in bad.content.decode()
    assert Attachment.objects.count() == 1
    # A draft's attachment is not for employees yet.
    client.force_login(employee)
    item = Attachment.objects.get()
    assert client.get(reverse("content:attachment", args=[item.pk])).status_code == 404
    client.force_login(employee)
    assert client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1")}).status_code == 404
