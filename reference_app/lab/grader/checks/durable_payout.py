"""Checks for durable-payout (12_beyond_the_zip): steps, a durable wait, and an idempotent step.

The emulator does not run durable executions, so the unit checks run the learner's
``run_payout`` with AWS's local testing SDK (``aws-durable-execution-sdk-python-testing``): the
function is invoked, suspends at the wait, and is invoked again to replay, as on Lambda. The live
check deploys the file as a durable function's zip, which proves the SDK is packaged with it.
"""

from __future__ import annotations

import boto3

from ... import clients
from ...deploy import deploy_function
from ...lesson_helpers.beyond_zip import run_durable
from ..framework import CheckFailed, Context, Exercise, explain, shown

EXERCISE = Exercise("durable-payout", resources={"LEDGER_TABLE": ("table", "payouts")}, timeout=10)
DURABLE_TIMEOUT = 8  # seconds for one local durable execution (the solution's takes about 1.2 s)


def _table(ctx: Context):
    return boto3.resource("dynamodb", region_name="us-east-1").Table(ctx.env["LEDGER_TABLE"])


def _balance(table, seller: str) -> int:
    item = table.get_item(Key={"pk": f"seller#{seller}"}, ConsistentRead=True).get("Item")
    return int(item["balance_cents"]) if item else 0


def _payout(ctx: Context, seller: str | None = None) -> dict:
    """A payout drawn from the check's inputs: its id, its seller (or ``seller``) and an amount that is not round."""
    return {
        "payout_id": f"po-{ctx.rng.token(10)}",
        "seller_id": seller or f"s-{ctx.rng.token(8)}",
        "amount_cents": ctx.rng.amount_cents(),
    }


