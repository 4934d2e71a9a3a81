# %% [markdown]
# # 04 · Triggers
#
# A trigger is anything that invokes a function. This notebook wires each kind for real (S3,
# DynamoDB Streams, SQS, SNS, API Gateway REST and HTTP APIs, function URLs, EventBridge, Kinesis)
# and proves each one by its effect. For every trigger you see three things:
#
# 1. **the event**, exactly as the function received it, read back from the function's own log;
# 2. **the permission** that lets the source reach the function;
# 3. **the retry behaviour**: what happens when the function fails.
#
# One small handler, `event_logger` (`reference_app/handlers/event_logger.py` in the kit), does the
# receiving: it prints each event as one JSON line and answers in the shape its trigger expects.
# It is deployed once per trigger (`lab-04-s3`, `lab-04-stream` …), so each function's log and
# policy hold one trigger's story.
#
# The triggers fall into two families, and the family decides the permission and the retries:
#
# ```mermaid
# flowchart LR
#   subgraph push["push: the service invokes the function (resource-based policy on the function)"]
#     direction LR
#     s3[S3] & sns[SNS] & eb[EventBridge] -- asynchronous --> aq[(Lambda's event queue)] --> f1["λ"]
#     apigw[API Gateway] & url[function URL] -- synchronous --> f2["λ"]
#   end
#   subgraph poll["poll: Lambda reads the source (execution role)"]
#     direction LR
#     sqs[SQS] & ddb[DynamoDB Streams] & kin[Kinesis] --> esm[event source mapping] -- batches --> f3["λ"]
#   end
# ```

# %%
import json

from reference_app import lab
from reference_app.lab.lesson_helpers import filters, triggers

lab.start_lesson("04_triggers")

# %% [markdown]
# ## 1. S3 event notifications
#
# The bucket notifies the function for `s3:ObjectCreated:*` under the prefix `uploads/` only.
# `lab.s3_notification` first adds the permission S3 needs (S3 checks it when the configuration
# is written), then writes the notification configuration, keeping any other configuration the
# bucket already has.

# %%
s3_fn = triggers.deploy_logger("lab-04-s3")
lab.s3_notification("lab-04-uploads", s3_fn.arn, prefix="uploads/")

# %% [markdown]
# Four uploads: three under `uploads/` (one name with spaces and parentheses, one with a `+` and an
# `=`), and one outside the prefix.

# %%
run = triggers.new_run_id()
keys = [f"uploads/{run}/report.csv", f"uploads/{run}/my report (final).csv", f"uploads/{run}/a+b=c.csv"]
since = triggers.now_ms()
for key in [*keys, f"notes/{run}/skipped.txt"]:
    lab.client("s3").put_object(Bucket="lab-04-uploads", Key=key, Body=b"a,b\n1,2\n")

# %% [markdown]
# S3 puts the object key into the event **URL-encoded** (form encoding: a space becomes `+`, a real
# `+` becomes `%2B`, parentheses `%28`/`%29`), as its
# [event message structure](https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html)
# says. Only `urllib.parse.unquote_plus` gives the real key back; plain `unquote` leaves `+` where
# the space was, so `GetObject` asks for a key that does not exist. The upload under `notes/`
# never invoked the function.

# %% tags=["proof-s3-event-key"]
events = triggers.received(s3_fn.name, since, count=3, where=triggers.mentions(run), settle_s=0.5)
table = triggers.s3_keys(keys, events)
assert len(events) == 3 and (table["unquote_plus"] == table.index).all()
assert table.loc[keys[1], "key in the event"].endswith("my+report+%28final%29.csv")
assert table.loc[keys[1], "unquote"] != keys[1] and table.loc[keys[2], "unquote"] == keys[2]
table

# %% [markdown]
# One record as the function received it (the seed's Go handler read `record.S3.Object.Key` and
# passed it straight to `HeadObject`: every key with a space failed):

# %%
triggers.shape(events[1]["Records"][0])

