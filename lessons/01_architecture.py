# %% [markdown]
# # 01 · Architecture and invocation models
#
# The seed material this workshop grew from draws Lambda as one box: three event sources above
# it, three stores below it. In this notebook you deploy that picture for real, send traffic
# through it and follow every event to where it landed. Then you take the picture apart along
# the line that matters most in practice: **how** each source invokes a function, and **who
# retries** when the function fails. You finish by watching concurrency rise from zero and
# pricing what you ran.

# %%
from reference_app import lab
from reference_app.lab.lesson_helpers import architecture

lab.start_lesson("01_architecture")

# %% [markdown]
# ## 1. The seed's diagram, and what it leaves out
#
# The seed's diagram, as it draws it:
#
# ```text
#  S3 Events     API Gateway     DynamoDB Streams
#       \             |              /
#        ----->  AWS Lambda Function  <-----
#       /             |              \
#  S3 Storage    DynamoDB Database    SNS/SQS Messaging
# ```
#
# Three problems hide in it, and the seed's own templates show them:
#
# * **One function for three sources.** The seed's CloudFormation and Terraform wire a single
#   function to API Gateway, to the bucket's notifications *and* to the table's stream, but its
#   code only reads `event['body']`. An S3 or stream event has no `body`, so the function answers
#   `400` to nobody and *succeeds*: every upload and every stream record is silently dropped, and
#   since nothing failed, nothing is retried. One function per event shape, as below.
# * **"SNS/SQS messaging" has no consumer.** The seed's only subscriber is an e-mail address, and
#   there is no queue at all. Below, a stream consumer publishes to SNS and a subscriber function
#   forwards to SQS.
# * **The arrows are not all the same arrow.** API Gateway waits for the answer (synchronous), S3
#   and SNS hand the event over and leave (asynchronous), and nobody pushes stream records:
#   Lambda *polls* the stream (an event source mapping). Section 3 shows why that decides who
#   retries.
#
# What this notebook deploys (every `lab-01-…` resource is created by the next cell):
#
# ```mermaid
# flowchart LR
#   client([HTTP client]) --> apigw[API Gateway REST]
#   apigw -- synchronous --> api["λ lab-01-users-api"]
#   api --> users[("DynamoDB lab-01-users")]
#   users -- "stream, polled (event source mapping)" --> stream["λ lab-01-stream-processor"]
#   stream --> audit[("DynamoDB lab-01-audit")]
#   stream --> topic{{"SNS lab-01-changes"}}
#   topic -- asynchronous --> notify["λ lab-01-notifier"]
#   notify --> queue[["SQS lab-01-notifications"]]
#   uploader([uploader]) --> bucket[("S3 lab-01-uploads")]
#   bucket -- "asynchronous, uploads/ only" --> files["λ lab-01-s3-processor"]
#   files --> results[("DynamoDB lab-01-results")]
#   files -- thumbnails/ --> bucket
# ```
#
# `architecture.build()` deploys the four reference handlers with `lab.deploy_handler` (each one
# call: tables, topic and queue created, zip built and import-checked, function `Active`) and wires
# every trigger, including the permission each source needs. Run it twice: nothing is redeployed.

# %%
arch = architecture.build()
arch.wiring()

# %% [markdown]
# The last column but one is the permission side of the three models. A service that *pushes*
# (API Gateway, S3, SNS) calls `lambda:InvokeFunction` itself, so the **function's resource-based
# policy** must allow that service, for that API, bucket or topic. An event source mapping is
# Lambda reading on the function's behalf, so the **execution role** needs read access to the
# stream or queue. 04 · Triggers shows both policies in detail.
#
# ## 2. Send traffic and follow it
#
# Two sign-ups and one deletion over HTTP, then a PNG and a CSV (with a space in its name)
# uploaded under `uploads/`:

# %%
traffic = arch.send_traffic()
assert [status for _, status in traffic.requests] == [201, 201, 204]
traffic.requests

