"""What changes inside the embedded emulator when a room shares it (one account per learner).

**Invoke URLs answer for every account** (always on: it is AWS's behaviour).
On AWS an API's invoke URL (``https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/``)
is public: curl, a browser or the kit's ``http_call`` reach it without credentials, whoever
owns the API. ministack finds the API of an execute-api request in the *caller's* account
only, and an unsigned request falls to the default account, so on an emulator a room shares
(each learner in an account of their own) a learner's API answered 404. Function URLs are
already found across accounts (``lambda_svc.resolve_function_url``).

:func:`patch_app` makes an execute-api request run in the account that owns the API (API
ids are random and unique across accounts, as on AWS), for REST and HTTP APIs alike. Only
the data plane changes: control-plane calls still see the caller's account alone. It is
installed with the kit's runtime (:mod:`reference_app.lab.emulator_patch.host`), so it applies to
the pinned emulator only.

**Bucket names per account** (only in an emulator a room shares: ``LAMBDA_LAB_SHARED_EMULATOR=1``,
set by ``lambda-lab room serve --emulator``). S3 bucket names are global on AWS, and
ministack follows it: the second learner to create ``lab-uploads`` got ``BucketAlreadyExists``,
and every lesson and exercise names its buckets. ministack already keeps buckets, their
objects and their files on disk per account; :func:`patch_s3` makes a name resolve to the
caller's own bucket only, so every learner has the namespace to themselves, as if the
emulator were theirs, and another learner's buckets are as invisible as their functions.

**Learners are strangers** (only in an emulator a room shares). :func:`patch_app` puts the
room's front door before ministack (:mod:`.signatures`: every signature verified against
the secret the room issued for its account, no request naming another learner's account,
the internal endpoints for the instructor only), gives each function the secret of its own
account (so its SDK calls pass that door), and runs every function worker in a sandbox
(:mod:`.sandbox`) as an unprivileged user; other runtimes, which would run unsandboxed,
are refused.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("lambda_lab.room")
SHARED_ENV = "LAMBDA_LAB_SHARED_EMULATOR"
SHARED_BIND_ENV = "LAMBDA_LAB_SHARED_BIND"  # the address a shared emulator listens on (127.0.0.1 by default)


GATE_ENV = "LAMBDA_LAB_EMULATOR_GATE"  # "owner": a hub learner's own emulator, behind the same front door


def shared() -> bool:
    return os.environ.get(SHARED_ENV, "").strip().lower() in ("1", "true", "yes")


def gated() -> bool:
    """A hub learner's own emulator: signatures verified against a secret only that learner holds."""
    return os.environ.get(GATE_ENV, "") == "owner"


def hooks() -> dict:
    """Module name -> patch, for :func:`reference_app.lab.emulator_patch.host.install` (``ministack.app`` is
    patched from there, with the kit's other changes to it)."""
    return {"ministack.services.s3": patch_s3} if shared() else {}


def patch_s3(s3) -> None:
    from ministack.core.responses import get_account_id

    def _bucket_owner_account(name: str) -> str | None:
        caller = get_account_id()
        return caller if (caller, name) in s3._buckets._data else None

    s3._bucket_owner_account = _bucket_owner_account


def owner_of(api_id: str) -> str | None:
    """The account that owns REST or HTTP API ``api_id``, in whichever account it is."""
    from ministack.services import apigateway, apigateway_v1

    for store in (apigateway_v1._rest_apis, apigateway._apis):
        for (account, _region, stored_id), _api in store.all_items():
            if stored_id == api_id:
                return account
    return None


def patch_app(app) -> None:
    if shared() or gated():
        protect(app)
    handle = app._handle_execute_api_request

    async def _handle_execute_api_request(host, path, method, headers, body, query_params, *args, **kwargs):
        parsed = app._parse_execute_api_url(host, path)
        owner = owner_of(parsed[0]) if parsed is not None else None
        if owner is None:
            return await handle(host, path, method, headers, body, query_params, *args, **kwargs)
        from ministack.core.responses import _request_account_id

        token = _request_account_id.set(owner)
        try:
            return await handle(host, path, method, headers, body, query_params, *args, **kwargs)
        finally:
            _request_account_id.reset(token)

    app._handle_execute_api_request = _handle_execute_api_request


def protect(app) -> None:
    """The shared emulator's front door, its functions' credentials and its sandbox (see the module docstring)."""
    from ..accounts.credentials import PATH_ENV, Reader
    from . import room_sandbox, workers
    from .room_signatures import Gate, guard

    path = os.environ.get(PATH_ENV)
    if not path:
        raise SystemExit(f"A room's shared emulator needs {PATH_ENV} (lambda-lab room serve --emulator sets it).")
    reader = Reader(path)
    app.app = guard(app.app, Gate(reader, owner_uid=os.getuid() if gated() and not shared() else None))

    import ministack.core.lambda_runtime as lr
    from ministack.services import lambda_svc

    original = lr.execution_credentials

    def execution_credentials(config: dict) -> dict[str, str]:
        credentials = original(config)
        secret = reader.secret(credentials.get("AWS_ACCESS_KEY_ID", ""))
        credentials["AWS_SECRET_ACCESS_KEY"] = secret or "no-secret-for-this-account"
        credentials["AWS_SESSION_TOKEN"] = ""
        return credentials

    lr.execution_credentials = lambda_svc.execution_credentials = execution_credentials
    if not shared():  # a hub learner's own emulator: the workers are the learner's, as the learner's user
        return
    if os.environ.get(room_sandbox.UNSANDBOXED_ENV) == "1":
        logger.warning("lambda-lab: learners' functions run WITHOUT a sandbox (%s=1)", room_sandbox.UNSANDBOXED_ENV)
        return
    workers.spawn_wrapper = room_sandbox.wrap
    room_sandbox.refuse_other_runtimes(lambda_svc)
