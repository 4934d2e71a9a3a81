"""Packaging: zips built from a module plus its declared requirements, proven to import alone."""

import importlib.metadata
import io
import textwrap
import zipfile

import pytest

from reference_app.lab import import_check, packaging
from reference_app.lab.errors import LabError


def _module(tmp_path, name, body):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return path


def _names(package):
    return zipfile.ZipFile(io.BytesIO(package.zip_bytes)).namelist()


def test_module_without_requirements_zips_alone():
    package = packaging.build_zip("reference_app.handlers.hello")
    assert _names(package) == ["hello.py"]
    assert package.handler == "hello.lambda_handler"
    assert package.distributions == []


def test_zip_is_deterministic():
    first = packaging.build_zip("reference_app.handlers.hello")
    second = packaging.build_zip("reference_app.handlers.hello")
    assert first.zip_bytes == second.zip_bytes and first.code_sha256 == second.code_sha256


def test_requirements_are_read_without_importing(tmp_path):
    path = _module(
        tmp_path,
        "h",
        """
        raise SystemExit("importing me is a bug")
        REQUIREMENTS = ("fastjsonschema",)
        """,
    )
    assert packaging.declared_requirements(path) == ("fastjsonschema",)


def test_declared_requirements_and_their_dependencies_are_included_but_not_boto3(tmp_path):
    path = _module(
        tmp_path,
        "h",
        """
        import boto3
        import fastjsonschema
        import pydantic
        REQUIREMENTS = ("fastjsonschema", "pydantic")
        def lambda_handler(event, context):
            return {}
        """,
    )
    package = packaging.build_checked(path)
    names = _names(package)
    tops = {n.split("/")[0] for n in names}
    assert {"h.py", "fastjsonschema", "pydantic", "pydantic_core"} <= tops
    assert not {"boto3", "botocore"} & tops
    assert any(d.startswith("typing_extensions") or d.startswith("typing-extensions") for d in package.distributions)


def test_zip_missing_a_dependency_is_refused_naming_the_module(tmp_path):
    # GIVEN a handler that imports a package it does not declare (the host has it installed)
    path = _module(
        tmp_path,
        "needs_pil",
        """
        from PIL import Image
        REQUIREMENTS = ()
        def lambda_handler(event, context):
            return {}
        """,
    )
    package = packaging.build_zip(path)
    # WHEN its zip is checked in an isolated interpreter; THEN it is refused by name
    with pytest.raises(LabError, match="'PIL'.*REQUIREMENTS in needs_pil.py"):
        import_check.check_imports(package)


def test_declaring_the_dependency_fixes_it(tmp_path):
    path = _module(
        tmp_path,
        "needs_pil_ok",
        """
        from PIL import Image
        REQUIREMENTS = ("pillow",)
        def lambda_handler(event, context):
            return {}
        """,
    )
    packaging.build_checked(path)


def test_import_time_error_is_reported_in_one_line(tmp_path):
    path = _module(
        tmp_path,
        "broken",
        """
        import os
        TABLE = os.environ["USERS_TABLE"]
        def lambda_handler(event, context):
            return TABLE
        """,
    )
    with pytest.raises(LabError, match="KeyError"):
        packaging.build_checked(path)
    packaging.build_checked(path, env={"USERS_TABLE": "users"})


@pytest.mark.parametrize(
    "module", ["reference_app.handlers.does_not_exist", "no_such_top_level", "/nowhere/handler.py"]
)
def test_missing_module_is_a_clear_error(module):
    with pytest.raises(LabError, match="no handler"):
        packaging.build_zip(module)


def test_requirement_not_installed_is_a_clear_error(tmp_path):
    path = _module(tmp_path, "h", 'REQUIREMENTS = ("surely-not-installed-dist",)\n')
    with pytest.raises(LabError, match="pip install surely-not-installed-dist"):
        packaging.build_zip(path)


def test_non_literal_requirements_are_refused(tmp_path):
    path = _module(tmp_path, "h", 'REQUIREMENTS = tuple(["x"])\n')
    with pytest.raises(LabError, match="literal"):
        packaging.build_zip(path)


def test_zip_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(packaging, "MAX_ZIPPED_BYTES", 100)
    with pytest.raises(LabError, match="50 MB"):
        packaging.build_zip("reference_app.handlers.hello")


def test_build_cache_serves_unchanged_sources_and_misses_on_an_edit(tmp_path):
    path = _module(tmp_path, "cached", 'REQUIREMENTS = ("fastjsonschema",)\nVERSION = 1\n')
    first = packaging.build_zip(path)
    again = packaging.build_zip(path)
    path.write_text('REQUIREMENTS = ("fastjsonschema",)\nVERSION = 2\n')
    edited = packaging.build_zip(path)
    assert first.zip_bytes == again.zip_bytes and first.unzipped_bytes == again.unzipped_bytes
    assert edited.zip_bytes != first.zip_bytes
    assert zipfile.ZipFile(io.BytesIO(edited.zip_bytes)).read("cached.py").endswith(b"VERSION = 2\n")


