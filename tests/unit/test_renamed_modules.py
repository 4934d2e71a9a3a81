"""A learner's folder made by an earlier `lambda-lab init` keeps running after an upgrade: 0.2.0's notebooks
import their helpers from ``reference_app.lab.lessons`` (now ``lesson_helpers``)."""

import subprocess
import sys
import textwrap

from reference_app.lab import renamed_modules

# every import of a renamed module in 0.2.0's notebooks (git show v0.2.0:notebooks/*.ipynb)
OLD_IMPORTS = [
    "from reference_app.lab.lessons import architecture",
    "from reference_app.lab.lessons import beyond_zip as bz",
    "from reference_app.lab.lessons import deploying as dep",
    "from reference_app.lab.lessons import error_handling as errors",
    "from reference_app.lab.lessons import filters, triggers",
    "from reference_app.lab.lessons import handler_anatomy as anatomy",
    "from reference_app.lab.lessons import observability as obs",
    "from reference_app.lab.lessons import patterns",
    "from reference_app.lab.lessons import performance as perf",
    "from reference_app.lab.lessons import security",
    "from reference_app.lab.lessons import security_resources as res",
    "from reference_app.lab.lessons import seed_iac as seed",
    "from reference_app.lab.lessons import seed_security",
    "from reference_app.lab.lessons.parallel import summary",
    "from reference_app.lab.lessons.patterns import industry",
]


def test_old_names_are_the_new_modules_with_one_warning_and_no_second_copy():
    script = textwrap.dedent("""
        import sys, warnings
        warnings.simplefilter("always")
        with warnings.catch_warnings(record=True) as caught:
            {imports}
        import reference_app.lab.lesson_helpers as new
        from reference_app.lab.lesson_helpers import parallel, patterns as new_patterns, filters as new_filters
        assert filters is new_filters and summary is parallel.summary and industry is new_patterns.industry
        assert sys.modules["reference_app.lab.lessons"] is new
        copies = [m.__name__ for m in list(sys.modules.values()) if getattr(m, "__name__", "").startswith(
            "reference_app.lab.lessons")]
        assert copies == [], copies
        messages = [str(w.message) for w in caught if issubclass(w.category, FutureWarning)]
        assert len(messages) == 1 and "reference_app.lab.lesson_helpers" in messages[0], messages
        print("ok")
    """).format(imports="\n    ".join(OLD_IMPORTS))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


def test_only_the_renamed_package_is_aliased():
    assert renamed_modules.new_name("reference_app.lab.lessons.filters") == "reference_app.lab.lesson_helpers.filters"
    assert renamed_modules.new_name("reference_app.lab.lessons") == "reference_app.lab.lesson_helpers"
    assert renamed_modules.new_name("reference_app.lab.lesson_helpers.filters") is None
    assert renamed_modules.new_name("reference_app.lab.lessonsx") is None
    assert renamed_modules.new_name("reference_app.lab.config") is None
