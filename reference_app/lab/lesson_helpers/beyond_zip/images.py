"""Container images: a Dockerfile parsed with Docker's own parser and checked against what Lambda requires."""

from __future__ import annotations

from dataclasses import dataclass

from ..common import new_run_id as new_run_id  # re-exported for the lesson


# --- container images --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    line: int
    rule: str
    message: str


AWS_BASE = "public.ecr.aws/lambda/"


def lint_dockerfile(text: str) -> list[Finding]:
    """What keeps this Dockerfile from building a working Lambda image, one finding per problem."""
    import dockerfile

    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return [Finding(0, "parse", f"Docker's parser refuses it: {exc}")]
    findings: list[Finding] = []
    stages = [c for c in commands if c.cmd == "FROM"]
    if not stages:
        return [Finding(0, "from", "there is no FROM: an image starts from a base image.")]
    final = stages[-1]
    base = final.value[0]
    last = [c for c in commands if c.start_line >= final.start_line]
    if base.startswith(AWS_BASE):
        if ":" not in base.removeprefix(AWS_BASE) or base.endswith(":latest"):
            findings.append(
                Finding(
                    final.start_line,
                    "pin",
                    f"{base} is not pinned: name the runtime "
                    "version (e.g. python:3.13), so a rebuild does not change it under you.",
                )
            )
        entry = [c for c in last if c.cmd == "ENTRYPOINT"]
        if entry:
            findings.append(
                Finding(
                    entry[0].start_line,
                    "entrypoint",
                    "the AWS base image's ENTRYPOINT starts "
                    "the runtime interface client; replacing it breaks the image.",
                )
            )
    elif not any(c.cmd == "RUN" and "awslambdaric" in " ".join(c.value) for c in commands):
        findings.append(
            Finding(
                final.start_line,
                "ric",
                f"{base} is not an AWS base image: install the runtime "
                "interface client (pip install awslambdaric) and make it the ENTRYPOINT.",
            )
        )
    cmd = [c for c in last if c.cmd == "CMD"]
    if not cmd:
        findings.append(Finding(final.start_line, "cmd", 'no CMD: give the handler as CMD ["module.function"].'))
    elif not cmd[-1].json:
        findings.append(
            Finding(
                cmd[-1].start_line,
                "cmd-form",
                'CMD in shell form runs /bin/sh -c; use the exec (JSON) form: CMD ["module.function"].',
            )
        )
    for c in last:
        joined = " ".join(c.value)
        if (
            c.cmd in ("COPY", "ADD")
            and c.value
            and "/opt/" not in c.value[-1]
            and "LAMBDA_TASK_ROOT" not in c.value[-1]
            and base.startswith(AWS_BASE)
        ):
            findings.append(
                Finding(
                    c.start_line,
                    "task-root",
                    f"{c.cmd} {joined} puts code outside "
                    "${LAMBDA_TASK_ROOT} (/var/task), where the runtime does not look.",
                )
            )
        if c.cmd == "RUN" and "pip install" in joined and "--target" not in joined and base.startswith(AWS_BASE):
            findings.append(
                Finding(
                    c.start_line,
                    "pip-target",
                    "pip install without --target "
                    '"${LAMBDA_TASK_ROOT}" installs into the image\'s interpreter, not next to '
                    "your code; say where dependencies go.",
                )
            )
        if c.cmd == "USER" and c.value and c.value[0] in ("root", "0"):
            findings.append(
                Finding(
                    c.start_line,
                    "user",
                    "Lambda runs the image as its own user, not root: the file system is read-only apart from /tmp.",
                )
            )
    return sorted(findings, key=lambda f: f.line)


def findings_frame(findings: list[Finding]):
    import pandas as pd

    return pd.DataFrame([f.__dict__ for f in findings], columns=["line", "rule", "message"])


#: the image the lesson builds on paper: an AWS base image, code and dependencies in the task root
DOCKERFILE = """\
FROM public.ecr.aws/lambda/python:3.13
COPY requirements.txt ${LAMBDA_TASK_ROOT}
RUN pip install -r requirements.txt --target "${LAMBDA_TASK_ROOT}"
COPY reference_app/handlers/hello.py ${LAMBDA_TASK_ROOT}
CMD ["hello.lambda_handler"]
"""

#: the same image as it is often first written: every line below is a finding
DOCKERFILE_FIRST_TRY = """\
FROM public.ecr.aws/lambda/python:latest
USER root
COPY reference_app/handlers/hello.py /app/
RUN pip install -r requirements.txt
ENTRYPOINT ["python", "/app/hello.py"]
CMD python /app/hello.py
"""