# %% [markdown]
# `follow` waits (polling, no sleeps) until every effect is visible: the audit items the stream
# consumer wrote, the messages the notifier forwarded to SQS, the results and the thumbnail of the
# uploads. Then it counts each function's invocations in its own log.

# %% tags=["proof-architecture-flow"]
flow = architecture.follow(arch, traffic)
assert flow.complete, flow.rows()
assert all(n >= 1 for n in flow.invocations.values()), flow.invocations
flow.table

# %% [markdown]
# The same flow as a diagram, with the counts measured just now. Three records on the stream may
# arrive in fewer invocations than records (a batch), and the thumbnail write does not loop back
# into the function, because the notification only covers `uploads/` (the handler also skips
# `thumbnails/`, a second line of defence).

# %%
flow.mermaid()

# %% [markdown]
# ## 3. Three invocation models, side by side
#
# | | synchronous | asynchronous | event source mapping (poll) |
# |---|---|---|---|
# | who invokes | the caller, and waits (`RequestResponse`) | the service hands the event to Lambda's queue (`Event`) | Lambda polls the source and invokes with batches |
# | examples | API Gateway, function URLs, an SDK call | S3, SNS, EventBridge, an SDK call with `InvocationType=Event` | SQS, Kinesis, DynamoDB Streams, Amazon MQ, Kafka |
# | the caller gets | the result, or the error | `202` at once, before the function runs | nothing: the producer only wrote to the queue or stream |
# | payload limit | 6 MB | 1 MB | the batch: up to 10,000 records (SQS standard, streams), within 6 MB |
# | on failure | **the caller** decides whether to retry | **Lambda** retries twice, then a DLQ or on-failure destination | **the source**: an SQS message reappears after its visibility timeout; a stream batch is retried until it succeeds or expires |
#
# Sources: [Invoke](https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html) (payload limits),
# [retry behavior](https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html),
# [asynchronous error handling](https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html),
# [event source mappings](https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html),
# [SQS parameters](https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html),
# [DynamoDB parameters](https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html).
#
# One function shows the first two: `invocation_probe` logs one line per attempt and fails when
# the event says `"fail": true`.

# %%
probe = architecture.deploy_probe()
run = architecture.new_run_id()  # tells this run's log lines from an earlier run's

# %% [markdown]
# **Synchronous.** The caller gets the failure in the answer. The HTTP status is still `200`:
# the *invoke* succeeded, the *function* failed, which the `FunctionError` field says
# ([Invoke](https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html)). Lambda does not retry;
# retrying is the caller's decision.

# %% tags=["proof-sync-invoke"]
failed = lab.invoke(probe.name, {"marker": f"sync-{run}", "fail": True})
assert failed.status_code == 200 and failed.function_error is not None
failed.payload

# %% [markdown]
# **Asynchronous.** The same failing event with `InvocationType=Event`: the caller gets `202`
# before the function has even started, so the failure can never reach it. Lambda keeps the event
# and tries again: by default two more times, about one minute and then two minutes later
# ([asynchronous error handling](https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html);
# 0 to 2 retries and an event age of up to 6 hours are
# [configurable](https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html)).

# %%
since = architecture.now_ms()
status = architecture.invoke_async(probe.name, {"marker": f"async-{run}", "fail": True})
assert status == 202

# %% [markdown]
# Your code is already free: the event sits in Lambda's queue and Lambda retries it in the
# background. Use the time. Lambda retries only a *failed* invocation: a function that catches the
# error and returns something has succeeded as far as Lambda knows, and the event is gone. The
# exercise `async-retries` is about exactly that: edit `exercises/01_architecture/confirm_order.py`,
# then run the check (it invokes your function asynchronously while a payment provider is busy, and
# counts the attempts in the log).

# %%
lab.check("async-retries")

