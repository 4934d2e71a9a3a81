# %% [markdown]
# # 05 · Error handling and retries
#
# A function fails: an exception, a timeout, a poison message. What happens next depends on who
# invoked it, and the answer is never "nothing": a synchronous caller gets an error object, an
# asynchronous event is retried and then parked, a queue message comes back until it is moved
# aside, a stream stops at the failing record. This notebook makes each of those happen on the
# emulator and reads the outcome from the caller's answer, the function's logs and the queues the
# failures land in.
#
# ```mermaid
# flowchart LR
#   sync([synchronous Invoke, API Gateway]) -->|error object, 200 + FunctionError| caller[the caller decides: retry or not]
#   async([asynchronous: Event, S3, SNS]) --> queue[Lambda's event queue] -->|error| retry[Lambda retries: 2 by default] --> park[DLQ / on-failure destination]
#   poll([SQS, Kinesis, DynamoDB Streams]) --> esm[event source mapping] -->|error| again[the batch or its failed items come back] --> parked[SQS redrive DLQ / stream on-failure destination]
# ```
#
# Most failures here come from one reference handler, `reference_app/handlers/payments.py`, which
# fails on purpose: a declined card, a slow gateway, a stream record that is not a settlement.

# %%
from reference_app import lab
from reference_app.lab.lesson_helpers import error_handling as errors

lab.start_lesson("05_error_handling")

# %% [markdown]
# Every function the notebook uses is deployed first, several at a time (each create leaves a
# function `Pending` for a moment); each section deploys its function again where it uses it, which
# then changes nothing. The queue consumer is also invoked once with an empty batch, so that its
# cold start (importing Powertools and pydantic) overlaps the other deploys.

# %%
from reference_app.lab.lesson_helpers.parallel import summary

summary(errors.deploy_lesson_functions())

# %% [markdown]
# ## 1. An unhandled exception: what a synchronous caller gets
#
# `charge` raises `CardDeclined` for a declined card and nothing catches it:

# %%
errors.show("payments", "lambda_handler")

# %% tags=["proof-unhandled-error"]
DECLINED, GOOD = "4000000000000002", "4242424242424242"
pay = lab.deploy_function("lab-05-payments", "reference_app.handlers.payments", timeout=1)
declined = lab.invoke(pay.name, {"card": DECLINED, "amount_cents": 1200})
assert declined.status_code == 200 and declined.function_error == "Unhandled"
assert declined.payload["errorType"] == "CardDeclined" and declined.payload["requestId"] == declined.request_id
declined

# %% [markdown]
# **Status 200.** The Invoke call succeeded: Lambda ran the function and is reporting what it
# returned, which is an error. The failure is in the `FunctionError` field (the
# `X-Amz-Function-Error` header) and the payload is the runtime's error object: `errorMessage`,
# `errorType` (the exception's class), `requestId`, `stackTrace`
# ([Invoke](https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html),
# [Python errors](https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html)). A caller that
# checks only the status code misses every failure. Behind API Gateway the client sees none of it:
# a REST API answers 502 "Internal server error" (the emulator's 502 carries the detail, the
# `proxy-error-detail` row of `lab.fidelity("api gateway")`).
#
# ## 2. What the caller must never see: the seed's `str(e)`
#
# The seed's users function (inside its CloudFormation template, kept verbatim in
# `reference_app/iac/seed/`) ends with `except Exception as e: return {"statusCode": 500, "body":
# json.dumps({"error": str(e)})}`. Deployed as written, with a table name that does not exist:

# %% tags=["proof-seed-str-e"]
import json

seed = lab.deploy_function("lab-05-seed-users", errors.seed_handler_module(), environment={"TABLE_NAME": "nope"})
request = {"body": json.dumps({"user_id": "ada", "name": "Ada", "email": "a@example.com"})}
leaked = lab.invoke(seed.name, request)
assert leaked.ok and "ResourceNotFoundException" in leaked.payload["body"]
leaked.payload

