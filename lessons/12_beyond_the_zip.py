# %% [markdown]
# # 12 · The platform beyond the zip
#
# Every function so far was a zip on a managed runtime, invoked one request at a time. A senior
# interview goes further: workflows that run for days inside one function, a cold start taken from a
# snapshot, code that runs beside the runtime, images instead of zips, streams instead of buffered
# answers, functions inside a VPC, a fleet of EC2 instances that Lambda manages for you, and the loops
# Lambda stops on its own. This notebook runs what can run here and says plainly what cannot:
#
# | topic | here |
# |---|---|
# | durable functions | **runs**: AWS's Durable Execution SDK and its local testing SDK, DynamoDB on the emulator |
# | SnapStart runtime hooks | **runs**: one snapshot restored into two environments (`os.fork`), and a SnapStart version published on the emulator |
# | wrapper script (`AWS_LAMBDA_EXEC_WRAPPER`) | **runs**: the kit's runtime execs it during INIT, as Lambda does |
# | extensions (Extensions and Telemetry APIs) | stated: the emulator has no Extensions API |
# | container images | a Dockerfile **linted** with Docker's own parser; building and running images needs Docker, stated |
# | response streaming, recursive loop detection | **runs** on the emulator, with its limits stated |
# | VPC networking, RDS Proxy, Managed Instances, Kafka, tumbling windows | one paragraph, a diagram, a citation and a small model each |

# %%
from reference_app import lab
from reference_app.lab.lesson_helpers import beyond_zip as bz

lab.start_lesson("12_beyond_the_zip")

# %% [markdown]
# The emulator's differences this lesson meets, one row each:

# %%
lab.fidelity("beyond the zip")

# %% [markdown]
# ## 1. Durable functions: module 09's saga, without a state machine
#
# A **durable function** is a Lambda function created with a `DurableConfig`. Its handler, wrapped
# by the Durable Execution SDK, gets a `DurableContext` whose operations are checkpointed: `step`
# runs work and records its result, `wait` suspends the execution without compute charges, and when
# the function resumes Lambda invokes it again **from the beginning** and replays the checkpoint log,
# substituting stored results for completed operations
# ([basic concepts](https://docs.aws.amazon.com/lambda/latest/dg/durable-basic-concepts.html)). One
# execution may span many invocations and last up to a year; each invocation is still capped by the
# function's timeout of at most 15 minutes
# ([durable functions](https://docs.aws.amazon.com/lambda/latest/dg/durable-functions.html)).
#
# `order_saga_durable` is module 09's saga as such a function: the same steps and compensations
# (imported from `order_saga`), orchestrated by a `for` loop instead of `order_saga.asl.json`.

# %%
lab.show_source("order_saga_durable")

# %% [markdown]
# ```mermaid
# sequenceDiagram
#   participant L as Lambda (durable execution)
#   participant F as order_saga_durable
#   participant D as DynamoDB saga table
#   L->>F: invocation 1: {"order": ...}
#   F->>D: step reserve (checkpointed)
#   F->>D: step charge (checkpointed)
#   F-->>L: wait 1 s: the function returns, nothing is billed
#   L->>F: invocation 2: replay from the top
#   Note over F: reserve and charge return their<br/>checkpointed results: not run again
#   F->>D: step ship (checkpointed)
#   F-->>L: {"status": "COMPLETED"}
# ```
#
# The emulator accepts a `DurableConfig` but does not run durable executions the way Lambda does
# (ministack 1.5.33 starts one only for a configuration field AWS does not have). AWS publishes a
# local runner for exactly this: the **testing SDK** (`aws-durable-execution-sdk-python-testing`)
# runs the handler in this process, checkpoints in memory, re-invokes after a wait and replays.
# The steps write to a real DynamoDB table on the emulator. The same three orders as in module 09:

# %%
table, run = bz.saga_table(), bz.new_run_id()
base = lab.load_event("order_saga_input")["order"]
sagas = bz.durable_sagas(
    table,
    {
        "happy path": {**base, "order_id": f"ds-{run}-ok"},
        "declined payment": {**base, "order_id": f"ds-{run}-no", "amount_cents": 10_000_000},
        "no shipping to ZZ": {**base, "order_id": f"ds-{run}-zz", "country": "ZZ"},
    },
)

# %% tags=["proof-durable-saga"]
summary = bz.durable_summary(sagas)
assert summary["saga"].tolist() == ["COMPLETED", "FAILED", "FAILED"]
assert summary.loc["declined payment", "compensations"] == "release"  # PaymentDeclined: nothing was charged
assert summary.loc["no shipping to ZZ", "compensations"] == "refund, release"  # reverse order
summary

# %% [markdown]
# The outcomes are module 09's: a declined payment releases the stock only, a shipping failure
# refunds and then releases. The `operations` column is the checkpoint log: the happy path waits
# between `charge` and `ship`; the declined payment never reaches the wait.
#
# **Replay, made visible.** Everything outside a step runs again on every invocation. A function with
# one step, then a one-second wait:

# %% tags=["proof-durable-replay"]
counts = bz.replay_counts()
assert counts["function body (outside steps)"] == 2 and counts["step"] == 1
counts

# %% [markdown]
# The body ran twice (the first invocation, then the replay after the wait); the step ran once. Hence
# the rules the SDK's guide states: side effects only inside steps, code outside steps deterministic
# (no clock, no random, no unrecorded I/O), and each step idempotent, because a step is retried (at
# least once per retry by default) after a failure or a timeout.
#
# **Durable functions or Step Functions?** Both orchestrate; they differ in where the workflow lives
# ([durable functions compared with Step Functions](https://docs.aws.amazon.com/lambda/latest/dg/durable-functions.html)):
#
# | | durable function | Step Functions |
# |---|---|---|
# | the workflow is | code in one function (Python, Node.js, Java) | a state machine in ASL, drawn in the console |
# | orchestrates | mostly your own code, steps in the same function | 200+ AWS services directly, many functions |
# | waits | `context.wait`, callbacks; no compute charge while waiting | `Wait` states, callbacks (`.waitForTaskToken`) |
# | longest run | one year | one year (Standard), five minutes (Express) |
# | tested | unit tests with the local testing SDK | the state machine's definition and execution history |
# | choose it when | the steps are application logic a developer owns and tests like code | the flow spans services and teams, needs a visual audit trail, or is mostly service integrations |
#
# Module 09's saga fits both: as a state machine the compensations are visible in the console's
# graph; as a durable function they are a `try`/`except` a unit test exercises.
#
# ## 2. SnapStart for Python: one snapshot, many environments
#
# With SnapStart (Python 3.12 and later, on **published versions** only), Lambda runs INIT when you
# publish a version, takes a Firecracker microVM snapshot of memory and disk, and **resumes** new
# execution environments from that snapshot instead of initializing them
# ([SnapStart](https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html)). Runtime hooks come from
# `snapshot-restore-py`, included in the Python managed runtimes: `@register_before_snapshot` hooks
# run before the snapshot, in reverse order of registration; `@register_after_restore` hooks run after
# each restore, in order of registration, and must finish within the 10-second restore limit
# ([Python runtime hooks](https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html)).
#
# ```mermaid
# flowchart LR
#   pub([PublishVersion]) --> init["INIT: imports, clients,<br/>random seed, connections"] --> before["before-snapshot hooks"] --> snap[("snapshot")]
#   snap --> e1["environment 1: restore,<br/>after-restore hooks, invoke"]
#   snap --> e2["environment 2: restore,<br/>after-restore hooks, invoke"]
#   snap --> e3["environment N ..."]
# ```
#
# **Uniqueness.** Whatever INIT computed is in every restored environment: "unique IDs, unique
# secrets, and entropy that's used to generate pseudorandomness" must be generated after
# initialization ([uniqueness](https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html)).
# `snapstart_probe` seeds a generator at INIT and does not re-seed it. `bz.restore` imports it once,
# runs its before-snapshot hooks, then forks that process twice: two environments with the snapshot's
# memory, each running the after-restore hooks and one invocation.

