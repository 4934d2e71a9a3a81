"""Build a deployment zip from one handler module plus its declared dependencies
(:mod:`.import_check` then proves it imports on its own before anything is deployed).

Why the proof matters here: the embedded emulator runs functions on the host's
interpreter, with the host's site-packages visible, so a handler that imports a
package missing from its zip works locally and fails on AWS with
``Runtime.ImportModuleError``. :func:`~reference_app.lab.import_check.check_imports` runs the import in an
isolated interpreter (``python -I -S``: no site-packages, no PYTHON* variables)
that sees only the zip's contents plus boto3 and its dependencies, which is what
the Lambda Python runtime provides.

A handler declares its third-party distributions as a module-level literal,
``REQUIREMENTS = ("aws-lambda-powertools[parser]", "pillow")``, read here with
``ast`` so the module is never imported on the host to be packaged. Their files
are copied from the environment the kit is installed in, so packaging needs no
network. That is exact for pure-Python packages; for packages with compiled
extensions (Pillow, pydantic-core) it is exact only when the host's Python and
platform match the function's runtime; :class:`Package` lists a warning
otherwise, and the way to build for AWS is ``pip install --platform
manylinux2014_x86_64 --python-version 3.13 --only-binary=:all: -t build/``.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib.metadata as md
import importlib.util
import io
import os
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import DEFAULT_RUNTIME, lab_home_path, writing
from .errors import LabError
from .import_check import check_imports
from .runtime_sdk import RUNTIME_PROVIDED, closure, runtime_provided  # noqa: F401 (RUNTIME_PROVIDED: re-exported)

# Lambda's limits for a .zip deployment package uploaded directly.
MAX_ZIPPED_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
DEFAULT_FUNCTION = "lambda_handler"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Package:
    """A built deployment package."""

    module: str  # the module's name at the zip root, e.g. "users_api"
    source: Path
    zip_bytes: bytes
    requirements: tuple[str, ...]
    distributions: list[str]
    unzipped_bytes: int
    warnings: list[str] = field(default_factory=list)
    function: str = DEFAULT_FUNCTION  # the module's attribute Lambda calls

    @property
    def handler(self) -> str:
        """The function's ``Handler`` setting: ``module.function``."""
        return f"{self.module}.{self.function}"

    @property
    def code_sha256(self) -> str:
        """The digest Lambda reports as ``CodeSha256`` (base64 of the SHA-256)."""
        return base64.b64encode(hashlib.sha256(self.zip_bytes).digest()).decode()

    @property
    def size(self) -> int:
        return len(self.zip_bytes)


def find_module_file(module: str | os.PathLike) -> Path:
    """The source file of a dotted module name or a path to a ``.py`` file."""
    text = os.fspath(module)
    if text.endswith(".py") or os.sep in text:
        path = Path(text)
        if not path.is_file():
            raise LabError(f"There is no handler file at {path}.")
        return path.resolve()
    try:
        spec = importlib.util.find_spec(text)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise LabError(
            f"There is no handler module named {text!r}; check the name, e.g. 'reference_app.handlers.users_api'."
        )
    return Path(spec.origin)


def declared_requirements(path: Path) -> tuple[str, ...]:
    """The module's top-level ``REQUIREMENTS`` literal (``()`` when absent)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in tree.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(t, ast.Name) and t.id == "REQUIREMENTS" for t in targets) and node.value is not None:
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                raise LabError(f"REQUIREMENTS in {path.name} must be a literal tuple of strings.") from None
            return tuple(value)
    return ()


# Reference modules a function's code may import; packaging bundles them into its zip.
BUNDLABLE_PACKAGE = "reference_app.handlers"
_LAB_PACKAGE = "reference_app.lab"


def _imported_names(tree: ast.AST) -> set[str]:
    """Absolute module names a module imports (``from pkg import sub`` yields ``pkg.sub`` too)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def bundled_modules(source: Path) -> dict[str, Path]:
    """The ``reference_app.handlers`` modules ``source`` imports (transitively), as zip
    entries with their package ``__init__`` files, so an exercise that imports a
    reference handler deploys as one self-contained zip. The lab tooling is never
    bundled: a function that imports it is refused."""
    entries: dict[str, Path] = {}
    queue, seen = [source], set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in sorted(_imported_names(ast.parse(path.read_text(), filename=str(path)))):
            if name == _LAB_PACKAGE or name.startswith(_LAB_PACKAGE + "."):
                raise LabError(
                    f"{source.name} imports {name}: Lambda code cannot use the lab tooling; "
                    "import only reference_app.handlers modules."
                )
            if not name.startswith(BUNDLABLE_PACKAGE + "."):
                continue
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                spec = None
            if spec is None or not spec.origin or not spec.origin.endswith(".py"):
                continue  # ``from pkg import function``: not a module
            parts = name.split(".")
            for depth in range(1, len(parts)):
                init = importlib.util.find_spec(".".join(parts[:depth]))
                if init is not None and init.origin:
                    entries["/".join(parts[:depth]) + "/__init__.py"] = Path(init.origin)
            entries["/".join(parts) + ".py"] = Path(spec.origin)
            queue.append(Path(spec.origin))
    return entries


def _dist_files(dist: md.Distribution):
    for rel in dist.files or []:
        if rel.parts[0] == ".." or "__pycache__" in rel.parts or rel.suffix == ".pyc":
            continue
        located = dist.locate_file(rel)
        if not isinstance(located, os.PathLike):
            raise LabError(
                f"{dist.name} is installed inside a zip archive, which cannot be packaged: reinstall it with pip."
            )
        src = Path(located)
        if src.is_file():
            yield rel.as_posix(), src


def _add(zf: zipfile.ZipFile, arcname: str, data: bytes) -> None:
    info = zipfile.ZipInfo(arcname, date_time=_ZIP_EPOCH)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data, compresslevel=6)


