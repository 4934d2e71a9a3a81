# %% [markdown]
# # 07 · Performance and cost
#
# A Lambda bill has two lines, requests and GB-seconds, and a user feels two latencies, the cold
# start and the warm one. This notebook measures both on real invocations (from the `REPORT` line
# Lambda writes for every one), moves setup work in and out of module scope, relates memory to CPU,
# prices it all with today's prices, throttles a function with reserved concurrency, and tests
# Lambda's payload limits one byte either side of the boundary.

# %%
from reference_app import lab
from reference_app.lab import cost
from reference_app.lab.lesson_helpers import performance as perf

lab.start_lesson("07_performance_and_cost")

# %% [markdown]
# ## 1. Cold and warm, over many invocations
#
# ```mermaid
# sequenceDiagram
#   participant C as caller
#   participant L as Lambda
#   participant E as execution environment
#   C->>L: Invoke (no free environment)
#   L->>E: INIT: start the runtime, import the module (module scope runs)
#   E-->>L: ready (Init Duration)
#   L->>E: INVOKE: lambda_handler(event, context) (Duration)
#   E-->>C: answer
#   C->>L: Invoke again
#   L->>E: INVOKE only: a warm start
#   E-->>C: answer
# ```
#
# One sample proves nothing; lesson 00 showed one cold and one warm start. Here `perf_probe`
# (its setup takes 100 ms at module scope, its handler does a fixed amount of CPU work) gets two
# rounds of: every environment retired, a burst of 3 concurrent requests (each needs an
# environment of its own, so **each is a cold start**), then 4 requests one after another (warm).
# Every figure below comes from the function's `REPORT` lines in CloudWatch Logs.

# %%
lab.show_source("perf_probe")

# %% tags=["proof-cold-start-stats"]
perf.deploy_probe("lab-07-probe")
runs = perf.cold_and_warm("lab-07-probe")
stats = perf.summary(runs)
assert stats["invocations"].sum() == 14 and stats.loc["cold", "invocations"] >= 3  # 2 bursts of 3: about 6
assert (runs[runs.cold].init_ms > 0).all() and (runs[~runs.cold].init_ms == 0).all()
stats

# %% [markdown]
# Read the table: only cold starts have an `Init Duration`, and it dwarfs the handler's own
# `Duration`. `Billed Duration` is Duration **plus** Init Duration, rounded up to the next
# millisecond: since **1 August 2025** Lambda bills the INIT phase of on-demand functions packaged
# as zips on managed runtimes too
# ([AWS Compute Blog](https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/));
# before, it was free for them. The share of cold starts here (over 40 %) is the experiment's doing: AWS
# measures cold starts in *typically under 1 %* of production invocations (same post), because warm
# environments serve request after request. What decides it is concurrency: a burst of N requests
# needs N environments.

# %% tags=["proof-report-distribution"]
assert runs[runs.cold].billed_ms.min() > runs[~runs.cold].billed_ms.max()
perf.plot_cold_warm(runs)

# %% [markdown]
# ## 2. Setup at module scope, or in the handler
#
# The same 50 ms of setup (think: importing a large library, building a lookup table, creating
# SDK clients) done once per environment at module scope, or on every invocation inside the handler:

# %% tags=["proof-init-scope"]
scope = perf.init_scope(setup_ms=50)
assert scope.loc[("module", False), "billed_ms"] < 20 <= 50 <= scope.loc[("handler", False), "billed_ms"]
scope

# %% [markdown]
# At module scope the setup is paid once, during INIT (the cold row's `init_ms`); every warm
# invocation then bills a millisecond or two. In the handler, **every** invocation pays it again.
# This is AWS's first performance best practice: "initialize SDK clients and database connections
# outside of the function handler"
# ([Lambda best practices](https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html)).
# The exercise `init-once` at the end makes you do it, with a cached getter that stays testable.
#
# ### The seed's cold-start answers, corrected
#
# The seed answers "How do you handle Lambda cold starts?" with *provisioned concurrency,
# connection pooling, keep-alive strategies, warming functions*:
#
# | seed | today |
# |---|---|
# | warming functions, keep-alive pings | a scheduled ping keeps warm at most the environments it reaches; a burst of N concurrent requests still needs N environments, as the burst above showed, and every ping is a billed request (with INIT now billed too) |
# | connection pooling | in the default model an environment serves **one request at a time** ([Managed Instances](https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-runtimes.html) aside), so a pool per environment holds one useful connection: create one client or connection at module scope and reuse it (section 2) |
# | provisioned concurrency | real, but billed for as long as it is configured, and only on a version or alias (section 6); try first a smaller INIT, more memory (more CPU for INIT too) and [SnapStart](https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html) (Python 3.12 and later, on published versions) |
#
# And first of all: **measure** `Init Duration` and how often it happens, as above, before optimising.
#
# ## 3. Memory buys CPU
#
# Memory is the only compute setting: 128 MB to 10,240 MB in 1 MB steps, and "at 1,769 MB, a function
# has the equivalent of one vCPU (one vCPU-second of credits per second)"; CPU is allocated in
# proportion to memory ([configuring memory](https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html)).
# So a single-threaded, CPU-bound function at 128 MB gets 128 / 1,769 = 7 % of a vCPU, and runs about
# 14 times longer than at 1,769 MB; above 1,769 MB it gains nothing unless it uses more threads.
#
# **The emulator does not do this.** Every function gets your machine's cores whatever its
# `MemorySize` (`cpu-and-storage` below). So the sweep runs the same work at three memory sizes,
# shows that the local duration barely moves, and **computes** what AWS's CPU share makes of it:

# %%
lab.fidelity("lambda runtime").loc[["cpu-and-storage"]]

# %% tags=["proof-memory-cpu"]
sweep = perf.memory_sweep("lab-07-sweep")
assert perf.cpu_share(1769) == 1.0 and round(perf.cpu_share(128), 3) == 0.072
estimate = sweep["AWS estimate (ms)"]
assert abs(estimate.loc[128] / estimate.loc[1769] - 1769 / 128) < 0.1  # computed: 13.8 times longer on AWS
assert sweep.loc[128, "measured here (ms)"] < estimate.loc[128] / 2  # measured: nothing like it here
sweep

# %% [markdown]
# The last column is the point of the exercise: up to 1,769 MB, doubling the memory of a CPU-bound
# function halves its duration, so GB-seconds (and cost) stay flat while latency drops; below that,
# the smallest size is **not** the cheapest once it runs 14 times longer. Measure your own function
# at several sizes on AWS ([AWS Lambda Power Tuning](https://github.com/alexcasalboni/aws-lambda-power-tuning)
# does this), or read the memory recommendations AWS Compute Optimizer makes for functions.
#
# ## 4. What it costs
#
# `reference_app/lab/cost.py` prices a month of invocations with AWS's prices for US East
# (N. Virginia) as listed on [aws.amazon.com/lambda/pricing](https://aws.amazon.com/lambda/pricing/)
# (checked 28 November 2026; tiers explained in
# [AWS's tiered-pricing post](https://aws.amazon.com/blogs/compute/introducing-tiered-pricing-for-aws-lambda/)):
#
# | | x86_64 | arm64 |
# |---|---|---|
# | requests | USD 0.20 per million | USD 0.20 per million |
# | duration, first tier | USD 0.0000166667 per GB-s (first 6 billion GB-s a month) | USD 0.0000133334 per GB-s (first 7.5 billion) |
# | second tier | USD 0.000015 (next 9 billion) | USD 0.0000120001 (next 11.25 billion) |
# | third tier | USD 0.0000133334 (over 15 billion) | USD 0.0000106667 (over 18.75 billion) |
# | free tier, every month | 1,000,000 requests and 400,000 GB-s, for both together | |
#
# Duration is rounded **up to 1 ms** per invocation (since December 2020,
# [announcement](https://aws.amazon.com/about-aws/whats-new/2020/12/aws-lambda-changes-duration-billing-granularity-from-100ms-to-1ms/);
# the seed's "billed per 100ms" has been out of date for almost six years), and includes INIT since August 2025. A GB-second is one second
# at 1,024 MB. An asynchronous event over 256 KB is metered as more than one request: the kit counts one
# more per further 64 KB, as the [pricing page](https://aws.amazon.com/lambda/pricing/) states it since
# the 1 MB limit (check the page before you quote it). The
# calculator is tested against examples worked by hand (`tests/unit/test_cost.py`), and here prices
# the REPORT lines measured in section 1 at 10 million requests a month, on both architectures,
# before the free tier:

# %% tags=["proof-cost-model"]
reports = runs.rename(columns={"billed_ms": "Billed Duration"}).to_dict("records")
measured_bills = [cost.bill_from_reports(reports, 256, 10_000_000, a, free_tier=False) for a in ("x86_64", "arm64")]
table = cost.compare(measured_bills)
assert measured_bills[1].duration_cost < measured_bills[0].duration_cost
assert measured_bills[0].request_cost == measured_bills[1].request_cost == 10_000_000 / 1e6 * 0.20
table

# %% [markdown]
# The same month with the memory sweep's AWS estimates: cost against memory (left) and against
# duration at a fixed 1,024 MB (right), x86_64 and arm64. arm64's duration price is 20 % lower;
# whether your code also runs as fast on Graviton is something to measure, not assume.

# %% tags=["proof-cost-plots"]
perf.plot_cost(sweep["AWS estimate (ms)"].to_dict())

