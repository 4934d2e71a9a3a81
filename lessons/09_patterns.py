# %% [markdown]
# # 09 · Patterns
#
# The seed's advanced interview question "How do you implement Lambda patterns?" is answered there
# with four names: *fan-out, SAGA, event sourcing, CQRS*. Names are not an answer. In this notebook
# each pattern is deployed on the emulator, driven with real events, and its outcome asserted: a
# fan-out of orders to consumers that fail and retry independently, a saga that undoes its own steps
# when a payment is declined, an event store replayed into a read model, and the lag between a write
# and what the read side sees. Then the seed's "industry insights" (Netflix, Airbnb and Spotify
# bullets with no source) become three small pipelines that do what the bullets only name.
#
# Two questions come back in every section, because every pattern here rests on at-least-once
# delivery: **what happens when the same message arrives twice** (idempotency), and **what happens
# when two messages arrive in the other order** (ordering).

# %%
from reference_app import lab
from reference_app.lab.charts import bar_chart
from reference_app.lab.lesson_helpers import patterns
from reference_app.lab.lesson_helpers.patterns import industry

lab.start_lesson("09_patterns")

# %% [markdown]
# ## 1. Everything this lesson runs, deployed first
#
# Eight functions (all of them the kit's reference handlers, four written for this lesson), a topic,
# queues, a Kinesis stream, a DynamoDB stream, mappings, two S3 notifications, a schedule and a state
# machine, in one idempotent call. It comes first because a new event source mapping takes a moment
# before its first poll (on the emulator the poller sleeps up to five seconds while no mapping exists;
# `mapping-first-poll` below gives both sides). Created now, the mappings are polling by the time a
# cell needs them. Run the cell again: every function is `unchanged`.

# %%
kit = patterns.deploy()
assert len(kit.functions) == 8 and all(d.configuration["State"] == "Active" for d in kit.functions.values())
kit

# %% [markdown]
# Where the emulator's event sources differ from AWS's. Two rows matter in this lesson:
# `mapping-first-poll` (why we deploy first) and `stream-partial-batch` (section 4).

# %%
lab.fidelity("event sources")

# %% [markdown]
# ## 2. Fan-out: one event, independent consumers
#
# An order is placed once and three teams care: billing charges it, fulfilment ships it, and (in
# the first exercise) loyalty awards points. The publisher must not know them. It publishes to an SNS
# topic; each consumer subscribes **its own SQS queue**, and a function reads that queue. AWS calls
# this the publish-subscribe pattern
# ([prescriptive guidance](https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/publish-subscribe.html)).
#
# ```mermaid
# flowchart LR
#   pub([place order]) -- "Publish OrderPlaced" --> topic[["SNS lab-09-orders"]]
#   topic -- "raw delivery" --> q1[("SQS lab-09-billing")] --> f1["lab-09-billing<br/>queue_worker: charge once"]
#   topic -- "SNS envelope" --> q2[("SQS lab-09-fulfilment")] --> f2["lab-09-fulfilment<br/>fulfilment: book a shipment"]
#   topic -- "SNS envelope" --> q3[("SQS lab-09-tap<br/>no consumer")]
#   q1 -. "after 5 receives" .-> d1[("lab-09-billing-dlq")]
#   q2 -. "after 1 receive" .-> d2[("lab-09-fulfilment-dlq")]
#   topic -. "exercise" .-> q4[("lab-ex-loyalty")]
# ```
#
# Why a queue per consumer, when SNS can invoke a function directly? A queue is a buffer that belongs
# to one consumer: its own pace (batch size, concurrency), its own retries (the visibility timeout)
# and its own dead-letter queue (the redrive policy's `maxReceiveCount`). A consumer that is slow,
# down or failing holds up nobody else. The queues are created with a policy that lets this topic,
# and only this topic, send to them, as AWS requires
# ([fanout to SQS queues](https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html);
# the emulator does not check it, `permissions-not-enforced`).
#
# Two orders are published: the second has no `country`. Billing does not need one; fulfilment does.