# %% [markdown]
# **Permission.** S3 invokes the function itself, so the function's resource-based policy must
# allow the principal `s3.amazonaws.com`, for this bucket (`SourceArn`) *and* this account
# (`SourceAccount`). A bucket ARN contains no account id: without `SourceAccount`, a bucket with the
# same name in another account (say, after you delete yours) could invoke your function. The seed's
# CloudFormation (`S3EventTrigger`) and Terraform (`aws_lambda_permission.s3`) both leave
# `SourceAccount` out ([resource-based policies](https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html)).

# %% tags=["proof-resource-policy"]
grant = triggers.policy(s3_fn.name, principal="s3.amazonaws.com")
assert grant["Action"].tolist() == ["lambda:InvokeFunction"]
assert grant["SourceArn"].tolist() == ["arn:aws:s3:::lab-04-uploads"] and grant["SourceAccount"].notna().all()
grant

# %% [markdown]
# The emulator stores these statements but does not enforce them (`lab.fidelity("permissions")`);
# on AWS, S3 refuses the notification configuration without them.
#
# **Retries.** S3 invokes asynchronously: a failed invocation is retried by Lambda, twice by
# default, then dropped unless a DLQ or on-failure destination is configured
# ([asynchronous error handling](https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html)).
# S3 notifications are delivered at least once, usually within seconds
# ([S3 Event Notifications](https://docs.aws.amazon.com/AmazonS3/latest/userguide/NotificationHowTo.html)),
# so the same upload can arrive twice: make the processing idempotent.
#
# ### Break and debug: `debug-s3-keys`
#
# `exercises/04_triggers/object_sizes.py` records the size of every upload, but some uploads
# never get a result. `lab.try_exercise` deploys it as it is, uploads a plain name and a name with
# spaces, and shows what the function logged for each: read the key it asked S3 for.

# %%
shown = lab.try_exercise("debug-s3-keys")
assert len(shown.invocations) == 2
shown

# %% [markdown]
# Fix the file, then check it (unit checks under moto, then a real upload through the bucket
# notification):

# %%
lab.check("debug-s3-keys")

# %% [markdown]
# ## 2. DynamoDB Streams
#
# A table's stream records every change as `INSERT`, `MODIFY` or `REMOVE`, in order per item. What
# a record carries depends on the stream's **view type**: `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE`
# or `NEW_AND_OLD_IMAGES`. Two tables, one `KEYS_ONLY` and one `NEW_AND_OLD_IMAGES`, both mapped
# to one function with **batch size** 10. The **starting position** decides where a new mapping
# begins: `LATEST` (the seed's choice) starts at the tip of the stream when the mapping starts
# reading, so writes made while it starts can be missed; `TRIM_HORIZON` starts at the oldest record
# still kept (24 hours). Parameters and defaults:
# [DynamoDB event source mappings](https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html).

# %%
stream_fn = triggers.deploy_logger("lab-04-stream")
tables = {
    view: triggers.ensure_stream_table(f"lab-04-orders-{view.lower().replace('_', '-')}", view)
    for view in ("KEYS_ONLY", "NEW_AND_OLD_IMAGES")
}
for arn in tables.values():
    lab.event_source_mapping(stream_fn.name, arn, batch_size=10, starting_position="TRIM_HORIZON")

# %% [markdown]
# One item created, changed and deleted in each table. A brand-new mapping can take a few seconds
# to start polling (`lab.fidelity("event sources")`); the next cell waits for the records, not for
# a fixed time.

# %%
since, item = triggers.now_ms(), f"order-{triggers.new_run_id()}"
for arn in tables.values():
    triggers.insert_modify_remove(arn.split("/")[1], item)

# %% tags=["proof-stream-mapping"]
records = triggers.received_records(stream_fn.name, since, count=6, where=triggers.mentions(item))
changes = triggers.stream_records([{"Records": records}])
assert changes.groupby("table")["eventName"].agg(list).tolist() == [["INSERT", "MODIFY", "REMOVE"]] * 2
assert changes.groupby("table")["SequenceNumber"].agg(lambda n: n.map(int).is_monotonic_increasing).all()
images = changes.set_index(["StreamViewType", "eventName"])[["NewImage", "OldImage"]].ne("")
assert not images.loc["KEYS_ONLY"].any().any()
assert images.loc["NEW_AND_OLD_IMAGES"].values.tolist() == [[True, False], [True, True], [False, True]]
changes