# %% [markdown]
# Two things are wrong, and both are live above:
#
# 1. **It leaks.** The caller learns the service, the operation and the error code: table names,
#    ARNs and validation internals travel the same way. Answer a generic 500 and log the detail with
#    the request id, as `users_api` does (lesson 06 proves it).
# 2. **It swallows the failure.** `leaked.ok` is True: to Lambda this invocation *succeeded*. Behind
#    API Gateway the status code still reaches a client, but invoked asynchronously, from S3, SNS or a
#    queue, nobody reads that body: the event is not retried, and nothing reaches a dead-letter queue
#    (section 6 shows the same bug in the exercise).
#
# The seed's "best practice" snippet has the same catch-all: `except Exception` logging only
# `str(e)` (lesson 02 showed the trace it loses) and returning a 500 body. Catch what you can handle
# (a validation error becomes a 400); let the rest raise.
#
# ## 3. Timeouts
#
# A slow gateway (`gateway_delay_s`) against the function's one-second `Timeout`:

# %% tags=["proof-timeout"]
slow = lab.invoke(pay.name, {"card": GOOD, "amount_cents": 1200, "gateway_delay_s": 2})
assert slow.function_error == "Unhandled" and slow.payload["errorType"] == "Sandbox.Timedout"
assert "Task timed out after 1.00 seconds" in slow.log_tail and "Status: timeout" in slow.log_tail
print(slow.log_tail)

# %% [markdown]
# Lambda stopped the function at its `Timeout` (3 s by default, at most 900 s,
# [Lambda quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)) and
# wrote the `Task timed out` line; the caller got `Sandbox.Timedout`. A timeout counts as an error
# (the `Errors` metric) and, for an asynchronous event, is retried like any other error. Whatever the
# function did before the timeout (a charge?) may have happened: that is why retried work must be
# idempotent (section 7). Give a function a timeout shorter than its caller's: a REST API stops
# waiting after 29 seconds by default and answers 504 while the function runs on
# ([API Gateway quotas](https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html)).
# Inside the function, `context.get_remaining_time_in_millis()` tells how long is left.
#
# ## 4. Who retries a synchronous call? The caller
#
# Lambda never retries a synchronous invocation: "you determine the strategy for handling errors"
# ([retry behavior in Lambda](https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html)).
# The two failures above ran once each:

# %% tags=["proof-sync-not-retried"]
ran = [i for i in lab.invocations(pay.name, declined.started_ms - 100) if i.complete]
assert [i.request_id for i in ran] == [declined.request_id, slow.request_id]
[(i.request_id, i.report.get("Duration")) for i in ran]

# %% [markdown]
# So the retry policy is the caller's. The AWS SDKs retry some failures by themselves: throttling
# (429), 5xx answers and timeouts: 3 attempts in `standard` mode
# ([retry behavior](https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html)),
# 5 in boto3's `legacy` mode ([boto3 retries](https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html)).
# Which one *your* boto3 uses when nothing sets `AWS_RETRY_MODE` or `retry_mode`, and how long it
# waits for an answer, is not a fact to memorise: it changes with botocore releases. Ask the
# installed botocore (its built-in defaults, and a client built the way a learner's script would):

# %% tags=["proof-sdk-retry-defaults"]
sdk = errors.sdk_retry_defaults()
assert sdk["default retry mode"] in {"legacy", "standard", "adaptive"} and sdk["read timeout (s)"] > 0
sdk

# %% [markdown]
# For `Invoke` that is dangerous: a function that runs longer than the client's `read_timeout`
# (shown above) makes the SDK invoke it **again** while the first run is still going.
#
# **The kit's own policy: a synchronous invoke is never retried.** `lab.invoke` and every
# `lab.client("lambda").invoke(...)` make one attempt and wait the function's `Timeout` plus 30 s
# (the README's "Timeouts and retries, per call type"; `tests/emulator/test_invoke_policy.py`
# proves it). For your own callers: retry only what is safe to run twice, with backoff and jitter
# ([retry with backoff](https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/retry-backoff.html)),
# and a read timeout longer than the function's.
#
# ## 5. Asynchronous retries, counted from the logs
#
# An asynchronous invoke (`InvocationType=Event`, and every S3 or SNS notification) is answered 202
# at once; Lambda queues the event and runs it. On a function error or a timeout it retries
# **twice by default, about one minute after the first attempt, then two minutes after the second**
# ([error handling for asynchronous invocation](https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html)).
# `MaximumRetryAttempts` (0 to 2) and `MaximumEventAgeInSeconds` (60 to 21,600) change that
# ([configuring asynchronous invocation](https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html)).
# Configure two retries, a dead-letter queue and an on-failure destination (section 6), then send
# one event with a declined card:

# %%
dlq_url, dlq_arn = errors.queue("lab-05-payments-dlq")
failed_url, failed_arn = errors.queue("lab-05-payments-failed")
errors.configure_async(pay.name, retries=2, on_failure=failed_arn, dlq=dlq_arn)

# %% tags=["proof-async-retries"]
request_id, sent_ms = errors.invoke_async(pay.name, {"card": DECLINED, "amount_cents": 990})
attempts = lab.wait_for_invocations(pay.name, count=3, since_ms=sent_ms, timeout_s=15)
assert len(attempts) == 3 and {a.request_id for a in attempts} == {request_id}
errors.attempts_table(attempts, sent_ms)

# %% [markdown]
# Three attempts, **one request id**: the id the Invoke call answered with is the one every attempt
# logs, which is how you count the attempts of one event in CloudWatch Logs. The spacing is the
# emulator's, not AWS's: it waits 1 s, then 2 s (AWS's shape divided by 60), so this cell does not
# wait three minutes. `LAMBDA_ASYNC_RETRY_BASE_SECONDS` (read when the emulator starts) sets the
# first wait; the second is twice it.

# %%
errors.plot_retry_timeline(attempts, sent_ms)

# %%
lab.fidelity("invocation")

# %% [markdown]
# Throttles (429) and Lambda's own errors (5xx) are different: Lambda keeps such an event in its
# queue and retries it for up to 6 hours, with waits growing from 1 second to 5 minutes, and an
# event older than `MaximumEventAgeInSeconds` is dropped with the condition `EventAgeExceeded`
# (same page). With no retries, one attempt (its record in section 6 counts it):

# %%
errors.configure_async(pay.name, retries=0, on_failure=failed_arn, dlq=dlq_arn)
once_id, once_ms = errors.invoke_async(pay.name, {"card": DECLINED, "amount_cents": 991})
assert len(lab.wait_for_invocations(pay.name, count=1, since_ms=once_ms, timeout_s=10)) == 1

# %% [markdown]
# ## 6. Dead-letter queue or on-failure destination: what arrives in each
#
# After the last attempt Lambda sends the event where the function's configuration says: a
# **dead-letter queue** (`DeadLetterConfig`: an SQS queue or SNS topic) and/or an **on-failure
# destination** (`DestinationConfig` in the event invoke config: SQS, SNS, Lambda, EventBridge or S3),
# both when both are set ([capturing records of asynchronous invocations](https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)).
# What the first event (three attempts) left in each:

# %% tags=["proof-on-failure-destination"]
parked = errors.wait_for_messages(dlq_url, count=2)
records = [m["Body"] for m in errors.wait_for_messages(failed_url, count=2)]
record, once = ({r["requestContext"]["requestId"]: r for r in records}[i] for i in (request_id, once_id))
assert record["requestContext"]["condition"] == "RetriesExhausted"
assert (record["requestContext"]["approximateInvokeCount"], once["requestContext"]["approximateInvokeCount"]) == (3, 1)
assert record["requestPayload"] == {"card": DECLINED, "amount_cents": 990}
assert record["responsePayload"]["errorType"] == "CardDeclined"
errors.record_table(record)

# %% [markdown]
# The **destination** got an *invocation record*: the request (`requestPayload`), the outcome
# (`responseContext`, `responsePayload` with the error object), the attempts (`approximateInvokeCount`)
# and why it stopped (`condition`). The **dead-letter queue** got the event alone, unchanged, with
# three message attributes:

# %%
dead = next(m for m in parked if m["MessageAttributes"]["RequestID"]["StringValue"] == request_id)
assert dead["Body"] == {"card": DECLINED, "amount_cents": 990}
assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "card ending 0002 was declined"
{"body": dead["Body"], **{k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}}

# %% [markdown]
# | | dead-letter queue | on-failure destination |
# |---|---|---|
# | set on | the function (`DeadLetterConfig`) | the function, a version or an alias (`put_function_event_invoke_config`) |
# | targets | SQS, SNS | SQS, SNS, Lambda, EventBridge, S3 |
# | message | the event, plus `RequestID`, `ErrorCode`, `ErrorMessage` attributes | the invocation record: request, response, error, attempts, condition |
# | on success too | no | yes, an on-success destination |
# | applies to | asynchronous invocation | asynchronous invocation (and, in their own shape, stream and Kafka mappings) |
#
# Prefer a destination for new work: it says *why*. Neither helps a synchronous call (the caller
# has the error) nor an SQS mapping (the queue's own redrive policy does that, section 7).
#
# ### When the failures never arrive
#
# The shop's refund function is invoked asynchronously, with one retry and an on-failure
# destination the support team reads. Customers say refunds fail; the queue stays empty. This is the
# break-and-debug exercise, as it is (a refund the gateway refuses):

# %% tags=["proof-exercise-demo-async-on-failure"]
shown = lab.try_exercise("async-on-failure")
shown

# %% [markdown]
# One attempt, although one retry was configured, and nothing in the destination, while the log
# says the refund failed. (Run in solutions mode, as the test suite does, the cell shows the fixed
# function instead: two attempts and one record.) Read the function (`exercises/05_error_handling/refund_worker.py`) with
# section 2 in mind, fix it, and check it in section 10.
#
# ## 7. Queues: partial batch failures, poison messages, duplicates
#
# Lambda polls an SQS queue for the function and invokes it with batches. When the function
# **raises**, the whole batch is a failure: every message, good ones included, becomes visible again
# after the queue's visibility timeout and is processed again. When the mapping has
# `FunctionResponseTypes=["ReportBatchItemFailures"]` and the function **returns**
# `{"batchItemFailures": [{"itemIdentifier": <messageId>}]}`, Lambda deletes the others and only the
# listed ones come back ([SQS error handling](https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html)).
# A message that fails every time (a **poison message**) would come back forever; the *source
# queue's* redrive policy moves it to a dead-letter queue after `maxReceiveCount` receives
# ([SQS dead-letter queues](https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html)).
#
# ```mermaid
# sequenceDiagram
#   participant Q as lab-05-orders
#   participant M as event source mapping
#   participant F as queue_worker
#   participant D as lab-05-orders-dlq
#   M->>Q: receive a batch: A, poison, B, A again
#   M->>F: invoke with the batch
#   F-->>M: batchItemFailures: [poison]
#   M->>Q: delete A, B, A again
#   Note over Q: poison visible again after the visibility timeout
#   M->>F: invoke with [poison] (receive 2)
#   F-->>M: batchItemFailures: [poison]
#   Q->>D: receive count reached maxReceiveCount (2): moved
# ```
#
# The kit's `queue_worker` handles orders with Powertools' `BatchProcessor` (one record's failure
# fails only that record) and its idempotency utility (section 8). Invoked directly with a batch of
# three, the middle one not JSON:

# %%
worker = lab.deploy_handler("queue_worker", "lab-05-orders-worker", timeout=2)
batch = errors.sqs_event([errors.order("o-direct-1"), "not an order", errors.order("o-direct-2")])
answer = lab.invoke(worker.name, batch).payload
assert answer == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["messageId"]}]}
answer

# %% [markdown]
# Now through a real queue and mapping: a redrive policy with `maxReceiveCount` 2, and one batch of
# four messages: order A, a poison message, order B, and order A **again** (a duplicate delivery).