# %% tags=["proof-snapstart-uniqueness"]
restored = bz.restore(bz.handler_file("snapstart_probe"))
tokens = [r.answer["request_token"] for r in restored]
assert len(restored) == 2 and tokens[0] == tokens[1]  # two environments, one "random" token
bz.restored_frame(restored)[["pid", "request_token"]]

# %% [markdown]
# Two processes, one token. The same goes for a database connection opened at INIT: it is in the
# snapshot, shared by every restored environment, and its server may have dropped it long ago. The
# second exercise fixes both with hooks.
#
# **The kit's runtime runs the hooks.** On the emulator, publishing a version of a function with
# `SnapStart={"ApplyOn": "PublishedVersions"}` leaves it `Pending` while INIT and the before-snapshot
# hooks run, then `Active`; the after-restore hooks run before the version's first invocation. What
# the emulator cannot do is snapshot a process: the environment that ran INIT is the one that answers
# (the same pid below), and `AWS_LAMBDA_INITIALIZATION_TYPE` reads `on-demand` where AWS says
# `snap-start`.

# %% tags=["proof-snapstart-hooks"]
version = bz.publish_snapstart("lab-12-snapstart", bz.handler_file("snapstart_probe"), {})
published = lab.invoke("lab-12-snapstart", {}, Qualifier=version)
phases = [line.split()[0] for line in published.payload["lifecycle"]]
assert phases == ["init", "before_snapshot", "after_restore"]
published.payload["lifecycle"]

# %% [markdown]
# **What is billed.** For Python, SnapStart adds a charge for caching each published version's
# snapshot, for as long as the version exists, and a charge each time an environment is restored from
# it, both by the snapshot's size; the after-restore hooks and the runtime's load are billed as
# `Billed Restore Duration`, while the time to restore the snapshot itself is not
# ([SnapStart pricing](https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html#snapstart-pricing),
# [monitoring](https://docs.aws.amazon.com/lambda/latest/dg/snapstart-monitoring.html)). Unused
# versions keep costing: delete them. SnapStart does not combine with provisioned concurrency, EFS, or
# ephemeral storage above 512 MB (same page).
#
# ## 3. Extensions, the Telemetry API and wrapper scripts
#
# An **extension** runs beside the function in the same execution environment: an *external*
# extension is a separate process (often a binary in a layer under `/opt/extensions`), an *internal*
# one a thread in the runtime process. External extensions register with the **Extensions API** for
# `INVOKE` and `SHUTDOWN` events and may subscribe to the **Telemetry API** to receive the function's
# logs, platform events and traces as a stream
# ([Extensions API](https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html),
# [Telemetry API](https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api.html)).
#
# ```mermaid
# sequenceDiagram
#   participant L as Lambda
#   participant X as external extension
#   participant R as runtime + function
#   L->>X: INIT: Extension init (register, subscribe to Telemetry)
#   L->>R: Runtime init, Function init
#   L->>X: INVOKE event
#   L->>R: invoke
#   R-->>L: response
#   X-->>L: Next (done: flushed telemetry)
#   Note over L: environment frozen only when both are done
#   L->>R: SIGTERM (only with external extensions)
#   L->>X: SHUTDOWN event (≤ 2,000 ms for the whole phase)
# ```
#
# Their cost is on INIT and shutdown: INIT is Extension init, then Runtime init, then Function init,
# and ends only when the runtime and every extension have said `Next`; an invocation is not over for
# the environment until every extension is done with it; at shutdown the runtime gets `SIGTERM` and
# extensions a `SHUTDOWN` event, within a 2,000 ms phase
# ([execution environment lifecycle](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)).
# The emulator has no Extensions API (nothing listens under `/opt/extensions`), so a heavy extension's
# weight on INIT is a stated difference.
#
# A **wrapper script** is the other way in: `AWS_LAMBDA_EXEC_WRAPPER` names a script that Lambda runs
# with the runtime's command line as arguments; it can set variables or add interpreter arguments,
# then must `exec` the runtime ([modifying the runtime environment](https://docs.aws.amazon.com/lambda/latest/dg/runtimes-modify.html)).
# The kit's runtime does the same during INIT (`_exec_wrapper` in `reference_app/lab/emulator_patch/bootstrap.py`).
# The script, published as a layer so that it is `/opt/wrapper.sh`:

# %%
print(bz.WRAPPER_SCRIPT)

# %% tags=["proof-extensions-wrapper"]
wrapped = bz.wrapper_demo()
assert wrapped.iloc[0, 0] == "(not set)" and wrapped.iloc[1, 0] != "(not set)"
assert wrapped.iloc[1, 1] >= 250  # the wrapper's own 0.25 s is INIT time
wrapped

# %% [markdown]
# The wrapper's variable reached the function, and its quarter of a second is in `Init Duration`:
# whatever a wrapper or an extension does before the runtime starts, every cold start pays for.
#
# ## 4. Container images
#
# A function can be a container image instead of a zip: built from an **AWS base image** (runtime,
# runtime interface client and emulator included), an OS-only base image, or any image with the
# runtime interface client added; pushed to ECR in the same Region; run on a read-only file system
# with a writable `/tmp`
# ([container images](https://docs.aws.amazon.com/lambda/latest/dg/images-create.html)). What changes
# against a zip:
#
# - **size**: up to 10 GB uncompressed, layers included, against 250 MB unzipped for a zip and its layers
#   ([quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html));
# - **no Lambda layers**: an image carries its dependencies itself; layers are for zip functions
#   ([layers](https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html));
# - **cold starts**: Lambda optimises and caches an image when it is deployed and loads its
#   contents lazily, on demand, so a large image is not a large download on every cold start; the
#   function stays `Pending` until that is done, and an image unused for long goes `Inactive`
#   ([function states](https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html));
# - **the package type is fixed**: a zip function cannot become an image function, or back.
#
# Building and running an image needs Docker, which this kit does not assume: that stays a stated
# difference. What can be checked without Docker is the Dockerfile, parsed by Docker's own parser (the
# `dockerfile` package). A first try, and what is wrong with it:

# %% tags=["proof-container-lint"]
findings = bz.lint_dockerfile(bz.DOCKERFILE_FIRST_TRY)
assert {f.rule for f in findings} == {"pin", "user", "task-root", "pip-target", "entrypoint", "cmd-form"}
assert bz.lint_dockerfile(bz.DOCKERFILE) == []
bz.findings_frame(findings)

# %%
print(bz.DOCKERFILE)

# %% [markdown]
# ## 5. Response streaming
#
# Lambda supports response streaming natively on **Node.js managed runtimes**; other languages use a
# custom runtime that speaks the streaming Runtime API, or the **Lambda Web Adapter**; clients get the
# stream from a function URL with `InvokeMode=RESPONSE_STREAM` or from `InvokeWithResponseStream`.
# Streamed responses can exceed the 6 MB buffered limit (up to 200 MB) and improve time to first byte
# ([response streaming](https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html)).
#
# ```mermaid
# flowchart LR
#   client([browser]) -- "function URL, RESPONSE_STREAM" --> fn["Node.js handler<br/>streamifyResponse"]
#   fn -- "chunk, chunk, chunk" --> client
#   client2([browser]) -- "function URL" --> lwa["Python app + Lambda Web Adapter<br/>(extension, AWS_LWA_INVOKE_MODE=response_stream)"]
#   lwa -- "chunks" --> client2
# ```
#
# The emulator answers `InvokeWithResponseStream` for any function, framing the whole buffered answer
# as one `PayloadChunk` then `InvokeComplete`: the wire format is real, the streaming is not (a Python
# handler on a managed runtime cannot write chunks mid-invocation anyway).