# %% [markdown]
# `KEYS_ONLY` records say *which* item changed; `NEW_AND_OLD_IMAGES` records also carry the item
# before (`OldImage`) and after (`NewImage`) the change, so a consumer can compute what changed
# without reading the table. The mapping's settings:

# %%
settings = triggers.mapping_settings(
    stream_fn.name,
    lab.client("dynamodb").describe_table(TableName="lab-04-orders-new-and-old-images")["Table"]["LatestStreamArn"],
)
assert settings["BatchSize"] == 10 and settings["StartingPosition"] == "TRIM_HORIZON"
settings

# %% [markdown]
# **Permission.** Nothing invokes the function from outside: Lambda's pollers read the stream
# *with the function's execution role*, which therefore needs `dynamodb:GetRecords`,
# `GetShardIterator`, `DescribeStream` and `ListStreams` on the stream. `lab.event_source_mapping`
# attaches AWS's managed policy for that, as it does for SQS and Kinesis
# ([managed policies](https://docs.aws.amazon.com/lambda/latest/dg/permissions-managed-policies.html)):

# %%
role_policies = triggers.attached_policies()
assert "AWSLambdaDynamoDBExecutionRole" in role_policies
role_policies

# %% [markdown]
# **Retries.** A failed batch is retried until it succeeds or its records expire from the stream
# (after 24 hours: [DynamoDB Streams](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html)),
# because `MaximumRetryAttempts` and `MaximumRecordAgeInSeconds` default to -1
# (infinite: [DynamoDB event source mapping parameters](https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html)).
# Records are processed in order per shard, so one bad record holds up every record
# behind it in its shard. Contain it with `BisectBatchOnFunctionError`, a retry limit, a maximum
# record age, an on-failure destination, and partial batch responses (`ReportBatchItemFailures`);
# 05 · Error handling and retries shows them.
#
# ### Event filtering
#
# A mapping can drop records before they reach the function: with `FilterCriteria`, Lambda only
# invokes the function for records that match one of the patterns (up to five per mapping by
# default, ORed), and you are not charged for the rest
# ([event filtering](https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html)).
# A pattern mirrors the record, with a list of accepted values at each leaf. This one keeps only
# `INSERT`s, checked first against sample records with the kit's local matcher:

# %%
only_inserts = {"eventName": ["INSERT"]}
samples = {name: lab.load_event(f"dynamodb_stream_{name}")["Records"][0] for name in ("insert", "modify", "remove")}
assert [filters.matches(only_inserts, r) for r in samples.values()] == [True, False, False]

# %% [markdown]
# Then on a second function, mapped to the same stream with that filter. The same kind of change
# sequence goes through; the unfiltered function sees three records, the filtered one only the
# `INSERT`:

# %%
inserts_fn = triggers.deploy_logger("lab-04-stream-inserts")
lab.event_source_mapping(
    inserts_fn.name,
    tables["NEW_AND_OLD_IMAGES"],
    batch_size=10,
    starting_position="TRIM_HORIZON",
    FilterCriteria={"Filters": [{"Pattern": json.dumps(only_inserts)}]},
)
since, item = triggers.now_ms(), f"order-{triggers.new_run_id()}"
triggers.insert_modify_remove("lab-04-orders-new-and-old-images", item)

# %% tags=["proof-event-filter"]
everything = triggers.received_records(stream_fn.name, since, count=3, where=triggers.mentions(item))
filtered = triggers.received_records(inserts_fn.name, since, count=1, where=triggers.mentions(item), settle_s=0.5)
seen = {"unfiltered": [r["eventName"] for r in everything], "filtered": [r["eventName"] for r in filtered]}
assert seen == {"unfiltered": ["INSERT", "MODIFY", "REMOVE"], "filtered": ["INSERT"]}, seen
seen

