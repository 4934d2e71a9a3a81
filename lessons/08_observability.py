# %% [markdown]
# # 08 · Observability
#
# A function you cannot see into is a function you cannot run. This notebook gives one function
# the three signals of observability, each read back from the emulator's CloudWatch: **logs**
# (structured JSON, one correlation id per request, queried back), **metrics** (embedded metric
# format, Lambda's own `AWS/Lambda` metrics, an alarm that fires on errors) and **traces** (X-Ray,
# instrumented with Powertools Tracer, and what the emulator does not record). On the way, a
# function whose failures never reach any of them, which you will debug.

# %%
import re
import time

from reference_app import lab
from reference_app.lab.lesson_helpers import observability as obs

lab.start_lesson("08_observability")

# %% [markdown]
# ## 1. Structured logs with a correlation id
#
# ```mermaid
# flowchart LR
#   client([client]) -- POST /orders --> api[API Gateway<br/>requestContext.requestId]
#   api --> fn[checkout_api<br/>Logger: correlation_id = requestId]
#   fn -- JSON lines --> logs[(CloudWatch Logs<br/>/aws/lambda/lab-08-checkout)]
#   fn -- X-Correlation-Id --> client
#   support([support, with the id]) -- filter / Logs Insights --> logs
# ```
#
# `checkout_api` uses Powertools `Logger`: one JSON object per line, the Lambda context injected
# (`function_request_id`, `cold_start`, ...), and API Gateway's request id as `correlation_id`
# (`inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)`,
# [Powertools Logger](https://docs.powertools.aws.dev/lambda/python/latest/core/logger/)). It
# answers the id in an `X-Correlation-Id` header, so a client can quote it.

# %%
lab.show_source("checkout_api")

# %%
checkout, url = obs.deploy_checkout()
since_ms, since = int(time.time() * 1000), time.time()
placed = lab.http_call(url, "POST", {"order_id": f"o-{since_ms}", "amount_cents": 1299})
correlation_id = {k.lower(): v for k, v in placed.headers.items()}["x-correlation-id"]
placed.status, correlation_id

# %% [markdown]
# Now find every line of that request in CloudWatch Logs by its id alone, as support would.
# `FilterLogEvents` with a quoted term as the filter pattern
# ([filter pattern syntax](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html)):

# %% tags=["proof-structured-logs"]
lines = obs.find_logs(checkout.name, correlation_id, since_ms)
assert placed.status == 201 and (lines["correlation_id"] == correlation_id).all()
assert list(lines["message"]) == ["order placed"] and lines["function_request_id"].notna().all()
lines

# %% [markdown]
# The same search as a [CloudWatch Logs Insights](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AnalyzingLogData.html)
# query. On AWS, Insights discovers the JSON fields, so `filter correlation_id = "..."` and
# `stats count() by level` work, across several log groups at once. The emulator runs a subset
# (`fields`, `filter` on `@message` with `like /regex/`, `sort`, `limit`; no field discovery, no
# `stats`), so the query filters on the message text, which works on both:

# %% tags=["proof-logs-insights"]
found = obs.insights(checkout.name, correlation_id, int(since) - 1)
assert len(found) == 1 and correlation_id in found[0]
lab.fidelity("observability").loc[["logs-query-subset"]]

# %% [markdown]
# Two emulator notes. A JSON filter pattern (`{ $.correlation_id = "..." }`) matches *every* event
# on the emulator (on AWS it matches the field), hence the quoted term. And on AWS the REST API's
# `x-amzn-RequestId` response header is that same request id; the emulator sends another id there,
# which is one more reason for the function to answer its correlation id itself.
#
# ## 2. Lambda's own JSON log format, no library
#
# Powertools is one way. The other is configuration: a function's `LoggingConfig` chooses
# `LogFormat` (`Text` or `JSON`), `ApplicationLogLevel` and `SystemLogLevel`
# ([advanced logging controls](https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html)).
# `plain_logging` logs a DEBUG, an INFO and a WARNING line with the standard library's root logger,
# as the seed does, and nothing else:

# %%
lab.show_source("plain_logging")