# %% [markdown]
# Back to the probe's failing event: its three attempts, counted from the function's own log. The
# emulator retries after about one second and then two (`lab.fidelity("invocation")`); on AWS this
# takes about three minutes, which is why `attempts` waits up to four. Count the attempts; never
# rely on their timing.

# %% tags=["proof-async-invoke"]
tries = architecture.attempts(probe.name, f"async-{run}", since, expected=3, timeout_s=240)
assert len(tries) == 3, tries
tries

# %% [markdown]
# **Poll-based.** Nobody invokes the function: Lambda's pollers read the queue and call the
# function with batches (up to `batch_size` records, waiting up to `maximum_batching_window_s` to
# fill one). The queue's visibility timeout is set to six times the function's timeout, as AWS
# [advises](https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html). A new
# mapping can take a few seconds to start polling (`lab.fidelity("event sources")`).

# %%
reader = lab.deploy_handler("event_logger", "lab-01-queue-reader", timeout=3)
queue = architecture.wire_queue(reader.name, "lab-01-jobs", batch_size=10)

# %% tags=["proof-poll-invoke"]
batches = architecture.send_and_collect(queue, reader.name, count=5)
assert batches["records in the batch"].sum() == 5 and batches["records in the batch"].max() <= 10
assert architecture.wait_until_empty(queue) == 0  # a successful batch is deleted from the queue
batches

# %% [markdown]
# The three models as this notebook just observed them:

# %%
architecture.who_retries(failed, status, tries, batches)

# %% [markdown]
# A function can only tell its triggers apart by the shape of the event; the seed's single
# function could not. Exercise `which-trigger`: edit `exercises/01_architecture/which_trigger.py`
# so that `identify(event)` names the source and its invocation model, then check it (the live
# part puts your function behind API Gateway, an S3 bucket and an SQS queue).

# %%
lab.check("which-trigger")

# %% [markdown]
# ## 4. Scaling from zero
#
# In Lambda's default (on-demand) model each execution environment serves **one** request at a
# time ([Lambda Managed Instances](https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-runtimes.html),
# a separate model on EC2 capacity you own, run several at once; Python there uses one process per
# concurrent request, from Python 3.13). When more requests arrive than
# there are idle environments, Lambda creates new ones (each a cold start), so *concurrency* (the
# number of environments busy at once) is roughly requests per second × average duration. Two
# limits apply, from AWS's [scaling behavior](https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html)
# and [quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html) pages:
#
# * **Account concurrency:** 1,000 concurrent executions per Region by default, shared by every
#   function in the account (new accounts start lower; it can be raised to tens of thousands).
# * **Scaling rate:** each function can add at most 1,000 execution environments every 10 seconds
#   (10,000 requests per second every 10 seconds). Requests beyond either limit are throttled
#   (`429`).
#
# The seed's "scale up or down in milliseconds" and "from zero to thousands seamlessly" are wrong on
# both counts: scaling is fast but rate-limited, and capped by a quota you share.
#
# `GetAccountSettings` reports the quota. The emulator sizes it to your machine's memory, never
# above AWS's 1,000 (`lab.fidelity("invocation")`):

# %%
quota = architecture.account_concurrency()
assert 0 < quota["UnreservedConcurrentExecutions"] <= quota["ConcurrentExecutions"]
quota

# %% [markdown]
# Now the ramp: a configuration change retires the probe's environments (so this starts from
# zero even on a re-run), then waves of 1, 2, 4 and 8 parallel calls, each working 300 ms. The
# probe reports the id of the environment that served it.

# %% tags=["proof-concurrency-scaling"]
ramp = architecture.ramp(probe.name, waves=(1, 2, 4, 8), sleep_ms=300)
assert ramp.self_overlaps() == []  # no environment ever ran two invocations at once
assert ramp.environments >= ramp.peak >= 2 and ramp.by_wave.loc[1, "cold starts"] == 1
ramp.by_wave

# %%
ramp.plot()

