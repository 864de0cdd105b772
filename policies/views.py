from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ess.content.attachments import attachment_add, attachments_of
from ess.content.diffing import text_diff_html
from ess.content.rendering import render_markdown, table_of_contents
from policies import selectors, services
from policies.forms import AttachmentForm, PolicyForm, PublishForm, ReviewForm, VersionForm
from policies.permissions import can_edit_policies, require


def policy_list(request: HttpRequest) -> HttpResponse:
    policies = selectors.policies_for_reader(user=request.user).order_by("-to_acknowledge", "title")
    return render(request, "policies/policy_list.html", {"policies": policies})


def policy_detail(request: HttpRequest, slug: str) -> HttpResponse:
    policy = selectors.policy_for_reader(user=request.user, slug=slug)
    version = policy.current_version
    context = {
        "policy": policy,
        "version": version,
        "html": render_markdown(version.body),
        "toc": table_of_contents(version.body, max_level=2),
        "history": selectors.version_history(user=request.user, policy=policy),
        "acknowledgement": selectors.has_acknowledged_current(user=request.user, policy=policy),
        "open_request": selectors.open_requests(user=request.user)
        .filter(version__policy=policy)
        .first(),
    }
    return render(request, "policies/policy_detail.html", context)


def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    policy = selectors.policy_for_viewer(user=request.user, slug=slug)
    version = selectors.version_for_reader(user=request.user, policy=policy, number=number)
    return render(
        request,
        "policies/version_detail.html",
        {
            "policy": policy,
            "version": version,
            "html": render_markdown(version.body),
        },
    )


def version_diff(request: HttpRequest, slug: str) -> HttpResponse:
    policy = selectors.policy_for_viewer(user=request.user, slug=slug)
    history = list(selectors.version_history(user=request.user, policy=policy))
    numbers = [v.number for v in history]
    try:
        old = int(request.GET.get("from", min(numbers)))
        new = int(request.GET.get("to", max(numbers)))
    except (TypeError, ValueError):
        old, new = min(numbers), max(numbers)
    by_number = {v.number: v for v in history}
    if old not in by_number or new not in by_number:
        messages.error(request, _("Choose two versions from the list."))
        old, new = min(numbers), max(numbers)
    return render(
        request,
        "policies/version_diff.html",
        {
            "policy": policy,
            "history": history,
            "old": by_number[old],
            "new": by_number[new],
            "diff": text_diff_html(by_number[old].body, by_number[new].body),
        },
    )


@require_POST
def acknowledge(request: HttpRequest, slug: str) -> HttpResponse:
    policy = selectors.policy_for_reader(user=request.user, slug=slug)
    try:
        number = int(request.POST.get("version", ""))
    except ValueError:
        number = -1
    try:
        services.acknowledge(
            user=request.user,
            policy=policy,
            version_number=number,
            text_sha256=request.POST.get("text_sha256", ""),
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: your acknowledgement is recorded."))
    return redirect("policies:detail", slug=policy.slug)


# --- editors ------------------------------------------------------------------------------


def manage_list(request: HttpRequest) -> HttpResponse:
    policies = selectors.policies_for_editor(user=request.user)
    return render(request, "policies/manage_list.html", {"policies": policies})


def manage_create(request: HttpRequest) -> HttpResponse:
    require(can_edit_policies(request.user))
    form = PolicyForm(request.POST or None, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        policy = services.policy_create(
            title=data["title"],
            slug=data["slug"],
            category=data["category"],
            owner=data["owner"],
            actor=request.user,
            audience_everyone=data["audience_everyone"],
            departments=data["audience_departments"],
            locations=data["audience_locations"],
            roles=data["audience_roles"],
        )
        messages.success(request, _("Policy created. Now write its first version."))
        return redirect("policies:version_new", slug=policy.slug)
    return render(request, "policies/manage_form.html", {"form": form})


def manage_detail(request: HttpRequest, slug: str) -> HttpResponse:
    policy = get_object_or_404(selectors.policies_for_editor(user=request.user), slug=slug)
    return render(
        request,
        "policies/manage_detail.html",
        {
            "policy": policy,
            "versions": policy.versions.select_related("author", "reviewer"),
            "publish_form": PublishForm(),
            "review_form": ReviewForm(),
            "attachment_form": AttachmentForm(),
            "attachments": attachments_of(policy.versions.all()),
        },
    )


def version_new(request: HttpRequest, slug: str) -> HttpResponse:
    policy = get_object_or_404(selectors.policies_for_editor(user=request.user), slug=slug)
    initial = {"body": policy.current_version.body} if policy.current_version else {}
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.version_draft(policy=policy, author=request.user, **form.cleaned_data)
        messages.success(request, _("Draft saved. Submit it for review when it is ready."))
        return redirect("policies:manage_detail", slug=policy.slug)
    return render(request, "policies/version_form.html", {"policy": policy, "form": form})


@require_POST
def version_action(request: HttpRequest, slug: str, number: int, action: str) -> HttpResponse:
    policy = get_object_or_404(selectors.policies_for_editor(user=request.user), slug=slug)
    version = get_object_or_404(policy.versions, number=number)
    review = ReviewForm(request.POST)
    comment = review.cleaned_data["comment"] if review.is_valid() else ""
    try:
        if action == "submit":
            services.version_submit(version=version, actor=request.user)
        elif action == "approve":
            services.version_approve(version=version, reviewer=request.user, comment=comment)
        elif action == "reject":
            services.version_reject(version=version, reviewer=request.user, comment=comment)
        elif action == "publish":
            form = PublishForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.get("acknowledge_by") or _("Check the date."))
            services.version_publish(
                version=version,
                actor=request.user,
                acknowledge_by=form.cleaned_data["acknowledge_by"],
            )
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Version %(number)s: done.") % {"number": number})
    return redirect("policies:manage_detail", slug=policy.slug)


@require_POST
def version_attach(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Attach a file or image to a draft; the page shows the Markdown to link or show it."""
    policy = get_object_or_404(selectors.policies_for_editor(user=request.user), slug=slug)
    version = get_object_or_404(policy.versions, number=number)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            item = attachment_add(
                owner=version, upload=form.cleaned_data["file"], uploaded_by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s attached.") % {"name": item.original_name})
    return redirect("policies:manage_detail", slug=policy.slug)
