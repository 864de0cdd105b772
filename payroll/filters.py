import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payroll.models import Payslip


class RunPayslipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or number"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Payslip.Status.choices, empty_label=_("Any status")
    )

    class Meta:
        model = Payslip
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        words = value.split()[:5]
        for word in words:
            queryset = queryset.filter(
                Q(employee__employee_number__iexact=word)
                | Q(employee__user__last_name__icontains=word)
                | Q(employee__user__first_name__icontains=word)
            )
        return queryset
