"""Every name notebooks use as ``lab.<name>`` resolves."""

import pytest

from reference_app import lab


@pytest.mark.parametrize("name", lab.__all__)
def test_export_resolves(name):
    assert getattr(lab, name) is not None


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        lab.no_such_thing  # noqa: B018


def test_dir_lists_every_export():
    # Tab completion in a notebook uses dir(); lazy names must be there before first use.
    assert set(lab.__all__) <= set(dir(lab))


def test_type_checkers_see_the_same_names():
    # The TYPE_CHECKING block (what IDEs and mypy read) names exactly the lazy exports.
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(lab))
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    imported = {alias.asname or alias.name for node in block.body for alias in node.names}
    modules: dict[str, set[str]] = {}
    for node in block.body:  # a module may be named twice (``import x as x`` lines)
        modules.setdefault(node.module.lstrip("."), set()).update(a.name for a in node.names)
    assert imported == set(lab.__all__)
    for name, module in lab._EXPORTS.items():
        assert name in modules.get(module, set()) or name in modules.get(f"{module}", set()), (name, module)


def test_no_export_shadows_a_submodule():
    # `from reference_app.lab import progress_store` sets the package attribute of that name;
    # an export with a submodule's name would then be the module, not the function.
    import pkgutil

    submodules = {m.name for m in pkgutil.iter_modules(lab.__path__)}
    assert not submodules & set(lab.__all__)
