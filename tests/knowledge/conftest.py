import pytest

from tests.knowledge.factories import CategoryFactory, SpaceFactory


@pytest.fixture
def space(db):
    return SpaceFactory(name="IT", slug="it")


@pytest.fixture
def category(space):
    return CategoryFactory(space=space, name="Devices", slug="devices")