# %%
worked = cost.monthly_bill(3_000_000, 120, 512, free_tier=False)
assert round(worked.total, 2) == 3.60  # 3 x $0.20 + 180,000 GB-s x $0.0000166667
cost.compare([worked, cost.monthly_bill(3_000_000, 120, 512)])

# %% [markdown]
# The second row is the same load with the free tier: its 400,000 GB-s cover the 180,000 used, and
# 2 of the 3 million requests are billed.
#
# ## 5. Reserved concurrency: a cap, not a speed-up
#
# Each concurrent request needs an execution environment; an account has 1,000 concurrent executions
# per Region by default, and a function scales by up to 1,000 environments every 10 seconds
# ([scaling behaviour](https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html)).
# **Reserved concurrency** sets aside part of that for one function *and caps it there*; it is free,
# and the account must keep at least 100 unreserved
# ([reserved concurrency](https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html)).
# A request beyond the cap is refused with `TooManyRequestsException` (HTTP 429); a synchronous
# caller gets the error, an asynchronous event or a queue message is retried. The emulator
# implements it; here a function with a reservation of 1 is held busy by one request while a second arrives:

# %% tags=["proof-reserved-concurrency"]
perf.deploy_probe("lab-07-throttled", setup_ms=0)
throttled = perf.throttle("lab-07-throttled")
assert throttled.first_status == 200 and throttled.http_status == 429
assert throttled.error_code == "TooManyRequestsException"
assert throttled.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
throttled

# %% [markdown]
# This is where the seed's "optimize performance" snippet goes wrong twice:
#
# ```yaml
# ReservedConcurrencyLimit: 10 # Prevent overwhelming downstream services
# ```
#
# `ReservedConcurrencyLimit` is not a property of `AWS::Lambda::Function` (CloudFormation rejects
# the template; cfn-lint says E3002, lesson 03): the property is `ReservedConcurrentExecutions`.
# Spelled right, it **limits** throughput, which protects a downstream database, but it makes
# nothing faster. The rest of the snippet: `python3.9` is deprecated, `MemorySize: 512` and
# `Timeout: 30` should come from measurements (sections 1 and 3; a timeout just above the real p99
# and below the caller's), and `LOG_LEVEL: INFO` does nothing unless code reads it (lesson 08 sets
# log levels with Lambda's own logging configuration). Corrected:
#
# ```yaml
# Function:
#   Type: AWS::Lambda::Function
#   Properties:
#     Runtime: python3.13
#     Architectures: [arm64]              # 20 % cheaper per GB-s, if your code runs there
#     MemorySize: 1769                    # from a memory sweep: one full vCPU for a CPU-bound handler
#     Timeout: 10                         # just above the measured p99, below the caller's timeout
#     ReservedConcurrentExecutions: 10    # a cap that protects the database, not a speed-up
#     LoggingConfig: {LogFormat: JSON, ApplicationLogLevel: INFO}
# ```
#
# For a queue consumer, prefer the event source mapping's maximum concurrency (`ScalingConfig`):
# messages wait in the queue instead of being throttled back towards the DLQ.
#
# ## 6. Provisioned concurrency, and what the emulator does not emulate
#
# Provisioned concurrency keeps a number of environments initialised ahead of requests, on a
# published version or an alias, and is billed for as long as it is configured
# ([provisioned concurrency](https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html),
# [pricing](https://aws.amazon.com/lambda/pricing/)). On AWS the configuration is `IN_PROGRESS`
# for a few minutes, then `READY`, and the requests it serves have no `Init Duration`. The emulator
# accepts and reports it, but initialises nothing ahead of time:

# %% tags=["proof-provisioned-concurrency"]
pc = perf.provisioned("lab-07-probe")
assert pc["status"] == "READY" and pc["allocated"] == 2
assert pc["first invoke cold"] and pc["Init Duration on its REPORT line"] > 0  # the emulator's; not AWS's
lab.fidelity("concurrency")

# %% [markdown]
# ## 7. Payload limits, one byte either side
#
# `Invoke` takes at most **6 MB** of request and returns at most **6 MB** of response when it is
# synchronous, and takes at most **1 MB** when it is asynchronous
# ([Invoke](https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html),
# [quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)). The
# asynchronous limit was 256 KB until AWS raised it in October 2025
# ([AWS Compute Blog](https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb/)),
# so many answers you will read are out of date. In bytes, as Lambda's own errors state them: a
# request over 6,291,456 bytes is refused with HTTP 413 `RequestEntityTooLargeException` before
# anything runs; an asynchronous one over 1,048,576 bytes likewise; a response over 6,291,556 bytes
# (100 bytes more than a request may carry: the figure in Lambda's own runtime error, "Exceeded
# maximum allowed payload size (6291556 bytes)", measured in
# [this deep dive](https://zaccharles.medium.com/deep-dive-lambdas-request-payload-size-limit-2-2-6350c1ae5577))
# fails the invocation (`Function.ResponseSizeTooLarge`) *after* the work was done and billed.
# ministack accepts any size; the kit's runtime applies Lambda's limits (`payload-limits`):