# %% tags=["proof-response-streaming"]
lab.deploy_handler("hello", "lab-12-hello")
events = bz.stream_events("lab-12-hello")
assert [e["event"] for e in events] == ["PayloadChunk", "InvokeComplete"]
events

# %% [markdown]
# ## 6. VPC networking and RDS Proxy
#
# A function attached to a VPC reaches the VPC through **Hyperplane ENIs**: Lambda creates one network
# interface per combination of subnet and security groups, shared by every environment of the
# functions that use that combination, when the function is created or its VPC settings change (the
# function is `Pending` meanwhile), not at each cold start
# ([VPC networking](https://docs.aws.amazon.com/lambda/latest/dg/foundation-networking.html)). The
# ENIs have private addresses only: a function in a VPC has no internet access unless its private
# subnets route through a **NAT gateway** (billed per hour and per GB), and it reaches AWS services
# through **VPC endpoints** instead (gateway endpoints for S3 and DynamoDB at no charge, interface
# endpoints for the rest)
# ([internet access for VPC functions](https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html),
# [VPC endpoints](https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html)).
#
# ```mermaid
# flowchart LR
#   subgraph vpc[VPC]
#     subgraph private[private subnets]
#       eni["Hyperplane ENI<br/>(subnet + security groups)"]
#       proxy["RDS Proxy<br/>connection pool"]
#       rds[("RDS")]
#     end
#     nat["NAT gateway<br/>(public subnet)"]
#     gw["gateway endpoints<br/>S3, DynamoDB"]
#     ie["interface endpoint<br/>Secrets Manager"]
#   end
#   fn["function environments"] --> eni
#   eni --> proxy --> rds
#   eni --> gw
#   eni --> ie
#   eni --> nat --> internet([internet])
# ```
#
# The emulator has no VPC; the rules above, as a model of what a function can reach:

# %% tags=["proof-vpc-reachability"]
reach = bz.reachability()
assert reach.loc["internet", "VPC, private subnets only"].startswith("no")
assert reach.loc["dynamodb", "VPC + endpoints (S3, DynamoDB, Secrets Manager)"].endswith("gateway VPC endpoint")
reach

# %% [markdown]
# **RDS Proxy** exists for the connection storm: a burst of invocations is a burst of environments,
# each opening its own database connection, until the database's `max_connections` refuses them.
# The proxy keeps a pool of connections to the database and multiplexes the functions' connections
# onto it, queueing what does not fit, and fails over without dropping application connections
# ([RDS Proxy](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html),
# [Lambda with RDS](https://docs.aws.amazon.com/lambda/latest/dg/services-rds.html)). The arithmetic of
# 1,000 concurrent environments against a database that takes 500 connections:

# %% tags=["proof-rds-proxy"]
storm = {
    "no proxy": bz.connection_storm(1000, max_connections=500),
    "RDS Proxy, pool of 400": bz.connection_storm(1000, max_connections=500, proxy_pool=400),
}
refused = {label: row["refused by the database"] for label, row in storm.items()}
assert refused == {"no proxy": 500, "RDS Proxy, pool of 400": 0}
storm

