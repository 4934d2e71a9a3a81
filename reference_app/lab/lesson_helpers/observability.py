"""Lesson 08's helpers: logs queried back, EMF turned into metrics, AWS/Lambda metrics read and plotted,
an alarm on errors, and Lambda's own log formats.

What the embedded emulator does not do itself is done here in plain sight and named so: CloudWatch
Logs on AWS extracts metrics from embedded-metric-format lines; the emulator stores them as text,
so :func:`publish_emf` reads them back and publishes them with ``PutMetricData``, exactly as the
EMF specification says CloudWatch would
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
"""

from __future__ import annotations

import datetime as dt
import json
import time

from ..charts import altair, readable, whole_numbers
from ..clients import client
from ..deploy import Deployment, deploy_function, invoke
from ..events import load_event
from ..logs import invocations, log_group
from ..poll import attempts
from ..triggers import rest_api

CHECKOUT = "reference_app.handlers.checkout_api"
LAMBDA_METRICS = ("Invocations", "Errors", "Throttles", "Duration")


def deploy_checkout(name: str = "lab-08-checkout") -> tuple[Deployment, str]:
    """checkout_api behind a REST API, tracing Active, the Tracer switched off (no X-Ray here); (deployment, URL)."""
    dep = deploy_function(
        name, CHECKOUT, environment={"POWERTOOLS_TRACE_DISABLED": "true"}, TracingConfig={"Mode": "Active"}
    )
    return dep, rest_api(name, dep.arn) + "orders"


def order_event(order: dict) -> dict:
    """An API Gateway REST event for ``POST /orders``, for a direct invoke."""
    event = load_event("apigw_rest_post_user")
    event["path"] = "/orders"
    event["body"], event["isBase64Encoded"] = json.dumps(order), False
    return event


def json_lines(messages: list[str]) -> list[dict]:
    docs = []
    for message in messages:
        try:
            doc = json.loads(message)
        except ValueError:
            continue
        if isinstance(doc, dict):
            docs.append(doc)
    return docs


def find_logs(function: str, term: str, since_ms: int, timeout_s: float = 10.0):
    """The function's JSON log lines that contain ``term``, found with ``FilterLogEvents`` and a
    quoted-term filter pattern (which matches the same events on AWS and on the emulator)."""
    import pandas as pd

    logs, docs = client("logs"), []
    for _ in attempts(timeout_s, first=0.1, cap=0.5):
        events = logs.filter_log_events(
            logGroupName=log_group(function), startTime=since_ms, filterPattern=f'"{term}"'
        )["events"]
        docs = [d for d in json_lines([e["message"] for e in events]) if "_aws" not in d]
        if docs:
            break
    columns = ["level", "message", "correlation_id", "order_id", "function_request_id", "xray_trace_id"]
    return pd.DataFrame(docs).reindex(columns=columns)


def insights(function: str, term: str, since_s: int, timeout_s: float = 10.0) -> list[str]:
    """The messages a Logs Insights query finds: ``filter @message like /term/``, oldest first."""
    logs = client("logs")
    query = f"fields @timestamp, @message | filter @message like /{term}/ | sort @timestamp asc | limit 50"
    query_id = logs.start_query(
        logGroupName=log_group(function), startTime=since_s, endTime=int(time.time()) + 60, queryString=query
    )["queryId"]
    for _ in attempts(timeout_s, first=0.1, cap=0.5):
        result = logs.get_query_results(queryId=query_id)
        if result["status"] in ("Complete", "Failed", "Cancelled", "Timeout"):
            break
    return [f["value"] for row in result["results"] for f in row if f["field"] == "@message"]


# --- embedded metric format -----------------------------------------------------------------------------------
def emf_documents(function: str, since_ms: int) -> list[dict]:
    """Every EMF document (a JSON log line with ``_aws.CloudWatchMetrics``) the function logged since ``since_ms``."""
    lines = [line for block in invocations(function, since_ms) for line in block.output]
    return [d for d in json_lines(lines) if isinstance(d.get("_aws"), dict) and "CloudWatchMetrics" in d["_aws"]]


def metric_data(doc: dict) -> list[tuple[str, dict]]:
    """What CloudWatch extracts from one EMF document: ``(namespace, MetricDatum)`` for each metric
    and dimension set, values and dimension values taken from the document's top-level members."""
    data = []
    when = dt.datetime.fromtimestamp(doc["_aws"]["Timestamp"] / 1000, tz=dt.UTC)
    for directive in doc["_aws"]["CloudWatchMetrics"]:
        for dimension_set in directive.get("Dimensions") or [[]]:
            dims = [{"Name": d, "Value": str(doc[d])} for d in dimension_set]
            for metric in directive["Metrics"]:
                values = doc[metric["Name"]]
                values = values if isinstance(values, list) else [values]
                data.append(
                    (
                        directive["Namespace"],
                        {
                            "MetricName": metric["Name"],
                            "Dimensions": dims,
                            "Timestamp": when,
                            "Values": [float(v) for v in values],
                            "Unit": metric.get("Unit", "None"),
                        },
                    )
                )
    return data


