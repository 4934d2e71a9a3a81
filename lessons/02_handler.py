# %% [markdown]
# # 02 · The handler, the event and the context
#
# A Lambda function is a Python module and one function in it: Lambda imports the module, then
# calls `handler(event, context)` once per request. This notebook takes that contract apart on
# real invocations: every attribute of the context object, what module scope keeps between
# requests, the environment, the response each kind of HTTP front door expects, status codes and
# validation, logging that reaches CloudWatch, packaging a dependency, a layer, and `/tmp`.
#
# Every function here is a real zip deployed on the emulator. Most come from one reference
# handler, `reference_app/handlers/anatomy.py`: one small function per part, each deployed as a
# function of its own with `function="..."`.

# %%
from reference_app import lab
from reference_app.lab.lesson_helpers import handler_anatomy as anatomy

lab.start_lesson("02_handler")

# %% [markdown]
# Every function this notebook uses is deployed first, several at a time: each create leaves a
# function `Pending` for a moment before it is `Active` (seconds on AWS), and waiting for them
# together is quicker than one by one. Each section deploys its function again where it uses it;
# that deploy finds nothing to change. (The Powertools function is also invoked once here, so that
# its cold start, importing Powertools and pydantic, overlaps the other deploys.)

# %%
from reference_app.lab.lesson_helpers.parallel import summary

summary(anatomy.deploy_lesson_functions())

# %% [markdown]
# ## 1. The contract: `module.function`, called with an event and a context
#
# A function's **handler** setting reads `file.function`: `anatomy.context_report` means "import
# `anatomy.py`, call its `context_report`". Lambda imports the module once per **execution
# environment** (the INIT phase of a cold start) and then calls the function for every request
# that environment serves ([Python handler](https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html),
# [execution environment lifecycle](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)):
#
# ```mermaid
# sequenceDiagram
#   participant C as caller
#   participant L as Lambda
#   participant E as execution environment
#   C->>L: Invoke (event 1)
#   L->>E: INIT: start Python, import anatomy.py (module scope runs)
#   L->>E: INVOKE: context_report(event 1, context)
#   E-->>C: the return value, as JSON
#   C->>L: Invoke (event 2)
#   L->>E: INVOKE: context_report(event 2, context) (warm: no INIT)
#   E-->>C: the return value, as JSON
# ```
#
# The **event** is whatever JSON the caller sent: an API Gateway request, an S3 notification, an
# SQS batch, or your own `{"any": ...}`. Its shape is the caller's, which is why a handler is
# written for one trigger. The **context** is Lambda's: who is running, and for how long.
# Here is the function that reports every attribute of it:

# %%
anatomy.show_part("context_report")

# %% tags=["proof-context"]
context_fn = anatomy.deploy_part("context_report", timeout=5, memory_size=256)
report = lab.invoke(context_fn.name, {"any": ["JSON", "value"]}).payload
assert report["memory_limit_in_mb"] == {"type": "str", "value": "256"}
assert 0 < report["get_remaining_time_in_millis"]["value"] <= 5000
anatomy.context_table(report)

# %% [markdown]
# What each one is for ([the context object in Python](https://docs.aws.amazon.com/lambda/latest/dg/python-context.html)):
#
# | attribute | what it tells you | use it to |
# |---|---|---|
# | `aws_request_id` | this invocation's id: on the `START`, `END` and `REPORT` lines, and in the Invoke response | tie your log lines to one invocation (lesson 08) |
# | `function_name`, `function_version` | which function, which version (`$LATEST` here) | label metrics and logs |
# | `invoked_function_arn` | the ARN the caller used: with `:alias` or `:3` when it named one | tell an alias from `$LATEST` |
# | `memory_limit_in_mb` | the `MemorySize` setting, **as a string** (`"256"`) | `int(...)` it before any arithmetic |
# | `log_group_name`, `log_stream_name` | where this environment writes in CloudWatch Logs: one stream per environment | find the logs of one environment |
# | `get_remaining_time_in_millis()` | milliseconds left before the function's `Timeout` stops it | stop a batch loop early, cleanly (lesson 05) |
# | `identity`, `client_context` | Cognito identity and client context of a mobile SDK call; empty otherwise | mobile apps only |
# | `log`, `tenant_id` | a method that writes a line to the log, and the tenant of a function in tenant isolation mode (None here); not on AWS's page, added by the runtime client | rarely needed |
#
# The seed stores `context.aws_request_id` as a user's `created_at`. It is an identifier, not a
# time: nothing can sort or compare it. The kit's `users_api` stores a UTC timestamp instead.