# %% [markdown]
# Exercise `stream-filter`: in `exercises/04_triggers/welcome_filter.py`, write the pattern that lets
# only *verified* sign-ups through (an `INSERT` whose new image has `email_verified` true) and the
# handler that welcomes them once. The check tests your pattern against sample records, then wires
# it on a real stream.

# %%
lab.check("stream-filter")

# %% [markdown]
# ## 3. SQS
#
# Lambda polls the queue and invokes the function with batches (default 10 messages, up to 10,000
# on a standard queue with a batching window). While a batch is being processed its messages are
# invisible to other consumers for the queue's **visibility timeout**, which must be at least the
# function's timeout (Lambda refuses the mapping otherwise); AWS advises six times it
# ([configuring an SQS mapping](https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html),
# [parameters](https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html)).
#
# This queue uses the minimum AWS accepts, equal to the function's 2-second timeout, so a failed
# message comes back in seconds; use six times the timeout in production. It has a dead-letter
# queue that takes a message after two failed receives, and the function reports **partial batch
# failures**: it names the messages that failed (`FAIL_WHEN_CONTAINS=poison`), and only those go
# back to the queue. That needs `FunctionResponseTypes=["ReportBatchItemFailures"]` on the mapping
# ([partial batch responses](https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html)).

# %%
queue_fn = triggers.deploy_logger("lab-04-queue", timeout=2, environment={"FAIL_WHEN_CONTAINS": "poison"})
queue, dlq = triggers.queue_with_dlq("lab-04-jobs", visibility_s=2, max_receive_count=2)
queue_arn = triggers.queue_arn(queue)
lab.event_source_mapping(queue_fn.name, queue_arn, batch_size=10, maximum_batching_window_s=1)

# %%
run, since = triggers.new_run_id(), triggers.now_ms()
bodies = [f"job 1 of {run}", f"poison job 2 of {run}", f"job 3 of {run}"]
sent = lab.client("sqs").send_message_batch(
    QueueUrl=queue, Entries=[{"Id": str(n), "MessageBody": b} for n, b in enumerate(bodies)]
)
assert len(sent["Successful"]) == 3

# %% [markdown]
# The first batch holds all three messages. The function reports the poisoned one; Lambda deletes
# the other two. After the visibility timeout the poisoned message comes back, alone, with
# `ApproximateReceiveCount` 2; it fails again, and the queue's redrive policy moves it to the DLQ.

# %% tags=["proof-sqs-mapping"]
delivered = triggers.received_records(queue_fn.name, since, count=4, where=triggers.mentions(run))
receives = sorted((r["body"], r["attributes"]["ApproximateReceiveCount"]) for r in delivered)
assert receives == sorted([(b, "1") for b in bodies] + [(bodies[1], "2")]), receives
assert triggers.mapping_settings(queue_fn.name, queue_arn)["BatchSize"] == 10
assert triggers.queue_settings(queue)["VisibilityTimeout"] == "2"
triggers.sqs_deliveries(delivered)

# %% [markdown]
# One of those records as the function received it:

# %%
triggers.shape(delivered[0])

# %% [markdown]
# After its second failed receive the message is moved to the dead-letter queue, and the source
# queue is empty. The mapping and the queue, as configured:

# %%
dead = [body for body in triggers.drain(dlq, wait_s=15) if run in body]
assert dead == [bodies[1]] and triggers.queue_depth(queue) == 0
{
    "moved to the DLQ": dead,
    "mapping": triggers.mapping_settings(queue_fn.name, queue_arn),
    "queue": triggers.queue_settings(queue),
}

# %% [markdown]
# **Permission.** The execution role reads and deletes the messages
# (`AWSLambdaSQSQueueExecutionRole`: `sqs:ReceiveMessage`, `DeleteMessage`, `GetQueueAttributes`).
# **Retries.** The queue retries, not Lambda: a message that is not deleted becomes visible again
# after the visibility timeout, until `maxReceiveCount` moves it to the queue's DLQ. (A function's
# own DLQ applies to asynchronous invocations only, not to messages read from a queue.)

# %%
assert "AWSLambdaSQSQueueExecutionRole" in triggers.attached_policies()