def build_zip(
    module: str | os.PathLike,
    requirements: tuple[str, ...] | list[str] | None = None,
    runtime: str = DEFAULT_RUNTIME,
    function: str = DEFAULT_FUNCTION,
) -> Package:
    """Zip ``module`` (as ``<name>.py`` at the root) with its requirements' files;
    ``function`` is the module's attribute Lambda calls (``Package.handler``).

    The zip is deterministic: the same sources give the same bytes, so a deploy
    can tell from ``CodeSha256`` that nothing changed.
    """
    if not _IDENTIFIER.fullmatch(function):
        raise LabError(f"{function!r} is not a Python function name; pass the handler's name, e.g. function='main'.")
    source = find_module_file(module)
    reqs = tuple(requirements) if requirements is not None else declared_requirements(source)
    local = bundled_modules(source)
    for path in sorted(set(local.values())):
        reqs += tuple(r for r in declared_requirements(path) if r not in reqs)
    provided = runtime_provided()
    dists = {name: d for name, d in closure(reqs).items() if name not in provided}
    entries: dict[str, Path] = {}
    for dist in dists.values():
        for arcname, src in _dist_files(dist):
            entries[arcname] = src
    entries.update(local)
    name = source.stem
    zip_bytes, unzipped = _cached_zip(name, source, dists, entries, local)
    package = Package(
        module=name,
        source=source,
        zip_bytes=zip_bytes,
        requirements=reqs,
        distributions=sorted(f"{d.metadata['Name']}=={d.version}" for d in dists.values()),
        unzipped_bytes=unzipped,
        function=function,
    )
    if package.size > MAX_ZIPPED_BYTES:
        raise LabError(
            f"{name}'s zip is {package.size / 2**20:.1f} MB, over Lambda's 50 MB limit for a direct upload; "
            "upload it to S3 and deploy from there, or use a layer or a container image."
        )
    host = f"python{sys.version_info.major}.{sys.version_info.minor}"
    native = sorted({a.split("/")[0] for a in entries if a.endswith((".so", ".pyd"))})
    if native and host != runtime:
        package.warnings.append(
            f"{', '.join(native)} contain compiled code built for {host} on this machine; "
            f"on AWS ({runtime}) build them with pip's --platform manylinux2014_x86_64 --python-version {runtime[6:]}."
        )
    return package


def build_cache_dir() -> Path:
    """Where built zips are kept, by the digest of their inputs."""
    return lab_home_path() / "builds"


_BUILD_FORMAT = "2"  # bump when the zip layout changes, to retire cached builds
_BUILDS_KEPT = 64


def _write_zip(name: str, source_bytes: bytes, entries: dict[str, Path]) -> tuple[bytes, int]:
    buf = io.BytesIO()
    unzipped = len(source_bytes)
    with zipfile.ZipFile(buf, "w") as zf:
        _add(zf, f"{name}.py", source_bytes)
        for arcname in sorted(entries):
            data = entries[arcname].read_bytes()
            unzipped += len(data)
            if unzipped > MAX_UNZIPPED_BYTES:
                raise LabError(
                    f"{name}'s package is over Lambda's 250 MB unzipped limit; "
                    "trim its REQUIREMENTS or use a layer or a container image."
                )
            _add(zf, arcname, data)
    return buf.getvalue(), unzipped


def _cached_zip(
    name: str,
    source: Path,
    dists: dict[str, md.Distribution],
    entries: dict[str, Path],
    local: dict[str, Path] | None = None,
) -> tuple[bytes, int]:
    """The zip for these inputs, from the build cache when the same source and the
    same installed distributions were zipped before (re-running a notebook cell
    then costs a hash, not a rebuild)."""
    source_bytes = source.read_bytes()
    key = hashlib.sha256(
        "\n".join(
            [
                _BUILD_FORMAT,
                name,
                hashlib.sha256(source_bytes).hexdigest(),
                *sorted(f"{n}=={d.version}@{d.locate_file('')}" for n, d in dists.items()),
                *sorted(f"{a}#{hashlib.sha256(p.read_bytes()).hexdigest()}" for a, p in (local or {}).items()),
            ]
        ).encode()
    ).hexdigest()
    cache = build_cache_dir()
    zip_path, size_path = cache / f"{key}.zip", cache / f"{key}.unzipped"
    try:
        return zip_path.read_bytes(), int(size_path.read_text())
    except (OSError, ValueError):
        pass
    zip_bytes, unzipped = _write_zip(name, source_bytes, entries)
    with writing(lab_home_path()):
        cache.mkdir(parents=True, exist_ok=True)
        _write_whole(zip_path, zip_bytes)
        _write_whole(size_path, str(unzipped).encode())  # last: a hit needs both
        builds = sorted(cache.glob("*.zip"), key=lambda p: p.stat().st_mtime)
        for old in builds[:-_BUILDS_KEPT]:
            old.unlink(missing_ok=True)
            old.with_suffix(".unzipped").unlink(missing_ok=True)
    return zip_bytes, unzipped


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``path`` atomically: a reader (or a full disk) sees all of it or nothing."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def build_checked(
    module: str | os.PathLike,
    requirements: tuple[str, ...] | list[str] | None = None,
    env: dict[str, str] | None = None,
    runtime: str = DEFAULT_RUNTIME,
    function: str = DEFAULT_FUNCTION,
    layers: tuple[bytes, ...] = (),
) -> Package:
    """:func:`build_zip` then :func:`check_imports` (with the contents of the function's
    ``layers``): a package that is safe to deploy, whose ``function`` exists, is callable
    and takes (event, context)."""
    package = build_zip(module, requirements, runtime, function)
    check_imports(package, env, layers=layers)
    return package