# %% [markdown]
# ## 2. Module scope survives between warm invocations
#
# Code at module scope runs during INIT, once per environment; what it creates lives as long as the
# environment. `count` keeps a counter there, and an id made at import:

# %%
anatomy.show_part("count")

# %% [markdown]
# Three invocations, then a configuration change (which retires the environment, as any change
# does on AWS) and one more:

# %% tags=["proof-module-scope"]
counter = anatomy.deploy_part("count")
runs = [lab.invoke(counter.name).payload for _ in range(3)]
lab.force_cold_start(counter.name)
runs.append(lab.invoke(counter.name).payload)
first = runs[0]["invocations"]  # 1 after a deploy; more if you run the cell again
assert [r["invocations"] for r in runs] == [first, first + 1, first + 2, 1]
assert runs[0]["environment"] == runs[2]["environment"] != runs[3]["environment"]
runs

# %% [markdown]
# That is why AWS tells you to create SDK clients and connections **outside the handler**: a warm
# invocation reuses them instead of paying for them again
# ([best practices](https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html)). And it is why
# **a request's own data never goes there**: the next request in the environment, perhaps another
# user's, would see it. Do not count on reuse either: every environment starts cold, and Lambda
# starts as many as it needs. The exercise at the end keeps an expensive client at module scope and
# proves the reuse.
#
# ## 3. Environment variables: yours and Lambda's
#
# A function reads its configuration from environment variables: yours (`Environment`, at most
# 4 KB in all, [Lambda quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)),
# and the ones Lambda defines for every function
# ([defined runtime variables](https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)),
# among them the execution role's temporary credentials, which boto3 picks up by itself (so the
# function below only says whether they are there).

# %%
variables_fn = anatomy.deploy_part("environment", environment={"GREETING": "Hej"})
seen = lab.invoke(variables_fn.name).payload
assert seen["GREETING"] == "Hej" and seen["lambda"]["_HANDLER"] == "anatomy.environment"
assert seen["lambda"]["TZ"] == ":UTC" and all(seen["credentials_present"].values())
anatomy.variables_table(seen)

# %% [markdown]
# `TZ` is `:UTC` on Lambda ([defined runtime environment variables](https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)),
# so `datetime.now()` without a zone is UTC there; say `datetime.now(UTC)` anyway.
# Plain variables are for configuration, not secrets: anyone who can read the function's
# configuration reads them (lesson 06 reads secrets from Secrets Manager instead). Two values are
# this machine's, not AWS's: `LAMBDA_TASK_ROOT` is `/var/task` on AWS, and the kit adds
# `AWS_ENDPOINT_URL` (not shown) so the function's own boto3 calls reach the emulator.
#
# ## 4. The response shape: REST API, HTTP API, function URL
#
# Behind an HTTP front door the return value is not sent as it is: the front door reads it as an
# HTTP response. Each one wants a slightly different shape:
#
# | front door | payload format | the function must return | several cookies |
# |---|---|---|---|
# | API Gateway REST API, proxy integration | 1.0 | `statusCode`, `headers`, `body` **as a string**, `isBase64Encoded` for binary; anything else is a 502 ([proxy integration](https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html)) | `multiValueHeaders: {"Set-Cookie": [...]}` |
# | API Gateway HTTP API | 2.0 (default) | the same shape; **or** any JSON without `statusCode`, which becomes 200, `application/json`, and that JSON as the body ([HTTP API integrations](https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html)) | `cookies: [...]` |
# | Lambda function URL | 2.0 | as an HTTP API ([invoking function URLs](https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html)) | `cookies: [...]` |
#
# `http_response` builds the full shape for either format; `bare_result` returns a dict without
# `statusCode`:

# %%
anatomy.show_part("http_response")

# %% tags=["proof-response-shapes"]
full, bare = anatomy.deploy_part("http_response"), anatomy.deploy_part("bare_result")
shapes = anatomy.response_shapes(full, bare)
assert (shapes.loc[full.name, "status"] == 200).all() and (shapes.loc[full.name, "cookies"] == 2).all()
assert (shapes.loc[bare.name, "status"] == 200).all()  # payload 2.0 infers 200 + JSON
shapes

# %% [markdown]
# The same function answered all three with two cookies, because it wrote each format's shape.
# `bare_result` got 200 from the HTTP API and the function URL, which is AWS's documented
# inference for payload 2.0. It is not called through a REST API here: **AWS answers 502**
# ("Malformed Lambda proxy response") and the emulator answers 200 with the dict as the body
# (`proxy-missing-status` below), so a 200 from the emulator's REST API proves nothing about a
# response's shape. Return the full shape and you are right on all three.

# %%
lab.fidelity("api gateway")

# %% [markdown]
# ## 5. Validation and status codes: `users_api`, raw and with Powertools
#
# The seed's create-user function checks only that three fields are present, overwrites an existing
# user with `put_item`, answers 200 for a creation and returns `str(e)` to the caller on any error.
# The kit's `users_api` is the corrected version: a ten-line handler, a pure core that takes the
# table, domain errors raised inside and translated to a status once, at the edge:
#
# | situation | seed | `users_api` |
# |---|---|---|
# | body not JSON, or not an object | 500 with the exception text | 400, "request body must be ..." |
# | unknown field (`role`) | silently dropped | 400 naming the field |
# | `"user_id": 42` | 500 with DynamoDB's exception text | 400 naming the field |
# | a malformed e-mail | stored | 400 naming the field |
# | `user_id` already taken | silently overwritten, 200 | 409: `ConditionExpression="attribute_not_exists(user_id)"` ([condition expressions](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html)) |
# | created | 200 | 201, with the stored user |
# | unexpected error | 500 with `str(e)` (table names, internals) | 500 "internal server error"; the trace only in the log |
#
# Because the core takes the table as an argument, it is tested **before anything is deployed**:
# called directly, under moto's in-memory DynamoDB.

# %% tags=["proof-core-unit-test"]
core = anatomy.core_unit_test()
assert list(core["status"][:4]) == [201, 409, 400, 400]
assert core.loc["items in the table", "detail"] == '["Ada Lovelace"]'  # trimmed, and not overwritten
core

# %% [markdown]
# Then deployed behind a REST API and driven over HTTP, ten requests:

# %% tags=["proof-validation"]
import uuid

users = lab.deploy_handler("users_api", "lab-02-users")
raw = anatomy.call_users_api(lab.rest_api("lab-02-users", users.arn), f"ada-{uuid.uuid4().hex[:6]}")
assert list(raw["status"]) == [201, 409, 400, 400, 400, 400, 200, 404, 405, 204]
raw

# %% [markdown]
# `users_api_powertools` is the same service written with
# [Powertools for AWS Lambda](https://docs.powertools.aws.dev/lambda/python/latest/): routes on a
# `Router`, the body parsed by a pydantic model, HTTP errors raised as Powertools exceptions. A
# differential fuzz test (`tests/moto/test_users_api_fuzz.py`) holds the twins to the same status
# for every request. The same ten requests, side by side:

# %%
twin = lab.deploy_handler("users_api_powertools", "lab-02-users-powertools")
powertools = anatomy.call_users_api(lab.rest_api("lab-02-users-powertools", twin.arn), f"ada-{uuid.uuid4().hex[:6]}")
assert list(powertools["status"]) == list(raw["status"])
raw[["status"]].join(powertools[["body"]].rename(columns={"body": "Powertools body"})).join(raw[["body"]])