# %% [markdown]
# Read the left plot row by row: each row is one execution environment, each bar one invocation,
# dark bars cold starts. Warm environments are reused first; new ones appear only when every
# existing one is busy. On the right, the number of environments never falls below the number
# of invocations running: that is what "concurrency" counts. On a busy laptop the cold starts of
# the last wave can take long enough that some warm environments finish first, so fewer than 8 run
# at the same moment (the assertion only asks for 2); Lambda's environments start in parallel.
#
# ## 5. What it costs
#
# Lambda's price has two parts ([pricing](https://aws.amazon.com/lambda/pricing/), US East
# (N. Virginia), on-demand, first tier):
#
# | | x86_64 | arm64 |
# |---|---|---|
# | requests | USD 0.20 per million | USD 0.20 per million |
# | duration | USD 0.0000166667 per GB-second | USD 0.0000133334 per GB-second (20% less) |
# | free tier, every month | 1 million requests and 400,000 GB-seconds, both architectures together | |
#
# * Duration is billed **per 1 ms**, rounded up, times the memory you configured, since December
#   2020 ([AWS News Blog](https://aws.amazon.com/blogs/aws/new-for-aws-lambda-1ms-billing-granularity-adds-cost-savings/)).
#   The seed's "billed per 100ms" is five years out of date.
# * Since 1 August 2025 the **INIT phase** (the cold start) is billed too, for on-demand functions
#   packaged as zip files on managed runtimes
#   ([AWS Compute Blog](https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/)).
#   The seed does not know it.
# * Cheaper tiers start above 6 billion GB-seconds a month on x86 and 7.5 billion on Arm
#   ([tiered pricing](https://aws.amazon.com/blogs/compute/introducing-tiered-pricing-for-aws-lambda/));
#   extras such as provisioned concurrency and `/tmp` beyond the included 512 MB are priced
#   separately on the same page.
#
# The kit's cost model first reproduces AWS's own worked example from the 1 ms billing
# announcement: 60 million invocations of 28 ms at 1 GB cost USD 12 in requests and USD 28 in duration.

# %%
example = architecture.cost(60_000_000, 60_000_000 * 0.028 * 1.0, "x86_64")  # requests, GB-seconds
assert round(example["requests"], 2) == 12.00 and round(example["duration"], 2) == 28.00
{charge: round(dollars, 2) for charge, dollars in example.items()}

# %% [markdown]
# Now the ramp you just ran, billed from its real `REPORT` lines (duration, plus `Init Duration`
# where the log has one), on both architectures:

# %% tags=["proof-cost-estimate"]
reports = ramp.reports(probe.name)
bill = architecture.bill(reports, memory_mb=probe.configuration["MemorySize"])
assert len(reports) == len(ramp.rows) == 15
assert bill.loc["arm64", "total ($)"] < bill.loc["x86_64", "total ($)"]
bill.style.format(precision=8)

# %% [markdown]
# Fractions of a cent: at this scale only the free tier matters. The same average invocation at
# ten million requests a month:

# %%
average_ms = bill.loc["x86_64", "billed ms"] / len(reports)
architecture.monthly_cost(10_000_000, average_ms, probe.configuration["MemorySize"])