# %% [markdown]
# ## 4. SNS: direct, fan-out to SQS, and e-mail
#
# SNS invokes a subscribed function **asynchronously**, one message per invocation. The message
# sits in `Records[0].Sns.Message` as a *string*, next to its subject and message attributes.

# %%
sns_fn = triggers.deploy_logger("lab-04-sns")
topic = lab.ensure_topic("lab-04-alerts")
lab.sns_subscription(topic, sns_fn.arn)
run, since = triggers.new_run_id(), triggers.now_ms()
published = lab.client("sns").publish(
    TopicArn=topic,
    Subject="disk",
    Message=f'{{"run": "{run}", "used": 0.93}}',
    MessageAttributes={"severity": {"DataType": "String", "StringValue": "high"}},
)

# %%
[event] = triggers.received(sns_fn.name, since, where=triggers.mentions(run))
record = event["Records"][0]
assert record["EventSource"] == "aws:sns" and record["Sns"]["Subject"] == "disk"
assert isinstance(record["Sns"]["Message"], str) and record["Sns"]["MessageAttributes"]["severity"]["Value"] == "high"
triggers.shape(record)

# %% [markdown]
# **Fan-out.** One publish, several consumers, each with its own queue (and its own retries and
# pace). Each queue's policy must let the topic send to it. With raw message delivery the queue
# gets the message itself; without it, the SNS envelope (a JSON document with `Message`,
# `MessageId`, `TopicArn` …).

# %%
orders_topic, queues = triggers.fan_out("lab-04-orders", {"lab-04-billing": False, "lab-04-shipping": True})
run = triggers.new_run_id()
published = lab.client("sns").publish(TopicArn=orders_topic, Message=f'{{"order": "o-{run}"}}')

# %% tags=["proof-fan-out"]
got = {name: [b for b in triggers.drain(url, wait_s=10) if run in b] for name, url in queues.items()}
billing, shipping = got["lab-04-billing"], got["lab-04-shipping"]
assert len(billing) == len(shipping) == 1 and shipping[0] == f'{{"order": "o-{run}"}}'
assert triggers.sns_message(billing[0]) == shipping[0]  # the envelope holds the same message
got

# %% [markdown]
# **E-mail subscriptions need confirmation.** The seed's only subscriber is an e-mail address.
# SNS will not send to an address (or an HTTP endpoint) until its owner confirms, by following the
# link in a "Subscription confirmation" message: otherwise anyone could point a topic at anyone's
# inbox. Until then the subscription is `PendingConfirmation` and `Subscribe` returns the ARN
# `pending confirmation` ([Subscribe](https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html)).
# Infrastructure as code cannot click the link, so an e-mail subscription in a template stays
# pending. The emulator confirms e-mail subscriptions at once (`lab.fidelity("event sources")`);
# Lambda and SQS subscriptions in the topic's own account need no confirmation, on AWS either.

# %%
lab.client("sns").subscribe(TopicArn=orders_topic, Protocol="email", Endpoint="ops@example.com")
subs = triggers.subscriptions(orders_topic)
assert set(subs["Protocol"]) == {"sqs", "email"}
subs

# %% [markdown]
# **Permission:** a resource-based policy statement for `sns.amazonaws.com` with the topic as
# `SourceArn`. **Retries:** SNS hands the message to Lambda's asynchronous queue, so a failing
# function gets Lambda's two retries; if Lambda cannot take the message at all, SNS itself retries
# delivery to a Lambda or SQS endpoint up to 100,015 times over 23 days
# ([SNS delivery retries](https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html)).

# %%
assert triggers.policy(sns_fn.name, principal="sns.amazonaws.com")["SourceArn"].tolist() == [topic]

# %% [markdown]
# ## 5. API Gateway: REST and HTTP APIs
#
# Both call the function **synchronously** through a proxy integration and turn its answer into the
# HTTP response, but they send different events: a REST API sends payload format **1.0**
# (`httpMethod`, `path`, `resource`, `multiValueHeaders` …), an HTTP API payload format **2.0**
# (`version`, `routeKey`, `rawPath`, `requestContext.http` …).