# %% [markdown]
# Same statuses; the error bodies differ (Powertools' `{"statusCode": ..., "message": ...}`), and
# so does the cold start, which has pydantic and Powertools to import. Choose the raw style when the
# function is small and the cold start matters, the framework when routes, validation and
# structured logging would otherwise be written by hand (lesson 07 measures the import cost).
#
# Validate in the handler even when API Gateway validates too: a REST API's request validator
# rejects a bad body before the function runs
# ([request validation](https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html)),
# but the function can also be reached another way, and business rules do not fit a schema.
#
# ## 6. Logging that reaches CloudWatch Logs
#
# `print()` and the `logging` module both reach the function's log group. AWS's Python runtime puts
# a handler on the **root logger**, so `logging.getLogger()` works with no set-up of your own
# ([Python logging](https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html)). `log_lines`
# logs at every level, with an `extra` field, and one exception with `logger.exception`:

# %%
anatomy.show_part("log_lines")

# %% [markdown]
# In the default **text** format each `logging` line carries its level, a UTC timestamp and the
# request id; the root logger is left at Python's default level, `WARNING`, so `debug` and `info`
# lines are dropped unless you `setLevel`. `print()` lines come as they are.

# %% tags=["proof-logging-text"]
text_fn = anatomy.deploy_part("log_lines", LoggingConfig={"LogFormat": "Text"})
text_logs = anatomy.log_output(lab.invoke(text_fn.name))
assert [line.split("\t")[0] for line in text_logs[:2]] == ["[WARNING]", "[ERROR]"]
assert "Traceback" in text_logs[1] and not any("info:" in line for line in text_logs)
print("\n".join(text_logs))

# %% [markdown]
# With `LoggingConfig` `LogFormat=JSON`, the same code writes one JSON object per line: level,
# timestamp, message, request id, your `extra` fields, and for an exception `errorType`,
# `errorMessage` and `stackTrace` as fields that CloudWatch Logs Insights can query. The runtime sets
# the root logger to `ApplicationLogLevel`, and Lambda drops lines below it, `print()` lines
# counting as INFO ([log-level filtering](https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html)):

# %% tags=["proof-logging-json"]
import json

config = {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "INFO"}
json_fn = anatomy.deploy_part("log_lines", name="lab-02-log-lines-json", LoggingConfig=config)
json_logs = anatomy.log_output(lab.invoke(json_fn.name))
records = [json.loads(line) for line in json_logs if line.startswith("{")]
assert [r["level"] for r in records] == ["DEBUG", "INFO", "WARNING", "ERROR"] and records[1]["order_id"] == "o-1"
assert records[3]["errorType"] == "KeyError" and records[3]["stackTrace"]
records[3]

# %% [markdown]
# The seed's "Error Handling" best practice sets the root logger up by hand
# (`logger = logging.getLogger(); logger.setLevel(logging.INFO)`) and logs
# `logger.error(f"Unexpected error: {str(e)}")`. The `setLevel` is what makes INFO lines appear in
# text format, so that part is right. The error line is where it falls short: here is the seed's
# snippet, deployed as written (with `process_request` filled in), on an event without `items`:

# %% tags=["proof-seed-logging"]
seed_module = anatomy.write_module("seed_logging", anatomy.SEED_LOGGING)
seed_fn = lab.deploy_function("lab-02-seed-logging", seed_module, LoggingConfig={"LogFormat": "Text"})
seed_answer = lab.invoke(seed_fn.name, {"basket": []})
seed_logs = anatomy.log_output(seed_answer)
assert seed_answer.ok and seed_answer.payload["statusCode"] == 500
assert seed_logs[0].endswith("Unexpected error: 'items'") and "Traceback" not in "".join(seed_logs)
seed_logs