# %%
run = patterns.run_id()
orders = [patterns.order(f"fo-{run}-1"), patterns.order(f"fo-{run}-2", country=None)]
patterns.publish(kit.topic_arn, orders)

# %% tags=["proof-fan-out"]
seen = patterns.consumers(kit, orders)
assert seen["billing: charge_count"].tolist() == [1, 1]
assert seen["fulfilment: shipment"].tolist() == ["BOOKED", "(none)"]
seen

# %% [markdown]
# One publish, two consumers, each with its own outcome. What each queue received is not the same
# message, though. Billing's subscription has **raw message delivery**: its SQS body is the order
# itself. The others get SNS's JSON envelope, the order being the *string* in its `Message` field
# ([raw message delivery](https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html)).
# A consumer that reads one shape and is given the other fails on every message: the tap queue,
# which no function reads, shows the envelope.

# %%
shapes = patterns.tapped(kit, orders[0])
assert shapes.index[0] == "Type" and "Message" in shapes.index
shapes

# %% [markdown]
# **Idempotency.** SQS standard queues deliver at least once, and "more than one copy of a message
# might be delivered"
# ([standard queues](https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/DistributedQueues.html));
# a publisher that retries a `Publish` after a timeout sends the same order again under a new message
# id. So each consumer keys its side effect on the *business* id: billing (`queue_worker`) with
# Powertools idempotency on `order_id`, fulfilment with a conditional put. The same order, published
# again, charges nothing and books nothing:

# %% tags=["proof-fan-out-idempotent"]
again = patterns.publish_again(kit, orders[0])  # waits until fulfilment has logged the duplicate
assert again.loc[orders[0]["order_id"]].tolist() == ["DE", 1, "BOOKED"]
again

# %% [markdown]
# Meanwhile the second order, unusable for fulfilment, has been on its way out: the function reports
# it in `batchItemFailures`, the message becomes visible again after the queue's visibility timeout,
# and once it has been received `maxReceiveCount` times the redrive policy moves it to
# **fulfilment's** dead-letter queue. Billing charged it and is not involved. For a Lambda source queue AWS recommends a visibility timeout of at
# least six times the function's timeout
# ([configuring the queue](https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html)) and
# `maxReceiveCount` of at least 5 ([SQS retries](https://docs.aws.amazon.com/lambda/latest/dg/sqs-retries.html));
# fulfilment's queue uses 3 s and 1 so that the lesson sees the message parked in seconds (and a
# single slow invocation would park a good order too: that is what the recommendation prevents).

# %% tags=["proof-fan-out-dlq"]
parked = patterns.parked(kit.fulfilment, orders[1]["order_id"])
assert parked["dead-letter queue"] == "lab-09-fulfilment-dlq" and kit.billing.depth(dlq=True) == 0
parked

# %% [markdown]
# **Ordering.** A standard queue gives "best-effort ordering" (same page): two events about one order
# may be processed in the other order. A consumer that cares keeps a version per entity and refuses
# to go back (section 4 does that), or the topic and queues are FIFO, with a `MessageGroupId` per
# order.
#
# ## 3. A saga with compensation
#
# Placing an order touches three services: stock, payment, shipping. No transaction spans them.
# A **saga** runs one local transaction per service and, when a step fails, undoes the ones that
# succeeded with **compensating** transactions, in reverse order
# ([saga orchestration](https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/saga-orchestration.html)).
# Orchestrated, a state machine drives it; choreographed, each service reacts to the others' events
# ([saga choreography](https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/saga-choreography.html)).
# The kit's `order_saga.asl.json` is the orchestrated kind, with one Lambda function (`order_saga`)
# doing every step and compensation:
#
# ```mermaid
# flowchart TD
#   start([order]) --> reserve[ReserveInventory]
#   reserve --> charge[ChargePayment] --> ship[ShipOrder] --> done([OrderCompleted])
#   reserve -- "OutOfStock, InvalidOrder" --> rejected([OrderRejected])
#   reserve -- "States.ALL" --> release
#   charge -- "PaymentDeclined: nothing was charged" --> release[ReleaseInventory]
#   charge -- "States.ALL" --> refund[RefundPayment]
#   ship -- "ShippingUnavailable, States.ALL" --> refund
#   refund --> release --> failed([OrderFailed])
#   refund -. "keeps failing" .-> manual([CompensationFailed])
#   release -. "keeps failing" .-> manual
# ```
#
# The named `Catch` paths work because a Python function's unhandled exception reaches Step Functions
# with `errorType` = the exception's class name
# ([Python errors](https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html)), and a
# `Catch` matches error names
# ([error handling](https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html)).
# The emulator now does the same (the kit's runtime closes `error-type`); a raw emulator names every
# error `Runtime.HandlerError`, and only the `States.ALL` fallbacks would ever run.

