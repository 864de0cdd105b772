"""Forms of the knowledge base: reader feedback and questions, and the editors' screens."""

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from helpdesk.knowledge.models import Article, Audience, Category, Language, Space
from hr.models import Department, Location

MAX_TAGS = 20
MAX_RELATED = 20


def _split_list(value: str) -> list[str]:
    """ "a, b ,, c" -> ["a", "b", "c"], keeping the first of each (case-insensitive) name."""
    seen: dict[str, str] = {}
    for part in (value or "").split(","):
        name = " ".join(part.split())
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


class TagsField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            label=_("Tags"),
            required=False,
            max_length=1000,
            help_text=_("Separate tags with commas, e.g. vpn, laptop, remote work."),
            **kwargs,
        )

    def clean(self, value):
        tags = _split_list(super().clean(value))
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(_("Use at most %(max)d tags.") % {"max": MAX_TAGS})
        if any(len(tag) > 60 for tag in tags):
            raise forms.ValidationError(_("A tag can be at most 60 characters long."))
        return tags


# --- Readers ----------------------------------------------------------------------------------
class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("Did this answer your question?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything we should add or correct? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # What the reader had searched for, carried on to "Ask for help".
    q = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)


class AskForm(forms.Form):
    subject = forms.CharField(
        label=_("Your question"),
        max_length=200,
        help_text=_("One line, e.g. “How do I connect to the VPN from home?”"),
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you tried and what you expected. Do not include passwords."),
    )
    space = forms.ModelChoiceField(
        label=_("Who should answer"),
        queryset=Space.objects.all(),
        empty_label=None,
        help_text=_("The editors of this part of the knowledge base receive your question."),
    )
    searched_for = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)
    article = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)


# --- Editors ----------------------------------------------------------------------------------
class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.path


class _CategoryInSpaceMixin:
    """The category must belong to the chosen space."""

    def clean(self):
        cleaned = super().clean()
        space = cleaned.get("space") or getattr(self, "fixed_space", None)
        category = cleaned.get("category")
        if space is not None and category is not None and category.space_id != space.pk:
            self.add_error(
                "category", _("Choose a category of the space %(space)s.") % {"space": space}
            )
        return cleaned


class ArticleCreateForm(_CategoryInSpaceMixin, forms.Form):
    space = forms.ModelChoiceField(label=_("Space"), queryset=Space.objects.all())
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.select_related("space"),
        required=False,
        help_text=_("Optional; leave empty to file the article at the top of the space."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace"}),
        help_text=_("Markdown: ## headings, **bold**, *italic*, - lists, [links](https://…)."),
    )
    tags = TagsField()
    gap = forms.IntegerField(required=False, widget=forms.HiddenInput)
    question = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ArticleEditForm(_CategoryInSpaceMixin, forms.Form):
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace"}),
        help_text=_("Markdown: ## headings, **bold**, *italic*, - lists, [links](https://…)."),
    )
    tags = TagsField()
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        help_text=_("One line for the history, e.g. “New VPN client for macOS”."),
    )

    def __init__(self, *args, space: Space, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_space = space
        self.fields["category"].queryset = Category.objects.filter(space=space).select_related(
            "space"
        )


class AudienceForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Who may read it"), choices=Audience.choices, widget=forms.RadioSelect
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.order_by("name"),
        required=False,
        help_text=_("Sub-departments are included."),
    )
    locations = forms.ModelMultipleChoiceField(
        label=_("Locations"), queryset=Location.objects.order_by("name"), required=False
    )
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles"), queryset=Group.objects.order_by("name"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        narrowed = any(cleaned.get(name) for name in ("departments", "locations", "roles"))
        if cleaned.get("audience") == Audience.RESTRICTED and not narrowed:
            raise forms.ValidationError(
                _("Choose at least one department, location or role for a restricted article.")
            )
        return cleaned


class ArticleKeysField(forms.CharField):
    """Articles named by key, comma-separated: scales to any number of articles."""

    def __init__(self, *, max_count: int, **kwargs) -> None:
        self.max_count = max_count
        super().__init__(required=False, max_length=3000, **kwargs)

    def clean(self, value):
        keys = _split_list(super().clean(value))
        if len(keys) > self.max_count:
            raise forms.ValidationError(
                _("Name at most %(max)d articles.") % {"max": self.max_count}
            )
        found = {a.key: a for a in Article.objects.filter(key__in=keys)}
        missing = [key for key in keys if key not in found]
        if missing:
            raise forms.ValidationError(
                _("No article has the key %(keys)s.") % {"keys": ", ".join(missing)}
            )
        return [found[key] for key in keys]


class RelatedForm(forms.Form):
    related = ArticleKeysField(
        max_count=MAX_RELATED,
        label=_("Related articles"),
        help_text=_("Keys of related articles, separated by commas, e.g. vpn-setup, wifi-guest."),
    )


class TranslationForm(forms.Form):
    original = ArticleKeysField(
        max_count=1,
        label=_("This is a translation of"),
        help_text=_("The key of the original article. Leave empty if this article is an original."),
    )


class AttachmentForm(forms.Form):
    upload = forms.FileField(
        label=_("File or image"),
        help_text=_("PDF, PNG, JPEG, GIF, WebP or an Office document."),
    )


class QuestionAnswerForm(forms.Form):
    article = ArticleKeysField(
        max_count=1,
        label=_("Answered by article"),
        help_text=_("The key of an existing article that answers the question."),
    )

    def clean_article(self):
        articles = self.cleaned_data["article"]
        if not articles:
            raise forms.ValidationError(_("Name the article that answers the question."))
        return articles[0]
