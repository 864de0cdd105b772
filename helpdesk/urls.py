"""The service desk's URLs: the employee side (catalog, my requests, approvals) and the
agent workspace with its administration, each in its own module."""

from helpdesk.urls_agent import urlpatterns as agent_urlpatterns
from helpdesk.urls_employee import urlpatterns as employee_urlpatterns

app_name = "helpdesk"

urlpatterns = [*employee_urlpatterns, *agent_urlpatterns]