# %% [markdown]
# The emulator's durations are your laptop's, not Lambda's: the emulator does not tie CPU to
# memory the way Lambda does (07 · Performance and cost measures that properly). The model, not
# the numbers, is the point here.
#
# ## 6. Recap
#
# * The seed's single function behind three sources silently dropped two of them; one function
#   per event shape, each wired with its own trigger, is what you deployed and followed.
# * **Synchronous**: the caller gets the answer or the error, and retries if it wants to.
#   **Asynchronous**: the caller gets `202`; Lambda retries a failed event twice. **Event source
#   mapping**: Lambda polls and batches; the queue or stream redelivers.
# * Push sources need a resource-based policy on the function; poll sources need read access in
#   the execution role.
# * Concurrency means environments busy at once, one request each; it is capped by the account's
#   quota (1,000 by default) and grows by at most 1,000 environments every 10 seconds per function.
# * You pay per request and per GB-second, per 1 ms, INIT included since August 2025; arm64 costs
#   20% less per GB-second.
#
# ## 7. The seed's interview questions this lesson answers
#
# **What is AWS Lambda?** An event-driven compute service: you deploy a function (a zip or a
# container image) and Lambda runs it in isolated execution environments when something invokes
# it, one request per environment at a time in the default model (Lambda Managed Instances run
# several per environment). It scales by adding environments (up to 1,000 every
# 10 seconds per function, within the account's concurrency quota of 1,000 by default), and you pay
# per request and per GB-second in 1 ms increments, INIT included for on-demand zip functions
# since August 2025. The seed's "billed per 100ms" and "instant scaling" are wrong today.
#
# **Which languages does Lambda support?** The seed lists "Python, Node.js, Java, C#, Go, Ruby, PHP,
# Rust" as if all were alike. Lambda has **managed runtimes** (AWS patches the language) only for
# Node.js, Python, Java, .NET (C#, PowerShell) and Ruby. Go, Rust and other compiled languages run
# on an **OS-only runtime** (`provided.al2023`), with a runtime interface client built into the
# binary; PHP has no AWS runtime at all and runs as a custom runtime or a container image
# ([OS-only runtimes](https://docs.aws.amazon.com/lambda/latest/dg/runtimes-provided.html)). The
# `go1.x` managed runtime is deprecated: Go functions moved to `provided.al2023` or `provided.al2`,
# and `provided.al2` has itself passed its deprecation date (30 June 2026) in the
# [Go runtime table](https://docs.aws.amazon.com/lambda/latest/dg/lambda-golang.html). On an OS-only
# runtime you, not AWS, patch the language. The Lambda API's own list of runtime identifiers, from
# the installed SDK, says the same: no `php` or `rust` identifier exists, Go's is `go1.x` (deprecated).

# %% tags=["proof-runtime-families"]
languages = architecture.seed_languages()
assert "no managed runtime" in languages["PHP"] and "no managed runtime" in languages["Rust"]
assert "go1.x" in architecture.runtime_families()["go"]
languages

# %% [markdown]
# **What are Lambda limitations?** 15 minutes (900 s) of configured timeout per invocation (a
# [durable function](https://docs.aws.amazon.com/lambda/latest/dg/durable-basic-concepts.html)
# spans up to a year by checkpointing across many invocations, each still at most 15 minutes); 128 MB to 10,240 MB of memory; `/tmp`
# from 512 MB up to 10,240 MB (the seed's "512MB temporary storage" is only the default); 6 MB
# synchronous and 1 MB asynchronous payloads; a concurrency quota and a scaling rate; no state you
# can rely on between invocations; cold starts
# ([quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html),
# [pricing](https://aws.amazon.com/lambda/pricing/)).
#
# **How do you design a serverless architecture for a large event-driven application?** Start
# from the events and from who retries them: a queue where producers can outrun consumers, a
# stream where order per key matters, SNS or EventBridge to fan out, Step Functions for multi-step
# transactions. Give each event shape its own small function. Assume at-least-once delivery:
# idempotent writes, partial batch responses, a DLQ or on-failure destination per model. Design
# around the limits (payload sizes, 15 minutes, concurrency), give each function its own
# least-privilege role, and deploy it all as code.
#
# **How do you handle Lambda errors?** Depends on the invocation model, as section 3 showed: the
# caller retries a synchronous call, Lambda retries an asynchronous one (then a DLQ or on-failure
# destination), and the queue or stream redelivers a failed batch. 05 · Error handling and retries
# goes further.

# %% [markdown]
# ## Check yourself
#
# Answer, then reveal: each question links the cell above that shows its answer live.

# %%
lab.quiz("01_architecture")
