"""Every name notebooks use as ``lab.<name>`` resolves."""

import pytest

from reference_app import lab


@pytest.mark.parametrize("name", lab.__all__)
def test_export_resolves(name):
    assert getattr(lab, name) is not None


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        lab.no_such_thing  # noqa: B018