# %%
lab.fidelity("lambda runtime").loc[["error-type"]]

# %% [markdown]
# Three orders: one that goes through, one whose payment is declined (over the charge limit), one to
# a country the shipper does not serve, run one after the other.

# %%
base = lab.load_event("order_saga_input")["order"]
runs = patterns.run_sagas(
    kit.machine_arn,
    {
        "happy path": {**base, "order_id": f"sg-{run}-ok"},
        "declined payment": {**base, "order_id": f"sg-{run}-no", "amount_cents": 10_000_000},
        "no shipping to ZZ": {**base, "order_id": f"sg-{run}-zz", "country": "ZZ"},
    },
)
patterns.summary(runs)

# %% tags=["proof-saga-compensation"]
state = {label: patterns.saga_item(kit.tables["saga"], r.order["order_id"]) for label, r in runs.items()}
assert runs["happy path"].status == "SUCCEEDED" and runs["happy path"].compensations == []
assert runs["declined payment"].compensations == ["ReleaseInventory"]  # PaymentDeclined, caught by name
assert runs["no shipping to ZZ"].compensations == ["RefundPayment", "ReleaseInventory"]  # reverse order
assert state["no shipping to ZZ"]["payment_status"] == "REFUNDED" and state["declined payment"]["payment_status"] == "-"
state

# %% [markdown]
# The declined payment skips `RefundPayment`: `PaymentDeclined` means nothing was charged, so its
# `Catch` goes straight to `ReleaseInventory`. The shipping failure comes after a charge, so the saga
# refunds, then releases: the reverse of reserve, charge. The executions' histories, as a timeline:

# %%
patterns.timeline(runs)

# %% [markdown]
# And one history in full, as Step Functions records it (`GetExecutionHistory`): each state entered
# and left, the task's output or its error.

# %%
runs["no shipping to ZZ"].history()

# %% [markdown]
# **Idempotency.** Standard workflows run each execution exactly once, but a `Task` with a `Retry`
# runs its function again
# ([execution guarantees](https://docs.aws.amazon.com/step-functions/latest/dg/express-at-least-once-execution.html)),
# and a compensation may run for a step that never happened (the failure came first). So every step
# and every compensation of `order_saga` is a conditional update that is harmless the second time.
# Releasing the declined order's stock again is a no-op, not an error:

# %% tags=["proof-saga-idempotent-compensation"]
again = lab.invoke(kit.name("saga"), {"action": "release", "order": runs["declined payment"].order})
assert again.ok and again.payload == {"released": False}
again.payload

