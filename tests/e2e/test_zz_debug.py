import pytest
from django.db import connections
from django.contrib.auth.models import Group

@pytest.mark.parametrize("i", [1, 2])
def test_dbg(page, server, i):
    c = connections["default"]
    print("DBG", i, id(c), hasattr(c, "_test_serialized_contents"), Group.objects.count())