# %% tags=["proof-log-format"]
formats = obs.log_formats()
assert len(formats["Text"]) == 1 and formats["Text"][0].startswith("[WARNING]\t")
records = obs.json_lines(formats["JSON, INFO"])
assert [d["level"] for d in records] == ["INFO", "WARNING"] and records[0]["order_id"] == "o-42"
assert all(d["requestId"] and d["logger"] == "orders" for d in records)
formats

# %% [markdown]
# In `Text` format only the WARNING line appears: the root logger's level is Python's default,
# WARNING, unless code lowers it (which is why the seed writes `logger.setLevel(logging.INFO)`).
# With `JSON` and `ApplicationLogLevel=INFO`, Lambda sets the level: INFO and WARNING come out as
# JSON objects with `timestamp`, `level`, `requestId` and the record's `extra` fields (`order_id`),
# DEBUG does not. The seed's `LOG_LEVEL: INFO` environment variable does none of this: no runtime
# reads it. The kit's runtime makes the emulator honour `LoggingConfig` as Lambda does
# (`root-logger` in `lab.fidelity("lambda runtime")`).
#
# ## 3. Metrics in embedded metric format
#
# A business metric ("orders placed") could be sent with `PutMetricData`: an API call on the
# request path, with its latency, its throttling and an IAM permission. The
# [embedded metric format](https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format.html)
# (EMF) instead writes the metric *as a log line*, a JSON object whose `_aws.CloudWatchMetrics`
# section names the namespace, dimensions and metrics; CloudWatch Logs extracts the data points
# asynchronously. Powertools `Metrics` writes those lines (`@metrics.log_metrics` flushes them at
# the end of each invocation). The order above left these:

# %%
emf = obs.emf_documents(checkout.name, since_ms)
[doc["_aws"]["CloudWatchMetrics"][0]["Metrics"] for doc in emf]

# %% [markdown]
# **The emulator does not extract them** (`emf-extraction`): it keeps them as log text. So the kit
# does here what CloudWatch Logs does on AWS, in plain sight: parse each document by the
# [EMF specification](https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html)
# and publish its data points with `PutMetricData`. Then the metric is read back from CloudWatch:

# %% tags=["proof-emf-metrics"]
published = obs.publish_emf(emf)
assert {"OrdersPlaced", "OrderValue", "ColdStart"} >= set(published["metric"]) >= {"OrdersPlaced", "OrderValue"}
assert obs.metric_sum("LambdaLab", "OrdersPlaced", {"service": "checkout"}, since) >= 1
published

# %% [markdown]
# `put_metric_data` directly, for comparison: one synchronous call per batch, from code that then
# needs the `cloudwatch:PutMetricData` permission. Fine for a scheduled job; on a hot request path,
# prefer EMF. Keep dimensions low-cardinality either way: every combination of dimension values is
# a separate metric (an `order_id` dimension would be one metric per order); put such values in the
# log line instead, where Logs Insights finds them.

# %%
datum = {
    "MetricName": "ReportsGenerated",
    "Value": 1,
    "Unit": "Count",
    "Dimensions": [{"Name": "service", "Value": "reports"}],
}
lab.client("cloudwatch").put_metric_data(Namespace="LambdaLab", MetricData=[datum])
assert obs.metric_sum("LambdaLab", "ReportsGenerated", {"service": "reports"}, since) >= 1

# %% [markdown]
# ## 4. An alarm on errors
#
# An alarm on the function's `Errors` metric (Sum over one minute ≥ 3) goes to `ALARM` when three
# invocations fail within a minute. `checkout_api` fails on purpose for an `order_id` starting with
# `crash-` (a downstream outage), while it *answers* bad requests (400) and declined payments (402):
# those are answers, not failures of the function.

# %% tags=["proof-error-alarm"]
alarm = obs.error_alarm(checkout.name, threshold=3)
burst = obs.burst(
    checkout.name,
    [obs.order_event({"order_id": f"crash-{n}", "amount_cents": 500}) for n in range(3)]
    + [obs.order_event({"order_id": f"ok-{n}", "amount_cents": 500}) for n in range(3)],
)
assert [b.function_error for b in burst] == ["Unhandled"] * 3 + [None] * 3
assert obs.alarm_state(alarm, "ALARM") == "ALARM"
obs.alarm_history(alarm).head(3)