# %%
http_fn = triggers.deploy_logger("lab-04-http")
apis = {"REST API": lab.rest_api("lab-04-rest", http_fn.arn)}
if lab.capabilities().supports("http_apis", "The HTTP API (API Gateway v2)"):
    apis["HTTP API"] = lab.http_api("lab-04-http-api", http_fn.arn)

# %%
run, since = triggers.new_run_id(), triggers.now_ms()
answers = {name: lab.http_call(f"{url}orders/{run}?verbose=1", "POST", {"item": "tea"}) for name, url in apis.items()}
assert {name: a.status for name, a in answers.items()} == dict.fromkeys(apis, 200)

# %% tags=["proof-http-payloads"]
rest_event, *v2_events = triggers.received(http_fn.name, since, count=len(apis), where=triggers.mentions(run))
assert (rest_event["httpMethod"], rest_event["path"]) == ("POST", f"/orders/{run}")
assert rest_event.get("version", "1.0") == "1.0" and "routeKey" not in rest_event
for v2 in v2_events:
    assert (v2["version"], v2["rawPath"], v2["requestContext"]["http"]["method"]) == ("2.0", f"/orders/{run}", "POST")
triggers.http_events([rest_event, *v2_events])

# %% [markdown]
# **Permission:** `apigateway.amazonaws.com` may invoke the function for this API. The kit grants
# `arn:aws:execute-api:…:<api-id>/*`, every stage and route of this one API; the seed's
# `…/${ApiGateway}/*/*` is the same breadth. Narrow it to the stage, method and path the
# integration uses when one function serves several APIs.
#
# **Retries:** none. The client gets the answer, or an error, and decides. API Gateway waits at
# most 29 seconds for a REST API integration (more on request for Regional and private REST APIs,
# since June 2024) and 30 seconds for an HTTP API
# ([announcement](https://aws.amazon.com/about-aws/whats-new/2024/06/amazon-api-gateway-integration-timeout-limit-29-seconds/),
# [HTTP API quotas](https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html)),
# even if the function's own timeout is 15 minutes.

# %%
apigw = triggers.policy(http_fn.name, principal="apigateway.amazonaws.com")
assert len(apigw) == len(apis) and apigw["SourceArn"].str.startswith("arn:aws:execute-api:").all()
apigw

# %% [markdown]
# ## 6. Function URLs
#
# A function URL is the function's own HTTPS endpoint, no API Gateway in between. It sends payload
# format 2.0, like an HTTP API. Its `AuthType` is either `NONE` (public; the resource-based policy
# must say so) or `AWS_IAM` (callers sign their requests with SigV4 and need permission). A public
# URL needs *two* statements (new URLs since October 2025, every URL since 1 November 2026), `lambda:InvokeFunctionUrl` and
# `lambda:InvokeFunction` ([control access to function URLs](https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html)).

# %%
url = lab.function_url(http_fn.name, auth_type="NONE")
run, since = triggers.new_run_id(), triggers.now_ms()
public = lab.http_call(f"{url}hello/{run}")
[url_event] = triggers.received(http_fn.name, since, where=triggers.mentions(run))
assert public.status == 200 and (url_event["version"], url_event["rawPath"]) == ("2.0", f"/hello/{run}")
triggers.http_events([url_event])

# %%
public_grants = triggers.policy(http_fn.name, principal="*")
assert set(public_grants["Action"]) == {"lambda:InvokeFunctionUrl", "lambda:InvokeFunction"}
public_grants

# %% [markdown]
# With `AWS_IAM`, an unsigned request is refused before the function runs, and the kit removes the
# public statements. (The emulator does enforce this one.)

# %% tags=["proof-function-url-auth-type"]
lab.function_url(http_fn.name, auth_type="AWS_IAM")
refused = lab.http_call(f"{url}hello/{run}")
assert refused.status == 403 and triggers.policy(http_fn.name, principal="*").empty
lab.function_url(http_fn.name, auth_type="NONE")  # public again, for the next run
refused.status