def test_an_exercise_zip_bundles_the_reference_handler_it_imports():
    import io
    import zipfile

    from reference_app.lab import course

    package = packaging.build_checked(course.solution_path("handler-validation"))
    names = zipfile.ZipFile(io.BytesIO(package.zip_bytes)).namelist()
    assert {
        "create_user.py",
        "reference_app/__init__.py",
        "reference_app/handlers/__init__.py",
        "reference_app/handlers/users_api.py",
    } <= set(names)
    assert not any(n.startswith("reference_app/lab") for n in names)


def test_function_code_that_imports_the_lab_tooling_is_refused(tmp_path):
    handler = tmp_path / "uses_lab.py"
    handler.write_text("from reference_app.lab import client\n\ndef lambda_handler(e, c):\n    return 1\n")
    with pytest.raises(LabError, match="cannot use the lab tooling"):
        packaging.build_zip(handler)


# --- 8.8: the handler's function is named, and proven to exist and be callable -------------------


def test_a_module_without_lambda_handler_is_refused_by_default(tmp_path):
    path = _module(tmp_path, "app_main", "def main(event, context):\n    return 1\n\ndef _private():\n    pass\n")
    with pytest.raises(LabError) as error:
        packaging.build_checked(path)
    assert str(error.value) == (
        "app_main.py has no function 'lambda_handler', so Lambda could not call app_main.lambda_handler "
        "(it defines: main); pass function='main' (or handler='app_main.main')."
    )


def test_the_named_function_is_the_handler(tmp_path):
    path = _module(tmp_path, "app_named", "def main(event, context):\n    return 1\n")
    package = packaging.build_checked(path, function="main")
    assert package.handler == "app_named.main" and package.function == "main"


def test_a_name_that_is_not_callable_is_refused(tmp_path):
    path = _module(tmp_path, "app_value", "handler = 'not a function'\n")
    with pytest.raises(LabError, match=r"app_value\.handler is a str, not a function Lambda can call"):
        packaging.build_checked(path, function="handler")


def test_a_function_that_cannot_take_event_and_context_is_refused(tmp_path):
    path = _module(tmp_path, "app_arity", "def lambda_handler(event):\n    return 1\n")
    with pytest.raises(LabError, match=r"app_arity\.lambda_handler cannot be called as Lambda calls it"):
        packaging.build_checked(path)


def test_a_passed_check_for_one_function_does_not_pass_another(tmp_path):
    path = _module(tmp_path, "app_two", "def lambda_handler(event, context):\n    return 1\n")
    packaging.build_checked(path)
    with pytest.raises(LabError, match="has no function 'main'"):
        packaging.build_checked(path, function="main")


def _layer(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def test_a_module_imported_from_a_layer_passes_the_check_with_that_layer_only(tmp_path):
    # GIVEN a handler whose helper comes from a layer (python/ at the layer's root, as Lambda wants)
    path = _module(
        tmp_path,
        "uses_layer",
        """
        import lab_layer_greetings
        import lab_layer_site
        REQUIREMENTS = ()
        def lambda_handler(event, context):
            return lab_layer_greetings.greet()
        """,
    )
    layer = _layer(
        {
            "python/lab_layer_greetings.py": "def greet():\n    return 'hi'\n",
            "python/lib/python3.13/site-packages/lab_layer_site.py": "X = 1\n",
        }
    )
    package = packaging.build_zip(path)
    # WHEN it is checked without the layer THEN it is refused, naming the module
    with pytest.raises(LabError, match="'lab_layer_greetings', which is not in its zip;"):
        import_check.check_imports(package)
    # WHEN it is checked with the layer THEN both of the layer's folders are on the path
    import_check.check_imports(package, layers=(layer,))


def test_a_layer_in_the_wrong_folder_is_not_imported(tmp_path):
    path = _module(tmp_path, "uses_flat_layer", "import lab_flat_helper\ndef lambda_handler(event, context): ...\n")
    with pytest.raises(LabError, match="'lab_flat_helper', which is not in its zip or its layers"):
        import_check.check_imports(packaging.build_zip(path), layers=(_layer({"lab_flat_helper.py": "X = 1\n"}),))


def test_a_dependency_installed_inside_a_zip_archive_is_refused_in_one_sentence(tmp_path):
    # GIVEN a distribution whose files live in a zip on the path (importlib.metadata gives zipfile.Path for them)
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped_pkg/__init__.py", "")
        zf.writestr("zipped_pkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped-pkg\nVersion: 1.0\n")
        zf.writestr("zipped_pkg-1.0.dist-info/RECORD", "zipped_pkg/__init__.py,,\n")
    dist = importlib.metadata.PathDistribution(zipfile.Path(archive, "zipped_pkg-1.0.dist-info/"))
    # WHEN its files are collected THEN a LabError says what to do (it was a TypeError from pathlib)
    with pytest.raises(LabError, match="zipped-pkg is installed inside a zip archive"):
        list(packaging._dist_files(dist))