# %% tags=["proof-payload-limit"]
limits = perf.payload_boundaries("lab-07-probe")
assert list(limits["error"]) == [
    "",
    "RequestEntityTooLargeException",
    "",
    "RequestEntityTooLargeException",
    "",
    "Function.ResponseSizeTooLarge",
]
assert list(limits["status"]) == ["200", "413", "202", "413", "200", "200 Unhandled"]
limits

# %% [markdown]
# Past the limits, the answer is architecture, not configuration: put the data in S3 and pass a
# reference (the *claim check*), or stream the response. Streaming is **not** a Python switch:
# Lambda streams natively only on its Node.js managed runtimes; a Python function streams through a
# custom runtime or the Lambda Web Adapter, behind a function URL in `RESPONSE_STREAM` mode or
# `InvokeWithResponseStream` (up to 200 MB,
# [response streaming](https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html)).
# Many answers online say "just stream it" for Python: that is the mistake. The exercise
# `large-report-s3` does the claim check, which works on every runtime.
#
# ## 8. Exercises
#
# **Prepare it once** (`exercises/07_performance_and_cost/price_lookup.py`, fill in). A handler loads a
# slow table on every call; keep it for the life of the execution environment. The checks call it
# three times in one process, then deploy it and read the REPORT lines of a cold and four warm
# invocations.

# %% tags=["proof-exercise-init-once"]
lab.check("init-once")

# %% [markdown]
# **A report larger than 6 MB** (`exercises/07_performance_and_cost/big_report.py`, fill in). Answer
# small reports inline and send large ones through S3 with a presigned URL. The checks build a
# 6.5 MB report, which would fail as a response, and read it back from S3.

# %% tags=["proof-exercise-large-report-s3"]
lab.check("large-report-s3")

# %% [markdown]
# ## 9. Recap
#
# - Cold starts are rare in production but expensive: they carry `Init Duration`, which has been
#   billed since 1 August 2025. Measure their frequency and size from REPORT lines first.
# - Setup at module scope is paid once per environment; in the handler, on every invocation.
# - Memory buys CPU (one vCPU at 1,769 MB). The emulator does not scale CPU with memory, so compute
#   the trade-off from measurements and AWS's rule, then confirm on AWS.
# - Cost = requests (USD 0.20 per million) + GB-seconds (1 ms granularity, tiers, arm64 20 % cheaper per
#   GB-s), less a free tier of 1M requests and 400,000 GB-s a month.
# - Reserved concurrency caps (429 `TooManyRequestsException` beyond it) and reserves; it speeds
#   nothing up. Provisioned concurrency pre-initialises, at a price; the emulator only stores it.
# - 6 MB synchronous request and response, 1 MB asynchronous request: past them, S3 (any runtime) or
#   streaming (Node.js natively; Python only through a custom runtime or the Lambda Web Adapter).
#
# ### Quiz

# %%
lab.quiz("07_performance_and_cost")

# %% [markdown]
# ### The seed's interview questions this lesson answers
#
# **"What are Lambda limitations?"** The seed lists "15-minute execution timeout, 10GB memory limit,
# 512MB temporary storage, cold start latency". Today: up to 15 minutes (900 s) per invocation (durable
# functions checkpoint across invocations for up to a year); memory
# from 128 MB to 10,240 MB in 1 MB steps, with CPU in proportion; `/tmp` is 512 MB **by default** and
# configurable up to 10,240 MB; payloads of 6 MB (synchronous request and response) and 1 MB
# (asynchronous), shown above; a 50 MB zip (250 MB unzipped with layers); 1,000 concurrent executions
# per Region by default ([quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)).
# Cold starts are a behaviour to design for, not a limit.
#
# **"How do you optimize Lambda performance?"** Not with the seed's YAML (section 5): measure, then
# right-size memory (CPU comes with it), keep INIT small and do setup once per environment, reuse
# clients, consider arm64, and only then SnapStart or provisioned concurrency for a latency target.
#
# **"How do you handle Lambda cold starts?"** Measure Init Duration and how often it occurs; shrink
# INIT (fewer, lazier imports), give it more memory, use SnapStart (Python 3.12+) or provisioned
# concurrency where a target demands it. Warming pings and connection pools do not solve bursts
# (section 2).
#
# **"How do you optimize AWS Lambda for performance, cost, and reliability in enterprise
# environments?"** The seed's "use reserved capacity" does not exist for Lambda: reserved
# *concurrency* is a free cap, provisioned concurrency a billed pre-warm, and discounts for steady use
# come from Compute Savings Plans. Right-size from measurements, reserve concurrency to protect
# downstreams, alarm on errors and throttles (lesson 08).