# %% [markdown]
# ## 7. Lambda Managed Instances
#
# **Lambda Managed Instances** run functions on EC2 instances in your account that Lambda provisions,
# patches and scales, chosen through a **capacity provider** (VPC, instance requirements, scaling),
# which is also the security boundary: functions sharing one must trust each other. Each execution
# environment serves **several requests at once** (`PerExecutionEnvironmentMaxConcurrency`), so code
# must be safe to run concurrently; capacity scales asynchronously on CPU use rather than per request,
# which removes cold starts but throttles a burst that more than doubles traffic within five
# minutes; billing is the EC2 instances, a management fee on their price and a request charge, not
# GB-seconds ([Managed Instances](https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances.html),
# [core concepts](https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-core-concepts.html),
# [pricing](https://aws.amazon.com/lambda/pricing/)). Python serves concurrent requests with several
# processes, one request each: module globals are per process, `/tmp` is shared by all of them
# ([Powertools on Managed Instances](https://docs.aws.amazon.com/powertools/python/latest/lambda-features/managed-instances/)).
# This is why lessons 01 and 07 say "one request at a time" of the *default* model only.
#
# ```mermaid
# flowchart LR
#   reqs([200 concurrent requests]) --> d["default Lambda:<br/>200 environments,<br/>one request each"]
#   reqs --> m["Managed Instances:<br/>environments serving up to N each,<br/>on EC2 instances of a capacity provider"]
# ```
#
# The emulator has no capacity providers; the arithmetic of environments for one load:

# %% tags=["proof-managed-instances"]
needed = {
    "default (1 per environment)": bz.environments_needed(200),
    "Managed Instances, 16 per environment": bz.environments_needed(200, per_environment=16),
}
assert needed == {"default (1 per environment)": 200, "Managed Instances, 16 per environment": 13}
needed

# %% [markdown]
# ## 8. Recursive loop detection
#
# A function that writes to the queue, topic or bucket that triggers it loops forever, at full
# concurrency, billed. Lambda tracks a chain of requests (in the X-Ray trace header's lineage, no
# tracing needed) when the function calls a supported service with a supported SDK: **SQS, SNS, S3 and
# Lambda's Invoke API**. After about 16 invocations in one chain it **stops the next invocation**,
# sends the event to the dead-letter queue or on-failure destination if there is one, and notifies you;
# `PutFunctionRecursionConfig` with `RecursiveLoop=Allow` turns that off for one function. It does
# **not** see loops through other services (a DynamoDB stream the function writes back to, an HTTP
# call through API Gateway), nor a chain that leaves the supported SDKs: there, reserved concurrency
# and an explicit hop counter are the brakes
# ([recursive loop detection](https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html)).
#
# ```mermaid
# flowchart LR
#   q[("SQS queue")] -- "invoke (hop n)" --> f["function"]
#   f -- "SendMessage (hop n+1)" --> q
#   f -. "hop 17: stopped" .-> dlq[("DLQ / on-failure destination")]
#   f -- "PutItem" --> t[("DynamoDB table + stream")] -- "not tracked: loops on" --> f
# ```
#
# The emulator counts hops too, in a header of its own that a function's SDK calls carry; the cell
# sets it by hand rather than running sixteen real hops. The 16th invocation of a chain runs, the 17th
# is stopped, unless the function allows recursion:

# %% tags=["proof-recursion-stop"]
loop = [bz.invoke_at_depth("lab-12-hello", hops=15), bz.invoke_at_depth("lab-12-hello", hops=16)]
lab.client("lambda").put_function_recursion_config(FunctionName="lab-12-hello", RecursiveLoop="Allow")
loop.append({**bz.invoke_at_depth("lab-12-hello", hops=16), "RecursiveLoop": "Allow"})
lab.client("lambda").put_function_recursion_config(FunctionName="lab-12-hello", RecursiveLoop="Terminate")
assert [r["status"] for r in loop] == [200, 400, 200] and "RecursiveInvocationException" in loop[1]["error"]
loop