# %% [markdown]
# ## 7. EventBridge: an event pattern and a schedule
#
# A rule on an event bus sends matching events to its targets, **asynchronously**. This one matches
# orders placed by the shop; a cancelled order does not match.

# %%
events_fn = triggers.deploy_logger("lab-04-events")
placed_rule = lab.eventbridge_rule(
    "lab-04-order-placed", events_fn.arn, event_pattern={"source": ["lab.shop"], "detail-type": ["OrderPlaced"]}
)
run, since = triggers.new_run_id(), triggers.now_ms()
put = lab.client("events").put_events(
    Entries=[
        {"Source": "lab.shop", "DetailType": kind, "Detail": f'{{"order": "o-{run}"}}'}
        for kind in ("OrderCancelled", "OrderPlaced")
    ]
)
assert put["FailedEntryCount"] == 0

# %%
[placed] = triggers.received(events_fn.name, since, where=triggers.mentions(run), settle_s=0.5)
assert (placed["source"], placed["detail-type"], placed["detail"]) == ("lab.shop", "OrderPlaced", {"order": f"o-{run}"})
triggers.shape(placed)

# %% [markdown]
# **A schedule** is a rule with a `cron(…)` or `rate(…)` expression instead of a pattern. The seed
# calls it a CloudWatch Events rule: that is EventBridge's former name, and for new schedules AWS now
# recommends [EventBridge Scheduler](https://docs.aws.amazon.com/scheduler/latest/UserGuide/what-is-scheduler.html),
# which invokes the target the same way. Here: the `scheduled_report` handler every day at 06:00
# UTC, writing a report on the users table to S3.

# %%
report_fn = lab.deploy_handler("scheduled_report", "lab-04-scheduled-report", prefix="lab-04-")
for user in ("ada", "grace"):  # something to report on
    lab.client("dynamodb").put_item(
        TableName="lab-04-users", Item={"user_id": {"S": user}, "email": {"S": f"{user}@example.com"}}
    )

# %%
nightly = lab.eventbridge_rule("lab-04-nightly-report", report_fn.arn, schedule="cron(0 6 * * ? *)")
nightly_rule = triggers.rule_and_targets("lab-04-nightly-report")
assert nightly_rule["ScheduleExpression"] == "cron(0 6 * * ? *)" and nightly_rule["Targets"] == [report_fn.arn]
nightly_rule

# %% [markdown]
# Rather than wait until 06:00, drive the target exactly as the schedule would: an asynchronous
# invoke with the scheduled-event payload EventBridge sends (`detail-type` "Scheduled Event", the
# rule in `resources`, the scheduled `time`). The report's key comes from that `time`.

# %% tags=["proof-schedule"]
tick = triggers.scheduled_event(nightly)
assert triggers.invoke_async(report_fn.name, tick) == 202
report = triggers.wait_for_object("lab-04-reports", triggers.report_key(tick))
assert tick["detail-type"] == "Scheduled Event" and tick["resources"] == [nightly]
assert report["scheduled_for"] == tick["time"] and report["user_count"] == 2
{"the scheduled event": tick, "the report it wrote": report}

# %% [markdown]
# **Permission:** `events.amazonaws.com`, with the rule's ARN as `SourceArn`. **Retries:** two
# layers. EventBridge retries *delivery* to the target for up to 24 hours and 185 attempts by
# default (then the rule target's DLQ, if any)
# ([EventBridge retry policy](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html));
# once Lambda has accepted the event, a *function* error gets Lambda's two asynchronous retries.

# %%
assert triggers.policy(report_fn.name, principal="events.amazonaws.com")["SourceArn"].tolist() == [nightly]

# %% [markdown]
# ## 8. Kinesis Data Streams
#
# Like DynamoDB Streams, a Kinesis stream is read by an event source mapping, in order per shard.
# Records arrive with their partition key and sequence number, and the producer's bytes
# **base64-encoded** in `kinesis.data`. A stream keeps records for 24 hours by default, up to 365
# days ([retention](https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html)).

