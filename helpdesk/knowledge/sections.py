from django.utils.translation import gettext_lazy as _

from ess.content.attachments import register_attachment_owner
from ess.portal.sections import Section, register_section
from helpdesk.knowledge.permissions import can_edit_knowledge, can_read_article

register_section(
    Section(
        key="knowledge",
        label=_("Knowledge base"),
        url_name="knowledge:home",
        icon="lightbulb",
        description=_("Answers and how-tos from IT, HR, Payroll and Facilities."),
        order=330,
    )
)

register_section(
    Section(
        key="knowledge_admin",
        label=_("Knowledge admin"),
        url_name="knowledge:manage",
        icon="pencil-square",
        description=_("Write, review and publish knowledge base articles."),
        visible_to=can_edit_knowledge,
        order=640,
        group="admin",
    )
)

register_section(
    Section(
        key="knowledge_questions",
        label=_("Knowledge questions"),
        url_name="knowledge:question_queue",
        icon="question-circle",
        visible_to=can_edit_knowledge,
        order=641,
        group="admin",
    )
)

# Images and files in articles are served by ess.content to whoever may read the article.
register_attachment_owner("knowledge.article", can_read_article)