def publish_emf(docs: list[dict]):
    """Publish EMF documents with ``PutMetricData``, as CloudWatch Logs does on AWS (the emulator does not);
    a table of what was published."""
    import pandas as pd

    cw, rows = client("cloudwatch"), []
    for doc in docs:
        for namespace, datum in metric_data(doc):
            cw.put_metric_data(Namespace=namespace, MetricData=[datum])
            rows.append(
                {
                    "namespace": namespace,
                    "metric": datum["MetricName"],
                    "dimensions": ", ".join(f"{d['Name']}={d['Value']}" for d in datum["Dimensions"]),
                    "values": datum["Values"],
                    "unit": datum["Unit"],
                }
            )
    return pd.DataFrame(rows)


def metric_sum(namespace: str, metric: str, dimensions: dict[str, str], since: float, statistic: str = "Sum") -> float:
    """``statistic`` of a metric since ``since`` (epoch seconds), over all its data points."""
    answer = client("cloudwatch").get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=dt.datetime.fromtimestamp(int(since), tz=dt.UTC),
        EndTime=dt.datetime.fromtimestamp(time.time() + 60, tz=dt.UTC),
        Period=60,
        Statistics=[statistic],
    )
    points = answer["Datapoints"]
    if statistic == "Sum":
        return sum(p["Sum"] for p in points)
    return max((p[statistic] for p in points), default=0.0)


# --- AWS/Lambda metrics and an alarm -------------------------------------------------------------------------------
def lambda_metrics(function: str, since: float):
    """Invocations, Errors and Throttles (Sum) and Duration (Average, Maximum) of ``function`` since ``since``."""
    import pandas as pd

    dims = {"FunctionName": function}
    rows = {name: metric_sum("AWS/Lambda", name, dims, since) for name in LAMBDA_METRICS[:3]}
    rows["Duration (average ms)"] = round(metric_sum("AWS/Lambda", "Duration", dims, since, "Average"), 1)
    rows["Duration (maximum ms)"] = round(metric_sum("AWS/Lambda", "Duration", dims, since, "Maximum"), 1)
    return pd.Series(rows, name=function)


def plot_lambda_metrics(table):
    """The metrics of several functions side by side (a DataFrame with one column per function), as an
    Altair chart: the counts (Sum) on the left, Duration on the right, one colour per function."""
    alt = altair()
    panels = []
    for metrics, title, unit in (
        (["Invocations", "Errors", "Throttles"], "AWS/Lambda counts (Sum)", "count"),
        (["Duration (average ms)", "Duration (maximum ms)"], "AWS/Lambda Duration", "ms"),
    ):
        rows = [
            {"metric": metric, "function": function, "value": float(table.loc[metric, function])}
            for metric in metrics
            for function in table.columns
        ]
        axis = alt.Axis(**whole_numbers(max(r["value"] for r in rows))) if unit == "count" else alt.Axis()
        panels.append(
            alt.Chart(alt.Data(values=rows), title=title, width=360, height=240)
            .mark_bar()
            .encode(
                x=alt.X("metric:N", sort=metrics, title=None, axis=alt.Axis(labelAngle=0)),
                xOffset=alt.XOffset("function:N", sort=list(table.columns)),
                y=alt.Y("value:Q", title=unit, axis=axis),
                color=alt.Color("function:N", sort=list(table.columns), legend=alt.Legend(orient="bottom")),
                tooltip=["function:N", "metric:N", "value:Q"],
            )
        )
    return readable(alt.hconcat(*panels))


def error_alarm(function: str, threshold: int = 3, name: str | None = None) -> str:
    """An alarm on the function's Errors: Sum over one minute at or above ``threshold``."""
    name = name or f"{function}-errors"
    client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Statistic="Sum",
        Dimensions=[{"Name": "FunctionName", "Value": function}],
        Period=60,
        EvaluationPeriods=1,
        Threshold=float(threshold),
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching",
        AlarmDescription=f"{function}: {threshold} or more errors in a minute",
    )
    return name


def alarm_state(name: str, wanted: str | None = None, timeout_s: float = 5.0) -> str:
    """The alarm's state (waiting up to ``timeout_s`` for ``wanted`` when given)."""
    cw, state = client("cloudwatch"), ""
    for _ in attempts(timeout_s, first=0.1, cap=0.5):
        state = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]
        if wanted is None or state == wanted:
            break
    return state


def alarm_history(name: str):
    import pandas as pd

    items = client("cloudwatch").describe_alarm_history(AlarmName=name, HistoryItemType="StateUpdate")
    return pd.DataFrame([{"when": i["Timestamp"], "summary": i["HistorySummary"]} for i in items["AlarmHistoryItems"]])


def burst(function: str, events: list[dict]) -> list:
    """Invoke ``function`` synchronously with each event, one after another."""
    return [invoke(function, event) for event in events]


# --- Lambda's own log formats ----------------------------------------------------------------------------------------
def log_formats(name: str = "lab-08-plain-logging") -> dict[str, list[str]]:
    """plain_logging's output in Lambda's TEXT format, then in JSON with ApplicationLogLevel INFO."""
    shown = {}
    json_info = {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO"}
    for label, config in (("Text", {"LogFormat": "Text"}), ("JSON, INFO", json_info)):
        deploy_function(name, "reference_app.handlers.plain_logging", LoggingConfig=config)
        block = invoke(name, {"order_id": "o-42"}).logs()
        shown[label] = block.output if block else []
    return shown