# %%
orders_dlq_url, orders_dlq_arn = errors.queue("lab-05-orders-dlq")
redrive = json.dumps({"deadLetterTargetArn": orders_dlq_arn, "maxReceiveCount": "2"})
orders_url, orders_arn = errors.queue("lab-05-orders", VisibilityTimeout="2", RedrivePolicy=redrive)
mapping = lab.event_source_mapping(worker.name, orders_arn, batch_size=10, maximum_batching_window_s=1)

# %% tags=["proof-partial-batch"]
import uuid

run = uuid.uuid4().hex[:6]
a, b = errors.order(f"A-{run}"), errors.order(f"B-{run}")
ids = errors.send_batch(orders_url, [a, "poison", b, a])
table = worker.configuration["Environment"]["Variables"]["ORDERS_TABLE"]
both = [f"A-{run}", f"B-{run}"]
assert errors.wait_until(lambda: all(errors.orders(table, both).values()) and errors.messages_left(orders_url) == 1)
errors.orders(table, both), errors.depth(orders_url)  # both stored; one message left

# %% [markdown]
# Both orders are stored and three of the four messages are gone; the poison is the only one left
# (in flight: received and not deleted, so invisible until its visibility timeout ends; then
# waiting again). We come back to it after the duplicate.
#
# ## 8. Idempotency: a duplicate delivery processed once
#
# SQS delivers at least once, asynchronous events can arrive twice, and every retry re-runs work
# that may already be done ([Invoke](https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html):
# "your function may receive the same event multiple times"). Order A was delivered twice above.
# `queue_worker` keys Powertools' idempotency on the business id, `order_id`, stored in a DynamoDB
# table ([Powertools idempotency](https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/)):
# the second delivery returned the stored result instead of charging again.

# %% tags=["proof-idempotency"]
charged = errors.orders(table, [f"A-{run}", f"B-{run}"])
again = lab.invoke(worker.name, errors.sqs_event([a])).payload  # a third delivery
assert charged == {f"A-{run}": 1, f"B-{run}": 1} and again == {"batchItemFailures": []}
assert errors.orders(table, [f"A-{run}"]) == {f"A-{run}": 1}
charged

# %% [markdown]
# Three deliveries of order A, one charge. The key is the order id, not the SQS message id (a
# producer that sends the same order twice makes two message ids); the idempotency record also
# keeps a hash of the payload, so the same order id with another amount is refused, not silently
# acknowledged (`queue_worker`'s docstring). The in-progress record must outlive the function's
# timeout, and the key must not include volatile fields such as timestamps.
#
# ### The poison message
#
# Meanwhile the poison message became visible again, came back to the function in a batch of its
# own, failed again, and on reaching `maxReceiveCount` the queue moved it:

# %% tags=["proof-poison-message"]
moved = errors.wait_for_messages(orders_dlq_url, count=1, deadline_s=20)
assert [m["MessageId"] for m in moved] == [ids[1]] and moved[0]["Body"] == "poison"
assert errors.messages_left(orders_url) == 0
moved[0]["MessageId"], moved[0]["Body"]

# %% [markdown]
# `maxReceiveCount` 2 keeps this cell short. In production set it to at least 5 and the visibility
# timeout to six times the function's timeout, so that a throttled or slow batch does not park good
# messages ([configuring an SQS queue for Lambda](https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html));
# alarm on the dead-letter queue's depth, and redrive its messages back once the bug is fixed.
#
# ## 9. Streams: bisecting a failing batch
#
# A Kinesis or DynamoDB stream mapping reads a shard **in order**, so one failing record stops the
# shard: by default the batch is retried until the record expires. Four settings change that
# ([Kinesis error handling](https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html),
# [CreateEventSourceMapping](https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html)):
# `BisectBatchOnFunctionError` splits a failing batch in two and retries each half,
# `MaximumRetryAttempts` (-1, infinite, by default; up to 10,000) and `MaximumRecordAgeInSeconds`
# (-1 by default; 60 to 604,800) bound the retries, and an on-failure destination receives the
# description of what was given up. `ReportBatchItemFailures` works for streams too: return the
# sequence number of the first failed record.
#
# **The emulator's poller ignores `BisectBatchOnFunctionError` and `MaximumRetryAttempts`** (it
# retries a failing batch whole, once a second); the row below says so. So the kit replays Lambda's
# documented bisection itself, against the deployed function: `settle_batch` raises on a record that
# is not a settlement, and record 005 of eight is one.