# %% [markdown]
# **Ordering** is the state machine's job: a step starts only when the previous one has ended, and
# the conditions in each update (`charge` needs a live reservation, `ship` a charged payment) refuse
# a step out of order even if someone invoked the function by hand.
#
# ## 4. Event sourcing: the events are the truth
#
# Instead of a row per order that each write overwrites, the **event store** keeps every change as an
# immutable event, one item per `(order_id, version)`: `OrderPlaced`, `ItemAdded`, `OrderPaid`,
# `OrderShipped`. The current state is not stored there; it is computed by replaying the events
# ([event sourcing](https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/event-sourcing.html)).
#
# ```mermaid
# flowchart LR
#   cmd([commands: place, add_item, pay, ship]) -- "load events, replay, decide,<br/>put v+1 if absent" --> store[("lab-09-order-events<br/>key order_id + version<br/>append-only")]
#   store -- "stream: NEW_IMAGE" --> proj["lab-09-projection<br/>order_projection"]
#   proj -- "apply v only if the view is at v-1" --> views[("lab-09-order_views<br/>one document per order")]
#   store -. "replay" .-> state([state at any version])
# ```
#
# A command loads the order's events, folds them into the current state, checks that the command is
# allowed, and appends one event with the next version, on condition that this version does not exist
# yet. That condition is the whole concurrency control: two writers that read version 3 cannot both
# write version 4.

# %%
store, oid = patterns.EventStore(kit.tables["events"]), f"es-{run}"
store.execute(
    oid, "place", customer_id="c-ada", currency="EUR", items=[{"sku": "BOOK-42", "quantity": 2, "price_cents": 1999}]
)
store.execute(oid, "add_item", sku="PEN-7", quantity=3, price_cents=250)
store.execute(oid, "pay", payment_id=f"pay-{run}")
store.execute(oid, "ship", tracking_id=f"trk-{run}")
store.frame(oid)

# %% [markdown]
# The write side refuses what the events do not allow (a shipped order cannot be cancelled), and a
# writer that read version 3 and appends its version 4 after someone else did:

# %%
refused = patterns.attempt(store.execute, oid, "cancel", reason="changed my mind")
lost = patterns.attempt(store.append, oid, 4, "OrderCancelled", {"reason": "a writer that read version 3"})
assert isinstance(refused, patterns.CommandRejected) and isinstance(lost, patterns.ConcurrencyConflict)
print(f"rejected: {refused}\nconflict: {lost}")

# %% [markdown]
# The fold is a pure function in the projection handler, the same code for the projection, a replay
# and a question about the past:

# %%
patterns.show_function("order_projection", "apply_event")

# %% [markdown]
# The projection has applied the four events from the stream. Replaying the stored events gives the
# same state, and replaying only the first two answers "what did this order look like before it was
# paid?" (a temporal query, which a table that overwrites rows cannot answer).

# %% tags=["proof-event-sourcing"]
projected = patterns.wait_for_view(kit.tables["views"], oid, 4)
assert store.state(oid) == patterns.without_projection_fields(projected)
assert store.state(oid, as_of=2)["status"] == "PLACED" and projected["status"] == "SHIPPED"
projected

# %% [markdown]
# The read model is disposable: delete it, replay every stored event through the deployed projection
# (as one stream batch, the way Lambda would deliver it), and it comes back identical. That is how a
# new read model is built, or a buggy one fixed, from the events alone.

# %% tags=["proof-event-replay"]
rebuilt = patterns.rebuild(store, kit.tables["views"], kit.name("projection"), [oid])
assert rebuilt.attrs["wiped"] == 1 and rebuilt["same as before"].all()
rebuilt

# %% [markdown]
# **Idempotency.** The replay above handed the projection four events it had already applied once.
# It did not apply them twice because the view stores the version of the last event applied, and an
# event whose version is not greater is a duplicate to skip. Handing it the whole history again
# changes nothing:

# %% tags=["proof-projection-idempotent"]
answer = patterns.redeliver(kit.name("projection"), store.events(oid))
assert answer == {"batchItemFailures": []} and patterns.view(kit.tables["views"], oid)["version"] == 4
answer

# %% [markdown]
# **Ordering.** DynamoDB Streams writes each change once and keeps the order of changes *to one item*
# ([DynamoDB Streams](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html)).
# Every event here is an item of its own, so nothing promises that version 2 of an order never
# reaches the projection before version 1. The projection checks: it applies `v` only when the view
# is at `v - 1`, and otherwise reports the record (and every later one, unapplied) in
# `batchItemFailures`. Handed version 2 of an order it has never seen:

# %% tags=["proof-projection-ordering"]
gap_id = f"gap-{run}"
early = patterns.redeliver(kit.name("projection"), patterns.draft_events(gap_id)[1:])
assert len(early["batchItemFailures"]) == 1 and patterns.view(kit.tables["views"], gap_id) is None
early

# %% [markdown]
# On AWS, with `ReportBatchItemFailures` on the mapping, Lambda checkpoints at the lowest sequence
# number reported and retries from there
# ([partial batch response](https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html)),
# until the record succeeds, expires (24 hours) or reaches `MaximumRetryAttempts` (default -1,
# unlimited) ([mapping parameters](https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html));
# this lesson's mapping is set to give up after 10 attempts and send the record to
# `lab-09-projection-failures`. Once version 1 has been projected, the retry of version 2 succeeds:

# %%
patterns.redeliver(kit.name("projection"), patterns.draft_events(gap_id)[:1])
late = patterns.redeliver(kit.name("projection"), patterns.draft_events(gap_id)[1:])
assert late == {"batchItemFailures": []} and patterns.view(kit.tables["views"], gap_id)["version"] == 2

# %% [markdown]
# Here the function was handed the batches by hand because **the emulator ignores a stream
# function's `batchItemFailures`**: it counts the batch as processed and moves on, so a reported
# record would never be retried (AWS retries it; a function that *raises* is retried by both).
# That is a difference this lesson found, now in the fidelity list:

# %%
lab.fidelity("event sources").loc[["stream-partial-batch"]]

# %% [markdown]
# ## 5. CQRS: a write model and a read model
#
# **Command query responsibility segregation** splits the two sides of section 4: commands go to the
# write model (the event store, which is good at appending and consistency checks), queries go to read
# models shaped for them (a document per order here; a list per customer, a search index, a report
# elsewhere), kept up to date from the write model's stream. The price is that the read side lags.
#
# ```mermaid
# flowchart LR
#   client([client]) -- "commands" --> write[("write model<br/>lab-09-order-events")]
#   write -- "DynamoDB stream" --> proj["lab-09-projection"] --> read[("read model<br/>lab-09-order_views")]
#   client -- "queries" --> read
#   client -. "read your own write" .-> write
# ```
#
# Five orders placed one after the other; after each, the read model is read at once, then polled
# until the order is there. `projected_at - at` is the lag measured by the two sides' own timestamps.

# %% tags=["proof-cqrs-projection"]
lags = patterns.read_after_write(store, kit.tables["views"], run, count=5)
assert len(lags) == 5 and (lags["projected_at - at (ms)"] >= 0).all()
lags

# %% [markdown]
# On the emulator the projection often wins the race (the stream wakes the poller at once, and the
# lag is some milliseconds). On AWS the lag is the stream's delivery, Lambda's polling and the
# function's own time, and it grows whenever the function falls behind; the `IteratorAge` metric of
# the function is how you watch it
# ([Lambda metrics](https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html)).

# %%
bar_chart(lags, "projected_at - at (ms)", ylabel="ms", title="write to read model, per order")

# %% [markdown]
# To see the read side behind the write side for certain, pause the projection (disable its mapping),
# write, read both sides, then resume: the stream kept the event, and the projection catches up from
# where it stopped.

# %% tags=["proof-read-model-stale"]
with patterns.paused(kit.name("projection"), kit.tables["events"]):
    written = store.execute(
        f"cq-{run}-paused",
        "place",
        customer_id="c-ada",
        currency="EUR",
        items=[{"sku": "BOOK-42", "quantity": 1, "price_cents": 1999}],
    )
    stale = patterns.view(kit.tables["views"], written["order_id"])
assert stale is None and store.state(written["order_id"])["status"] == "PLACED"
patterns.wait_for_view(kit.tables["views"], written["order_id"], 1)["status"]