# %% [markdown]
# On AWS, CloudWatch evaluates the alarm once a minute (its period), so it fires up to a minute
# after the third failure; the emulator evaluates it as soon as a data point arrives
# (`alarm-evaluation`). The kit's runtime also makes it read only this function's series: plain
# ministack would count every function's errors. In production alarm on the error *rate*
# (metric math, `Errors / Invocations`), send the alarm to an SNS topic, and tie it to a runbook.
#
# ## 5. Lambda's own metrics, read back
#
# Lambda publishes `AWS/Lambda` metrics for every function
# ([metric types](https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html)):
# `Invocations` (every invocation, failed ones included; not throttled requests), `Errors`
# (invocations that ended in a function error), `Throttles`, `Duration`, and for streams
# `IteratorAge`, for asynchronous events `AsyncEventAge`. The emulator records them for the
# `Invoke` API only, not for invocations through API Gateway or event sources (`lambda-metrics`),
# which is why the burst above invoked the function directly with API Gateway's event shape. Next to
# it, `plain_logging`, which never failed:

# %% tags=["proof-lambda-metrics"]
import pandas as pd

metrics = pd.concat(
    [obs.lambda_metrics(checkout.name, since), obs.lambda_metrics("lab-08-plain-logging", since)], axis=1
)
assert metrics.loc["Invocations", checkout.name] >= 6 and metrics.loc["Errors", checkout.name] >= 3
assert metrics.loc["Errors", "lab-08-plain-logging"] == 0 and metrics.loc["Throttles"].sum() == 0
metrics

# %%
obs.plot_lambda_metrics(metrics)

# %% [markdown]
# `IteratorAge` has no data here: it exists only for stream event sources (Kinesis, DynamoDB
# Streams), where it is the first metric to watch. The emulator's `Duration` is its own round
# trip, a few milliseconds more than the REPORT line's.
#
# ## 6. Break and debug: errors nobody sees
#
# The seed's "error handling" best practice ends with:
#
# ```python
# except Exception as e:
#     logger.error(f"Unexpected error: {str(e)}")
#     return {'statusCode': 500, 'body': json.dumps({'error': 'Internal server error'})}
# ```
#
# For Lambda, a handler that *returns* has succeeded, whatever it returns. In a function behind an
# API that is sometimes what you want (the client gets a clean 500), but then nothing counts it
# unless you count it yourself (a metric, as `checkout_api` does for 400s and 402s). In a function
# that an order workflow invokes, it is a silent failure: no `Errors`, no alarm, no retry of an
# asynchronous event, no on-failure destination, and a caller that thinks the order was charged.
# The exercise `debug-swallowed-errors` is such a function. Here it is, deployed as it is, with
# three failing charges (in solutions mode you see the fixed version: three errors and an `ALARM`):

# %% tags=["proof-swallowed-errors"]
shown = lab.try_exercise("debug-swallowed-errors")
assert shown.function_errors == shown.errors_metric  # the caller and the metric always agree...
assert (shown.alarm == "ALARM") == (shown.function_errors == 3)  # ...and the alarm follows them
shown

# %% [markdown]
# The log says the charges failed; the caller, the metric and the alarm say nothing failed. Fix
# `exercises/08_observability/charge_order.py` (log why, then raise) and check it:

# %% tags=["proof-exercise-debug-swallowed-errors"]
lab.check("debug-swallowed-errors")

