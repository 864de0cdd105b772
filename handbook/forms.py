from django import forms
from django.utils.translation import gettext_lazy as _

from ess.accounts.models import User
from handbook.models import Chapter, Section, SectionVersion


class OwnerField(forms.ModelChoiceField):
    """The owner by e-mail address: scales to any number of people, unlike a drop-down."""

    default_error_messages = {"invalid_choice": _("Nobody active in the portal has this e-mail.")}

    def __init__(self, **kwargs) -> None:
        super().__init__(
            queryset=User.objects.filter(is_active=True),
            to_field_name="email",
            widget=forms.EmailInput,
            label=_("Owner's e-mail"),
            help_text=_("The owner keeps the section right and is reminded to review it."),
            **kwargs,
        )

    def to_python(self, value):
        return super().to_python(value.strip().lower() if isinstance(value, str) else value)


class ChapterForm(forms.ModelForm):
    class Meta:
        model = Chapter
        fields = ["title", "slug", "summary", "position"]
        help_texts = {"slug": _("Used in the address, e.g. working-hours.")}


class SectionForm(forms.ModelForm):
    owner = OwnerField()

    class Meta:
        model = Section
        fields = ["title", "slug", "parent", "position", "owner", "review_by", "language"]
        widgets = {"review_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, chapter: Chapter, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.chapter = chapter
        parents = Section.objects.filter(chapter=chapter, parent__isnull=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].help_text = _("Leave empty for a section of its own.")
        self.fields["position"].required = False
        self.fields["position"].help_text = _("Empty puts it last.")


class VersionForm(forms.ModelForm):
    class Meta:
        model = SectionVersion
        fields = ["body", "change_summary"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20, "class": "font-monospace"})}
        help_texts = {
            "body": _("Markdown: ## headings, **bold**, *italic*, - lists, [links](https://…)."),
            "change_summary": _("One line for the history, e.g. “Carry-over of leave to 1 May”."),
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you send the version back."),
    )