# %% [markdown]
# A client that must see its own write right away reads it from the write side (or from the
# command's answer), not from the read model. Two more rules of thumb: DynamoDB Streams should have
# no more than two processes reading a shard at once
# ([quotas](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html)),
# so a third read model subscribes to a fan-out of the stream (Kinesis, EventBridge Pipes, SNS)
# rather than to the stream itself; and the stream keeps records for 24 hours, so the event store,
# not the stream, is what a rebuild replays.
#
# ## 6. The seed's "industry insights", as working pipelines
#
# The seed lists what Netflix, Airbnb and Spotify supposedly do with Lambda:
#
# | seed bullet | source given in the seed |
# |---|---|
# | Netflix: event processing, serverless microservices, ETL, pay-per-use | none |
# | Airbnb: image processing, real-time analytics, serverless APIs, event-driven | none |
# | Spotify: audio file processing, real-time recommendations, ETL, cost efficiency | none |
#
# None of these bullets cites a source, and each names a generic technique rather than anything that
# could be checked about the company (second-hand blog posts circulate about some of them; the seed
# links none). This lesson does not repeat them as facts. What they *name* is real and common, so
# here are three of those techniques as small pipelines that run: image processing, real-time
# analytics, and ETL with a scheduled report.
#
# ### 6a. Image processing: thumbnails on upload
#
# ```mermaid
# flowchart LR
#   user([upload]) --> up[("S3 lab-09-images<br/>uploads/photo.png")] -- "ObjectCreated, prefix uploads/" --> fn["lab-09-thumbnails<br/>s3_processor (Pillow)"]
#   fn -- "128 x 128 box" --> th[("thumbnails/uploads/photo.png")]
#   fn -- "outcome" --> res[("lab-09-results")]
#   th -. "not under uploads/: no new event" .-> fn
# ```
#
# The thumbnail is written *outside* the notification's prefix, and the handler also skips keys under
# `thumbnails/`: a function that writes into the prefix that triggers it calls itself forever.

# %% tags=["proof-image-pipeline"]
key = f"uploads/{run}-photo.png"
industry.upload_image(kit.buckets["images"], key, 640, 480)
thumb = industry.thumbnail(kit.buckets["images"], key, kit.tables["results"])
assert thumb["status"] == "processed" and thumb["thumbnail"] == "128 x 96"
{k: v for k, v in thumb.items() if k != "png"}

# %%
from IPython.display import Image

Image(thumb["png"])

# %% [markdown]
# ### 6b. Real-time analytics: page views per minute from a clickstream
#
# ```mermaid
# flowchart LR
#   web([clicks]) -- "PutRecords, partition key = user" --> ks[["Kinesis lab-09-clicks"]]
#   ks -- "batches per shard, in order" --> fn["lab-09-click-counter<br/>click_counter"]
#   fn -- "ADD views, one update per page and minute,<br/>if above the shard's watermark" --> agg[("lab-09-page_views")]
# ```
#
# The counter adds up a batch in memory and writes once per page and minute. Counting is the classic
# place where at-least-once delivery does damage: Lambda retries a failed batch, and an `ADD` run
# twice counts twice. Each counter item therefore keeps, per shard, the highest sequence number it has
# counted, and only records above it are added. Records of one shard arrive in order
# ([Kinesis with Lambda](https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html)), which is
# what makes the watermark sound (with the default `ParallelizationFactor` of 1).

# %% tags=["proof-analytics-pipeline"]
batch = industry.clicks(30)
counted = industry.stream_clicks(kit, batch)
assert (counted["after"] - counted["before"] == counted["clicks"]).all() and counted["clicks"].sum() == 30
counted

# %%
bar_chart(counted, "clicks", ylabel="views", title=f"page views, minute {counted.attrs['minute']}")

# %% [markdown]
# The same 30 records again, with their real shard and sequence numbers, as Lambda would deliver a
# retried batch: nothing is counted twice.