# %%
lab.fidelity("event sources").loc[["stream-error-handling"]]

# %% tags=["proof-stream-bisect"]
settle = lab.deploy_function("lab-05-settle", "reference_app.handlers.payments", function="settle_batch")
settle_url, _ = errors.queue("lab-05-settlements-failed")
records = errors.settlement_records(8, poison_at=5)
bisected = errors.bisect_batch(settle.name, records, retries=1, destination_url=settle_url)
info = errors.wait_for_messages(settle_url)[0]["Body"]["KinesisBatchInfo"]
assert info["batchSize"] == 1 and info["startSequenceNumber"].endswith("005")
bisected.table()

# %% [markdown]
# Eight records, one bad: the halves without it succeed, the half with it is split again until the
# bad record is alone; after its retry, its **position** goes to the destination
# (`KinesisBatchInfo`: shard, first and last sequence number, batch size, stream), not the record
# itself: read it from the stream before it expires. The good records were each processed once
# here; on AWS a split re-runs records of a half that had already partly succeeded, one more reason
# for idempotent consumers.

# %%
info

# %% [markdown]
# ## 10. Exercises
#
# **Report partial batch failures** (`exercises/05_error_handling/order_batch.py`, fill in): process
# each record on its own and return `batchItemFailures`. The checks run it under moto, then through
# a real queue and mapping, and count what is left on the queue.

# %% tags=["proof-exercise-sqs-partial-batch"]
lab.check("sqs-partial-batch")

# %% [markdown]
# **The refunds that vanish** (`exercises/05_error_handling/refund_worker.py`, break and debug,
# shown in section 6): make a refused refund reach the on-failure destination after its retry.

# %% tags=["proof-exercise-async-on-failure"]
lab.check("async-on-failure")

# %% [markdown]
# ## 11. Recap
#
# - A synchronous caller gets status 200 with `FunctionError` and the error object; Lambda does not
#   retry it, the caller does. Never return `str(e)`; never turn a failure into a success.
# - A timeout is an error: `Task timed out`, `Sandbox.Timedout`; set it below the caller's.
# - Asynchronous events are retried twice (1 minute, then 2 on AWS), under one request id; then the
#   DLQ gets the event, the on-failure destination the invocation record.
# - SQS: return `batchItemFailures` (with `ReportBatchItemFailures` on the mapping) so only failed
#   messages come back; the source queue's redrive policy parks poison messages.
# - Deliveries repeat: make consumers idempotent on a business key.
# - Streams: bisect, bound the retries, and send what is given up to an on-failure destination.

# %% [markdown]
# ## Check yourself
#
# Answer, then reveal: each question links the cell above that shows its answer live.

# %%
lab.quiz("05_error_handling")

# %% [markdown]
# ### The seed's interview question this lesson answers
#
# **"How do you handle Lambda errors?"** The seed's answer is four words: "Try-catch blocks, dead
# letter queues, retry mechanisms, error logging". Each needs correcting. *Try-catch*: its own
# catch-all returns `str(e)` to the caller and turns failures into successes (section 2), so nothing
# is retried or parked. *Dead-letter queues*: a function's DLQ serves asynchronous invocation only;
# on-failure destinations carry more (section 6), and an SQS consumer's DLQ belongs to the source
# queue (section 7). *Retry mechanisms*: Lambda already retries asynchronous events and poll-based
# batches; retries of your own on top multiply attempts, and nobody retries a synchronous call but
# its caller (section 4). Today's answer depends on the invocation model: synchronous, translate
# known errors at the edge and raise the rest, callers retry with backoff; asynchronous, raise and
# configure retries, event age and a destination; queues and streams, partial batch responses, a
# redrive policy, bisection and retry limits. In every case, idempotent consumers, a timeout below
# the caller's, and alarms on `Errors`, `Throttles`, DLQ depth and `IteratorAge`.