# %%
kinesis_fn = triggers.deploy_logger("lab-04-kinesis")
stream = triggers.ensure_stream("lab-04-readings")
lab.event_source_mapping(kinesis_fn.name, stream, batch_size=100, starting_position="TRIM_HORIZON")
run, since = triggers.new_run_id(), triggers.now_ms()
put = lab.client("kinesis").put_records(
    StreamName="lab-04-readings",
    Records=[
        {"Data": f'{{"run": "{run}", "celsius": {c}}}'.encode(), "PartitionKey": "sensor-1"} for c in (20.5, 21.0, 21.5)
    ],
)
assert put["FailedRecordCount"] == 0

# %% tags=["proof-kinesis-mapping"]
ours = triggers.received_records(
    kinesis_fn.name, since, count=3, where=lambda r: run in triggers.base64_text(r["kinesis"]["data"])
)
readings = triggers.kinesis_records([{"Records": ours}])
assert len(readings) == 3 and readings["sequenceNumber"].map(int).is_monotonic_increasing
readings

# %% [markdown]
# **Permission:** the execution role (`AWSLambdaKinesisExecutionRole`). **Retries:** as for
# DynamoDB Streams: the batch is retried until it succeeds or the records expire, blocking its
# shard, unless you set a retry limit, a maximum record age, bisection and an on-failure
# destination.

# %%
assert "AWSLambdaKinesisExecutionRole" in triggers.attached_policies()

# %% [markdown]
# ## 9. Recap
#
# | trigger | model | the event | permission | who retries a failure |
# |---|---|---|---|---|
# | S3 | asynchronous | `Records[].s3.object.key`, URL-encoded | resource policy: `s3.amazonaws.com`, bucket + account | Lambda, twice; delivery at least once |
# | DynamoDB Streams | event source mapping | `Records[].dynamodb` Keys / NewImage / OldImage, by view type | execution role | the mapping, until success or expiry (24 h), in order |
# | SQS | event source mapping | `Records[].body`, `attributes.ApproximateReceiveCount` | execution role | the queue: visibility timeout, then its DLQ |
# | SNS | asynchronous | `Records[0].Sns.Message` (a string) | resource policy: `sns.amazonaws.com`, topic | Lambda, twice; SNS retries delivery |
# | API Gateway REST / HTTP API | synchronous | payload 1.0 / 2.0 | resource policy: `apigateway.amazonaws.com`, API | the client |
# | function URL | synchronous | payload 2.0 | `NONE`: two public statements; `AWS_IAM`: signed callers | the client |
# | EventBridge | asynchronous | `source`, `detail-type`, `detail` | resource policy: `events.amazonaws.com`, rule | EventBridge (delivery), then Lambda, twice |
# | Kinesis | event source mapping | `Records[].kinesis.data`, base64 | execution role | the mapping, until success or expiry, in order |
#
# ## 10. The seed's interview questions this lesson answers
#
# **What are Lambda triggers?** Anything that invokes a function, in two families. Push sources
# call the function themselves: S3, SNS and EventBridge asynchronously (Lambda queues the event and
# retries a failure twice), API Gateway and function URLs synchronously (the client gets the answer
# and retries if it wants). Each needs a statement in the function's resource-based policy, scoped
# to the bucket, topic, rule or API. Poll sources (SQS, DynamoDB Streams, Kinesis, also Amazon MQ
# and Kafka) are read by an event source mapping that Lambda runs with the function's execution
# role and that delivers batches. The seed's list "SNS/SQS messages" puts the two families in one
# line: SNS pushes each message, SQS is polled in batches.
#
# **How do you handle Lambda errors?** By trigger: let an asynchronous function fail so that Lambda
# retries it and then routes it to a DLQ or on-failure destination; report partial batch failures
# from queue and stream consumers so one bad record does not send the whole batch back; give SQS
# queues a redrive policy and stream mappings a retry limit, bisection and an on-failure
# destination; make every consumer idempotent, because S3, SNS, EventBridge and SQS all deliver at
# least once. 05 · Error handling and retries goes deeper.

# %% [markdown]
# ## Check yourself
#
# Answer, then reveal: each question links the cell above that shows its answer live.

# %%
lab.quiz("04_triggers")