# %% tags=["proof-exactly-once-counts"]
retried = lab.invoke(kit.name("clicks"), industry.kinesis_batch(kit.click_stream_arn, batch, counted.attrs["put"]))
assert retried.payload["counted"] == 0 and retried.payload["already_counted"] == 30
retried.payload

# %% [markdown]
# ### 6c. ETL: a CSV in, users out, and a nightly report
#
# ```mermaid
# flowchart LR
#   csv([users.csv]) --> s3[("S3 lab-09-etl<br/>imports/users.csv")] -- "ObjectCreated, imports/*.csv" --> etl["lab-09-csv-import<br/>csv_import"]
#   etl -- "trim, validate, normalise;<br/>batch_writer" --> users[("lab-09-users")]
#   etl -- "rows refused" --> rej[("rejects/users.json")]
#   cron([EventBridge cron 0 2 * * ? *]) --> rep["lab-09-report<br/>scheduled_report"]
#   users -- "paginated Scan" --> rep --> out[("S3 reports/users/...json")]
# ```
#
# Extract: the upload's notification. Transform: each row trimmed and checked with the users API's
# own rules; a bad e-mail and a repeated `user_id` are refused, and the report of what was refused
# names the row and the field, not the values. Load: `batch_writer`, keyed by `user_id`, with
# `created_at` taken from the event, so that handling the same notification twice (S3 notifications
# are "designed to be delivered at least once",
# [S3 event notifications](https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html))
# writes the same items.

# %% tags=["proof-etl-pipeline"]
upload = f"imports/users-{run}.csv"
industry.upload_csv(kit.buckets["etl"], upload, industry.users_csv(run))
report = industry.rejects(kit.buckets["etl"], upload)
assert report["loaded"] == 3 and [(r["row"], r["field"]) for r in report["rejected"]] == [(5, "email"), (6, "user_id")]
report

# %%
loaded = industry.loaded(kit.tables["users"], run)
assert [u["email"] for u in loaded] == ["ada@example.com", "grace@example.com", "alan@example.org"]
[{k: u[k] for k in ("user_id", "name", "email")} for u in loaded]

# %% [markdown]
# The report function runs on an EventBridge schedule (`cron(0 2 * * ? *)`, 02:00 UTC). Waiting for
# 02:00 is not a lesson, so the cell invokes it with the event the schedule sends, for a given time.
# Its S3 key comes from that time, so a retried or repeated run overwrites the same object:

# %%
when = "2026-11-28T02:00:00Z"
first, second = industry.run_report(kit.name("report"), when), industry.run_report(kit.name("report"), when)
summary = industry.report(kit.buckets["reports"], first["key"])
assert first["key"] == second["key"] and summary["user_count"] >= 3 and "example.com" in summary["by_email_domain"]
summary

# %% [markdown]
# ## 7. Exercises
#
# **A third consumer for the fan-out** (`exercises/09_patterns/loyalty_points.py`, fill in). The
# loyalty team subscribes its own queue, *without* raw delivery, with its own dead-letter queue. Read
# the order out of the SNS envelope, and award points once per order however often it arrives: one
# DynamoDB transaction writes the points and a marker "this order was counted", on condition that the
# marker did not exist. The checks run your handler under moto, then subscribe a real queue to a
# topic on the emulator, publish an order twice and a message that is not an order, and look for
# that one in the DLQ.

# %% tags=["proof-exercise-fan-out-loyalty"]
lab.check("fan-out-loyalty")

# %% [markdown]
# **A saga step and its compensation** (`exercises/09_patterns/voucher.py`, fill in). Orders may
# carry a voucher. A new step redeems it after `ReserveInventory`; a new compensation gives it back
# when a later step fails. Both are conditional updates: redeem only an available voucher (or one this
# order already holds: Step Functions retries), give back only this order's. The checks put your
# function into the order saga:
#
# ```mermaid
# flowchart TD
#   reserve[ReserveInventory] --> redeem[RedeemVoucher] --> charge[ChargePayment] --> ship[ShipOrder] --> done([OrderCompleted])
#   redeem -- "VoucherRejected" --> release[ReleaseInventory]
#   charge -- "PaymentDeclined" --> reinstate[ReinstateVoucher]
#   ship -- "any error" --> refund[RefundPayment] --> reinstate --> release --> failed([OrderFailed])
# ```

