from django.utils.translation import gettext_lazy as _

from ess.notifications.kinds import NotificationKind, register_kind

KB_ARTICLE_REVIEW = register_kind(
    NotificationKind("kb_article_review", _("Knowledge articles I own that need attention"))
)
KB_QUESTION = register_kind(
    NotificationKind("kb_question", _("Questions asked to the knowledge base editors"))
)
KB_ANSWER = register_kind(
    NotificationKind("kb_answer", _("Answers to my questions to the knowledge base"))
)