# %% [markdown]
# `Unexpected error: 'items'`: the exception's type (`KeyError`), the line and the stack are gone,
# because `str(e)` of a `KeyError` is just the key. In JSON format the line has no `errorType` or
# `stackTrace` fields to query. And the invocation **succeeded**: the function returned a 500 body,
# so behind API Gateway the client gets a 500, but invoked any other way (asynchronously, from a
# queue) Lambda sees a success and never retries (lesson 05). What to do instead:
#
# - `logger.exception("...")` inside `except`: the traceback, and in JSON the error fields;
# - `%s` arguments or `extra={...}` rather than f-strings, so fields stay fields;
# - the level from `LoggingConfig` (`ApplicationLogLevel`) rather than hard-coded in the module;
# - re-raise what the function cannot handle, unless a caller reads the status code.
#
# `users_api` predates the runtime's handler: it writes its own JSON lines to stdout, without the
# request id the runtime adds; Powertools' `Logger` (in `users_api_powertools`) adds the request id
# and cold-start flag itself.
#
# ## 7. Packaging a dependency, and the import check
#
# A function imports only what is in its zip, its layers and the runtime's boto3
# ([Python deployment packages](https://docs.aws.amazon.com/lambda/latest/dg/python-package.html)). A
# handler here declares its third-party distributions in `REQUIREMENTS`, and the kit copies them
# (and what they depend on) into the zip, next to the module. A validator that uses
# `fastjsonschema`:

# %%
validator = lab.deploy_function("lab-02-validator", anatomy.validator_module(declared=True))
assert lab.invoke(validator.name, {"order_id": "o-1"}).payload == {"valid": True, "validator": "fastjsonschema"}
anatomy.zip_contents(validator)

# %% [markdown]
# On this machine `fastjsonschema` is installed, so a function that forgot to declare it would
# still import here and then fail on AWS with `Runtime.ImportModuleError`. Before every deploy
# the kit imports the zip in an isolated interpreter that sees nothing else, and refuses it with
# one sentence naming the module:

# %% tags=["proof-import-check"]
try:
    lab.deploy_function("lab-02-validator-forgot", anatomy.validator_module(declared=False))
    refused = None
except lab.LabError as err:
    refused = str(err)
assert "imports 'fastjsonschema', which is not in its zip" in refused
refused

# %% [markdown]
# Sizes: a zip uploaded directly is at most 50 MB, the function unzipped with its layers at most
# 250 MB, a container image at most 10 GB
# ([Lambda quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)).
# Packages with compiled parts (pydantic-core, Pillow, numpy) must be built for Linux and the
# function's architecture: `pip install --platform manylinux2014_x86_64 --only-binary=:all: -t
# build/`. The import check proves a module is there, not that its binary fits AWS's platform.
#
# ## 8. Layers
#
# A layer is a zip Lambda extracts under `/opt`; for Python its packages go under `python/`, which
# is on the import path ([Python layers](https://docs.aws.amazon.com/lambda/latest/dg/python-layers.html)).
# A function can use up to five, and they count toward the 250 MB
# ([layers](https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html)). Publish one with a
# `greetings` module, attach it to a function whose zip does not have it, and import from it:

# %% tags=["proof-layer"]
if lab.capabilities().supports("layers", "Section 8's layer"):
    layer = anatomy.publish_layer("lab-02-greetings", anatomy.GREETINGS_LAYER)
    layer_user = anatomy.write_module("layer_user", anatomy.LAYER_USER)
    user_fn = lab.deploy_function("lab-02-layer-user", layer_user, Layers=[layer])
    greeting = lab.invoke(user_fn.name, {"name": "Ada"}).payload
    assert greeting["greeting"] == "Hello, Ada, from a layer" and "/python/greetings.py" in greeting["imported_from"]
    print(layer, greeting, sep="\n")

# %% [markdown]
# The import check extracted the layer next to the zip, as Lambda does, so this function passed it;
# the same module without the layer is refused as in section 7. On AWS `imported_from` reads
# `/opt/python/greetings.py`; the emulator keeps its copy under its own temp folder. Layers share
# dependencies between functions and keep zips small; the price is a version to track in every
# function that uses it. For one function's own dependencies, the zip is simpler.
#
# ## 9. `/tmp`: scratch space, and its size
#
# `/tmp` is the one writable folder, kept between the warm invocations of one environment. Its size
# is the function's `EphemeralStorage`: **512 MB by default, configurable up to 10,240 MB**
# ([EphemeralStorage](https://docs.aws.amazon.com/lambda/latest/api/API_EphemeralStorage.html),
# [larger ephemeral storage](https://aws.amazon.com/blogs/compute/using-larger-ephemeral-storage-for-aws-lambda/)),
# billed beyond 512 MB ([pricing](https://aws.amazon.com/lambda/pricing/)). The seed's "512MB temporary
# storage" limit has been the default, not the limit, since 2022.