# %% tags=["proof-exercise-saga-voucher"]
lab.check("saga-voucher")

# %% [markdown]
# ## 8. Recap
#
# - **Fan-out**: publish once to SNS; a queue per consumer gives each its own pace, retries and DLQ.
#   Know which body shape each subscription delivers (raw or envelope), and key side effects on the
#   business id: delivery is at least once.
# - **Saga**: local steps plus compensations, run in reverse on failure. Step Functions `Catch` routes
#   on the exception's class name, so the compensation that runs is the one the failure calls for.
#   Steps and compensations are idempotent and tolerate "never happened".
# - **Event sourcing**: append-only events with a version per entity; the state is a replay; the
#   append's condition is the concurrency control; read models can be thrown away and rebuilt.
# - **CQRS**: the read model is a projection of the write model's stream, always a little behind;
#   read your own writes from the write side; watch the lag (`IteratorAge`).
# - **Idempotency and ordering everywhere**: a version check, a conditional put, a transaction with a
#   marker, a watermark per shard. The emulator ignores a stream's `batchItemFailures`
#   (`stream-partial-batch`); AWS honours it.
# - The seed's industry bullets cite nothing; the pipelines above are what such bullets can honestly
#   teach.
#
# ## 9. The seed's interview question this lesson answers
#
# **"How do you implement Lambda patterns?"** (the seed answers "Fan-out pattern, SAGA pattern, Event
# sourcing, CQRS pattern", four names with no mechanism). An answer for today:
#
# - **Fan-out**: the producer publishes one event to an SNS topic or an EventBridge bus. Each
#   consumer subscribes an SQS queue of its own and a function reads it through an event source
#   mapping, with `ReportBatchItemFailures`, a redrive policy to its own DLQ, a visibility timeout of
#   at least six times the function's timeout and `maxReceiveCount` of at least 5. *Idempotency*:
#   delivery is at least once, so each consumer dedupes on the business id (conditional write,
#   Powertools idempotency, a transaction with a marker for counters). *Ordering*: best effort on
#   standard topics and queues; use FIFO with a message group per entity, or version checks.
# - **Saga**: a sequence of local transactions, each with a compensating transaction. Orchestrate it
#   with a Step Functions Standard workflow: `Retry` for transient errors, `Catch` by error name
#   leading to the compensations of the completed steps in reverse order, and a final failed state
#   someone can see. Or choreograph it with events when there are few steps. *Idempotency*: tasks can
#   run again and compensations can run for steps that never happened, so both are conditional
#   updates. *Ordering*: the state machine sequences the steps; conditions refuse steps out of order.
# - **Event sourcing**: store every change as an immutable event (a DynamoDB table keyed by entity and
#   version, appended with `attribute_not_exists` for optimistic concurrency); derive state by
#   replaying; stream the table (DynamoDB Streams, or Kinesis for longer retention) to projections.
#   *Idempotency*: projections remember the last version applied and skip the rest. *Ordering*: the
#   stream keeps order per item, not per entity, so the projection applies `v` only after `v - 1` and
#   reports the rest for a retry.
# - **CQRS**: commands update the write model; read models are projections built from its stream,
#   shaped for their queries and eventually consistent. Read your own writes from the write side,
#   watch `IteratorAge`, and rebuild a read model by replaying the event store.
#
# Each bullet was shown above: `proof-fan-out`, `proof-saga-compensation`, `proof-event-sourcing`,
# `proof-cqrs-projection` and the cells around them.

# %% [markdown]
# ## Check yourself
#
# Answer, then reveal: each question links the cell above that shows its answer live.

# %%
lab.quiz("09_patterns")