class _NoSleep:
    """Stands in for the ``time`` module inside the learner's module: ``sleep`` is refused."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        raise CheckFailed(
            f"time.sleep({seconds}) inside a durable function keeps the invocation running and billed, "
            "and a restart loses it: wait with context.wait(Duration.from_seconds(...))."
        )


def _probe(ctx: Context, functions: dict, table) -> None:
    """A step whose function raises is retried with a back-off until the run times out: call each function once
    first, for a probe payout of another seller, so a stub or a crash is named at once instead of after a timeout."""
    probe = _payout(ctx)
    for name, function in functions.items():
        try:
            function(table, probe)
        except NotImplementedError:
            raise
        except Exception as exc:
            raise CheckFailed(
                f"{name}(table, payout) for the payout {shown(probe)}: {explain(exc, ctx.path)} "
                "Inside a context.step it would be retried until the execution times out."
            ) from exc


def _run(ctx: Context, module, payout: dict):
    table = _table(ctx)
    calls = {"transfer": 0, "notify": 0}
    real = {name: getattr(module, name) for name in calls}
    unwritten: list[str] = []  # the SDK keeps only an error's message: note a stub's NotImplementedError here

    def counted(name):
        def call(*args, **kwargs):
            calls[name] += 1
            try:
                return real[name](*args, **kwargs)
            except NotImplementedError:
                unwritten.append(name)
                raise

        return call

    def orchestrate(event, context):
        try:
            return module.run_payout(context, event, table)
        except NotImplementedError:
            unwritten.append("run_payout")
            raise

    for name in calls:
        setattr(module, name, counted(name))
    if hasattr(module, "time"):
        module.time = _NoSleep(module.time)
    if hasattr(module, "sleep"):
        module.sleep = _NoSleep.sleep
    _probe(ctx, real, table)
    try:
        run = run_durable(orchestrate, {"payout": payout}, timeout=DURABLE_TIMEOUT)
    except TimeoutError:
        raise CheckFailed(
            f"the durable execution did not finish within {DURABLE_TIMEOUT} s (it takes about 1 s plus "
            "the settlement window): a step that keeps failing is retried with a back-off."
        ) from None
    if run.status != "SUCCEEDED":
        reason = run.error or "no error recorded"
        if unwritten or "NotImplementedError" in reason:
            raise NotImplementedError(reason)
        if "time.sleep" in reason:
            raise CheckFailed(
                "time.sleep inside a durable function keeps the invocation running and billed, and a "
                "restart loses it: wait with context.wait(Duration.from_seconds(...))."
            )
        raise CheckFailed(f"the durable execution ended {run.status}: {reason}.")
    return run, calls, table


@EXERCISE.unit("the payout completes: one transfer, a durable wait, one notice, the seller paid once")
def completes(ctx: Context) -> None:
    module, payout = ctx.load(), _payout(ctx)
    run, _calls, table = _run(ctx, module, payout)
    if not isinstance(run.result, dict) or run.result.get("status") != "PAID":
        raise CheckFailed(f"run_payout should return {{'status': 'PAID', ...}}, not {run.result!r:.80}.")
    if "wait" not in run.kinds():
        raise CheckFailed(
            "the execution recorded no wait operation: the settlement window is "
            "context.wait(Duration.from_seconds(SETTLEMENT_SECONDS))."
        )
    steps = run.names("step")
    if steps.count("transfer") != 1 or steps.count("notify") != 1:
        raise CheckFailed(
            f"the execution recorded the steps {steps}; transfer and notify should each be one "
            "context.step, with name='transfer' and name='notify'."
        )
    order = [name if kind == "step" else kind for kind, name, _ in run.operations]
    if not order.index("transfer") < order.index("wait") < order.index("notify"):
        raise CheckFailed("the wait should come after the transfer and before the notice.")
    if _balance(table, payout["seller_id"]) != payout["amount_cents"]:
        raise CheckFailed(
            f"the seller's balance is {_balance(table, payout['seller_id'])} cents after one payout of "
            f"{payout['amount_cents']}."
        )


@EXERCISE.unit("after the wait the function replays: nothing with a side effect runs twice")
def replay(ctx: Context) -> None:
    module, payout = ctx.load(), _payout(ctx)
    _, calls, _ = _run(ctx, module, payout)
    if calls["transfer"] != 1:
        raise CheckFailed(
            f"transfer ran {calls['transfer']} times in one execution: after the wait Lambda invokes "
            "the function again and replays it from the top; only work inside context.step is "
            "skipped on replay."
        )
    if calls["notify"] != 1:
        raise CheckFailed(f"notify ran {calls['notify']} times in one execution: put it inside a context.step.")


@EXERCISE.unit("transfer is idempotent: a step that runs again pays nothing more")
def idempotent(ctx: Context) -> None:
    module, table = ctx.load(), _table(ctx)
    payout = _payout(ctx)
    first = module.transfer(table, payout)
    again = module.transfer(table, payout)
    balance = _balance(table, payout["seller_id"])
    if balance != payout["amount_cents"]:
        raise CheckFailed(
            f"transfer ran twice for one payout (a retried step) and the balance is {balance} cents, "
            f"not {payout['amount_cents']}: mark the payout as transferred in the same transaction, on "
            "condition that it was not before."
        )
    if first != {"transferred": True} or again != {"transferred": False}:
        raise CheckFailed(
            f"transfer should answer {{'transferred': True}}, then {{'transferred': False}} for the same "
            f"payout; it answered {first!r:.60} and {again!r:.60}."
        )
    other = _payout(ctx, seller=payout["seller_id"])
    module.transfer(table, other)
    balance = _balance(table, payout["seller_id"])
    if balance != payout["amount_cents"] + other["amount_cents"]:
        raise CheckFailed(
            f"a second, different payout to the same seller ({other['payout_id']}, "
            f"{other['amount_cents']} cents) was not added to the balance: after payouts of "
            f"{payout['amount_cents']} and {other['amount_cents']} cents it is {balance}."
        )


#: DynamoDB calls that write: a transfer made of two of them can fail between them
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


class _FailWrite:
    """While active, the ``nth`` write call on ``client`` fails (before it reaches the table): as a timeout
    would (``throttled=False``), or as DynamoDB answers a throttled request (``throttled=True``: a
    TransactWriteItems is cancelled for ``ThrottlingError``, another write gets ProvisionedThroughputExceeded)."""

    def __init__(self, client, nth: int, throttled: bool = False):
        self.client, self.nth, self.throttled = client, nth, throttled
        self.writes: list[str] = []
        self.failed = False

    def _error(self, operation: str) -> Exception:
        if not self.throttled:
            from botocore.exceptions import ReadTimeoutError

            return ReadTimeoutError(endpoint_url=f"the check's {operation} (a simulated timeout)")
        if operation == "TransactWriteItems":
            response = {
                "Error": {
                    "Code": "TransactionCanceledException",
                    "Message": "Transaction cancelled, please refer cancellation reasons for specific "
                    "reasons [ThrottlingError, None]",
                },
                "CancellationReasons": [
                    {
                        "Code": "ThrottlingError",
                        "Message": "Throughput exceeds the current capacity for one or more global secondary indexes.",
                    },
                    {"Code": "None"},
                ],
            }
            return self.client.exceptions.TransactionCanceledException(response, operation)
        response = {
            "Error": {
                "Code": "ProvisionedThroughputExceededException",
                "Message": "The level of configured provisioned throughput for the table was exceeded.",
            }
        }
        return self.client.exceptions.ProvisionedThroughputExceededException(response, operation)

    def _before(self, model=None, **_):
        if model is None or model.name not in WRITES:
            return
        self.writes.append(model.name)
        if len(self.writes) == self.nth:
            self.failed = True
            raise self._error(model.name)

    def __enter__(self):
        self.client.meta.events.register("before-call.dynamodb", self._before, unique_id="lab-fail-write")
        return self

    def __exit__(self, *exc):
        self.client.meta.events.unregister("before-call.dynamodb", unique_id="lab-fail-write")


@EXERCISE.unit("transfer is all or nothing: a step that fails halfway and is retried pays exactly once")
def all_or_nothing(ctx: Context) -> None:
    module, table = ctx.load(), _table(ctx)
    payout = _payout(ctx)
    with _FailWrite(table.meta.client, nth=2) as fault:
        try:
            module.transfer(table, payout)
        except NotImplementedError:
            raise
        except Exception:  # the step fails; Lambda retries it
            pass
    module.transfer(table, payout)
    balance = _balance(table, payout["seller_id"])
    if fault.failed and balance != payout["amount_cents"]:
        raise CheckFailed(
            f"transfer writes in separate calls ({', then '.join(fault.writes)}): when the second one "
            f"timed out and the step was retried, the seller's balance was {balance} cents for one "
            f"payout of {payout['amount_cents']}. Write the marker and the balance in one transaction "
            "(transact_write_items), so they are made together or not at all."
        )
    if balance != payout["amount_cents"]:
        raise CheckFailed(
            f"after one payout of {payout['amount_cents']} cents, transferred once and retried once, "
            f"the seller's balance is {balance} cents."
        )


@EXERCISE.unit("a throttled transfer fails its step (so it is retried); only a failed condition means 'paid before'")
def throttled(ctx: Context) -> None:
    module, table = ctx.load(), _table(ctx)
    payout = _payout(ctx)
    answer = None
    with _FailWrite(table.meta.client, nth=1, throttled=True) as fault:
        try:
            answer = module.transfer(table, payout)
        except NotImplementedError:
            raise
        except Exception:  # right: the step fails, and Lambda runs it again
            answer = None
    if fault.failed and answer is not None and _balance(table, payout["seller_id"]) == 0:
        raise CheckFailed(
            f"when DynamoDB throttled the transfer ({fault.writes[0]} cancelled for ThrottlingError, "
            f"nothing written), transfer answered {shown(answer, 80)}, so the step succeeds and the "
            "seller is never paid: return {'transferred': False} only when the cancellation reason is "
            "ConditionalCheckFailed, and re-raise anything else so the step is retried."
        )


@EXERCISE.live("deploys to the emulator as a durable function's zip, the SDK packaged with it")
def live(ctx: Context) -> None:
    deploy_function(
        ctx.function_name,
        ctx.path,
        environment=ctx.env,
        timeout=EXERCISE.timeout,
        description="lambda-lab exercise durable-payout",
        DurableConfig={"ExecutionTimeout": 900, "RetentionPeriodInDays": 1},
    )
    config = clients.client("lambda").get_function_configuration(FunctionName=ctx.function_name)
    if (config.get("DurableConfig") or {}).get("ExecutionTimeout") != 900:
        raise CheckFailed(f"{ctx.function_name} was deployed without its DurableConfig.")