# %% [markdown]
# ## 9. Kafka (MSK) and tumbling windows
#
# Lambda reads **Amazon MSK** and self-managed Apache Kafka through an event source mapping that polls
# the topic's partitions, delivers batches grouped by partition in offset order, and commits offsets
# after a successful batch; a failing batch is retried, and an on-failure destination can take
# what cannot be processed ([Lambda with MSK](https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html)).
# **Tumbling windows** are a different feature, for **Kinesis and DynamoDB Streams** only: fixed
# windows of up to 900 seconds in which Lambda passes the `state` your function returned to the next
# invocation for the same shard and window, and sets `isFinalInvokeForWindow` on the last one, so a
# function can aggregate without a database
# ([tumbling windows with Kinesis](https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html)).
# For Kafka, aggregate in your own store or in a stream processor.
#
# ```mermaid
# flowchart LR
#   t[("MSK topic<br/>partitions 0..n")] -- "poll" --> esm["event source mapping<br/>(consumer group)"]
#   esm -- "batch per partition, in offset order" --> fk["function"]
#   fk -- "success: offsets committed" --> esm
#   fk -. "failure after retries" .-> dest[("on-failure destination")]
# ```
#
# ```mermaid
# flowchart LR
#   k[("Kinesis shard")] -- "batch 1, state {}" --> f1["function"] -- "state {a:1,b:1}" --> w((window))
#   w -- "batch 2, state {a:1,b:1}" --> f2["function"] -- "state {a:2,b:1}" --> w
#   w -- "isFinalInvokeForWindow" --> f3["function: totals"]
# ```
#
# The state passing, replayed here with a small handler (in this replay the final call carries no records):

# %% tags=["proof-tumbling-window"]
window = bz.replay_window([["home", "cart"], ["home"]])
assert window[-1]["final"] and window[-1]["returned"]["window_total"] == {"home": 2, "cart": 1}
window

# %% [markdown]
# ## 10. Exercises
#
# **A payout as a durable function** (`exercises/12_beyond_the_zip/payout.py`, fill in). Transfer the
# money in a step that is idempotent, wait for the settlement window with a durable wait, then
# notify in a step. The checks run it with the local testing SDK, count how often each step's work
# ran across the replay, refuse `time.sleep`, run `transfer` twice for one payout, and deploy the zip
# as a durable function.

# %% tags=["proof-exercise-durable-payout"]
lab.check("durable-payout")

# %% [markdown]
# **SnapStart hooks** (`exercises/12_beyond_the_zip/snapstart_orders.py`, fill in). Close the ledger
# connection before the snapshot; after each restore, give the order-id generator fresh entropy and
# open a new connection. The checks restore one snapshot into two environments against a ledger that
# numbers its connections, then publish a SnapStart version on the emulator.

# %% tags=["proof-exercise-snapstart-hooks"]
lab.check("snapstart-hooks")

# %% [markdown]
# ## 11. Recap
#
# - **Durable functions** checkpoint steps and replay the code after each wait: side effects in steps,
#   steps idempotent, waits with `context.wait`. Choose them for workflows that are code you test;
#   Step Functions for flows across services that need a visual audit trail.
# - **SnapStart** snapshots INIT at publish time: re-seed and reconnect after restore, close before
#   the snapshot; it bills cache and restore; published versions only.
# - **Extensions and wrappers** run in INIT (and shutdown): every cold start pays for them.
# - **Images**: 10 GB, no layers, AWS base images with the runtime interface client; a Dockerfile can
#   be checked without Docker.
# - **Streaming** is native on Node.js; Python streams through a custom runtime or the Web Adapter.
# - **VPC**: Hyperplane ENIs, no internet without NAT, endpoints for AWS services, RDS Proxy against
#   connection storms. **Managed Instances**: several requests per environment on EC2 Lambda manages.
# - **Recursive loops** through SQS, SNS, S3 and Invoke are stopped after ~16 hops; other loops are not.
# - **Kafka** mappings batch by partition; **tumbling windows** belong to Kinesis and DynamoDB Streams.

# %% [markdown]
# ## Check yourself
#
# Answer, then reveal: each question links the cell above that shows its answer live.

# %%
lab.quiz("12_beyond_the_zip")