# %% tags=["proof-tmp"]
scratch = anatomy.deploy_part("scratch_space", EphemeralStorage={"Size": 1024})
name = uuid.uuid4().hex[:6]  # a new file each run
first, second = (lab.invoke(scratch.name, {"name": name}).payload for _ in range(2))
assert scratch.configuration["EphemeralStorage"] == {"Size": 1024}
assert (first["reused"], second["reused"]) == (False, True) and first["environment"] == second["environment"]
first, second

# %% [markdown]
# The second invocation found the file the first wrote: same environment, same `/tmp`. On AWS a
# new environment's `/tmp` "is guaranteed to be empty" (the blog above) and is never shared; here
# every worker shares one temp folder (sizes AWS refuses are refused here too):

# %%
lab.fidelity("lambda runtime").loc[["tmp-per-environment", "config-limits", "cpu-and-storage"]]

# %% [markdown]
# ## 10. Exercises
#
# **Validate a create-user request** (`exercises/02_handler/create_user.py`, fill in): 400 naming
# the field, 409 for a duplicate through a conditional write, 201 for a creation. The checks call it
# under moto, then deploy it behind a REST API.

# %% tags=["proof-exercise-handler-validation"]
lab.check("handler-validation")

# %% [markdown]
# **Keep an expensive client warm** (`exercises/02_handler/warm_client.py`, fill in): a client that
# takes 200 ms to create, made once per environment and reused; each request still gets its own
# answer. The checks invoke the deployed function three times and read the last `REPORT` line.

# %% tags=["proof-exercise-warm-client"]
lab.check("warm-client")

# %% [markdown]
# ## 11. Recap
#
# - The handler setting is `module.function`: the module is imported once per environment, the
#   function called per request with the event (the caller's JSON) and the context (Lambda's).
# - Module scope is for clients and configuration that every request may share; never for a
#   request's data.
# - REST APIs need `statusCode` and a string `body`; payload 2.0 (HTTP APIs, function URLs) also
#   accepts plain JSON, and takes cookies as a list.
# - Validate at the edge into clean values, answer 400/404/405/409 with a safe message, 201 for a
#   creation, a generic 500 for the unexpected, the detail in the log.
# - `logging` reaches CloudWatch through the root logger; `logger.exception` keeps the trace;
#   JSON format and `ApplicationLogLevel` make lines queryable and filterable.
# - Declare every dependency: the import check refuses a zip that would fail on AWS. Layers live
#   under `python/` and are imported from `/opt/python`.
# - `/tmp` is 512 MB by default, up to 10,240 MB, per environment.

# %% [markdown]
# ## Check yourself
#
# Answer, then reveal: each question links the cell above that shows its answer live.

# %%
lab.quiz("02_handler")

# %% [markdown]
# ### The seed's interview questions this lesson answers
#
# **"How do you implement Lambda testing?"** The seed lists unit tests, integration tests, local
# testing and mocks, as if any of them were enough. In layers, cheapest first: keep the handler thin
# and test the pure core directly (section 5 did, under moto, before any deploy); test the handler
# with real event fixtures per trigger; then deploy the real zip and drive it through its real
# trigger, on an emulator for speed (section 5 over HTTP) and in a real AWS account for what
# emulators do not reproduce: IAM denials, account-wide quotas (the kit's emulator refuses a
# 10,241 MB `/tmp` as AWS does, but not every quota), the REST API's 502 for a malformed
# response, throttling. The seed's own handler is hard to unit-test: it builds its DynamoDB
# resource from `os.environ["TABLE_NAME"]` at import time.
#
# **"What are Lambda limitations?"** (the `/tmp` part; lesson 07 takes the rest). The seed's
# "512MB temporary storage" is out of date: 512 MB is the default, and `EphemeralStorage` goes up
# to 10,240 MB. Its "10GB memory" (10,240 MB) and "15-minute execution timeout" still hold
# ([Lambda quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)).