# %% [markdown]
# ## 7. Tracing with X-Ray
#
# ```mermaid
# sequenceDiagram
#   participant C as client
#   participant A as API Gateway
#   participant L as Lambda (segment)
#   participant F as function (subsegments)
#   participant X as X-Ray
#   C->>A: POST /orders (X-Amzn-Trace-Id: Root=1-...)
#   A->>L: invoke, trace header passed on
#   L->>F: _X_AMZN_TRACE_ID=Root=1-...#59;Parent=...#59;Sampled=1
#   F-->>X: subsegments: place_order, SDK calls (through the daemon)
#   L-->>X: Lambda's segment (INIT, invocation)
#   X-->>C: one trace, every hop timed
# ```
#
# With active tracing (`TracingConfig: Active`), Lambda records a segment for each invocation and
# hands the function the trace header in `_X_AMZN_TRACE_ID`; instrumentation inside the function
# adds subsegments, and X-Ray assembles the trace across API Gateway, Lambda, SQS and the SDK calls
# ([X-Ray with Lambda](https://docs.aws.amazon.com/xray/latest/devguide/xray-services-lambda.html)).
# `checkout_api` is instrumented with Powertools Tracer (`@tracer.capture_lambda_handler`,
# `@tracer.capture_method`, an `order_id` annotation to search traces by). Powertools Tracer is
# built on the AWS X-Ray SDK, which entered **maintenance mode on 25 February 2026** and reaches
# end of support on **25 February 2027**; for new instrumentation AWS recommends OpenTelemetry
# (the AWS Distro for OpenTelemetry), which X-Ray accepts
# ([timeline](https://docs.aws.amazon.com/xray/latest/devguide/xray-daemon-eos.html),
# [migration](https://docs.aws.amazon.com/xray/latest/devguide/xray-sdk-migration.html)).
#
# **The embedded emulator has no X-Ray.** It does give the function a trace id when tracing is
# active, and Powertools Logger stamps it on every line as `xray_trace_id`: logs and traces join on
# it. The function runs with `POWERTOOLS_TRACE_DISABLED=true`, so the Tracer's decorators run and
# record nothing; do not point it at the embedded emulator: one uploaded trace grows the emulator's
# memory by hundreds of MB.

# %% tags=["proof-tracing"]
config = lab.client("lambda").get_function_configuration(FunctionName=checkout.name)
trace_id = lines["xray_trace_id"].iloc[0]
assert config["TracingConfig"]["Mode"] == "Active" and re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", trace_id)
assert config["Environment"]["Variables"]["POWERTOOLS_TRACE_DISABLED"] == "true"
print(f"trace id in the order's log line: {trace_id}")
lab.fidelity("observability").loc[["no-xray", "lambda-metrics", "emf-extraction", "alarm-evaluation"]]

# %% [markdown]
# ## 8. Exercise: correlated logs and a metric
#
# **Correlated logs** (`exercises/08_observability/place_order.py`, fill in). Set the correlation
# id from API Gateway's request, add the order id to the log lines, count placed orders in EMF, and
# answer the id. The checks call the handler directly, then through a REST API on the emulator, find
# the lines again by the id and read the metric back.

# %% tags=["proof-exercise-correlated-logs"]
lab.check("correlated-logs")

# %% [markdown]
# ## 9. Recap
#
# - Log JSON, one object per line, with a correlation id taken from the request and returned to the
#   caller; find a request's lines by that id (`FilterLogEvents`, Logs Insights).
# - Lambda's `LoggingConfig` gives JSON logs and log levels without a library; an environment
#   variable named `LOG_LEVEL` does nothing by itself.
# - Business metrics as EMF log lines (Powertools `Metrics`): no API call on the request path. The
#   emulator stores them as text; CloudWatch extracts them on AWS.
# - `AWS/Lambda` `Invocations`, `Errors`, `Throttles` and `Duration` come for free; alarm on errors
#   (better, on the error rate) and on throttles. A handler that returns has succeeded: swallowed
#   exceptions never reach the metric, the alarm or the retries.
# - Trace with X-Ray through active tracing and instrumentation (Powertools Tracer today, OpenTelemetry
#   for new work); the emulator records no traces, so the trace id in the logs is all you see here.
#
# ### Quiz

# %%
lab.quiz("08_observability")

# %% [markdown]
# ### The seed's interview questions this lesson answers
#
# **"How do you handle Lambda errors?"** The seed says "try-catch blocks, dead letter queues, retry
# mechanisms, error logging". A try/except that logs and returns turns every failure into a success
# for Lambda: no `Errors`, no alarm, and no retry or DLQ for an asynchronous event (section 6). Catch
# what you can answer (a 400), log with the traceback and re-raise what you cannot, and let Lambda's
# retries, destinations and the `Errors` metric do their work (lesson 05 covers retries and DLQs).
#
# **The seed's "Monitoring: use CloudWatch, X-Ray, and custom metrics"** (discussion questions 1 and
# 3), made concrete: structured logs with a correlation id, EMF for custom metrics rather than
# synchronous `PutMetricData`, alarms on `Errors` and `Throttles`, and tracing with X-Ray today or
# OpenTelemetry for new work, the X-Ray SDKs being in maintenance mode since 25 February 2026.
