"""Day two: what the emulator restores after a restart works, not only exists.

ministack 1.5.33 saves a DynamoDB Streams event source mapping and its read position
(``dynamodb_stream_positions`` in ``lambda.json``) but not the stream it reads: the
table's stream records, and how many were trimmed off its front, live in memory only.
After a ``down``/``up`` the stream starts again at position 0 while the mapping's saved
position is, say, 12: every new record lands below it, so the mapping is back and
``Enabled`` yet delivers nothing until twelve more changes have been made (lesson 09's
read model never updates). Records written just before the stop and not yet delivered
were lost too.

:func:`patch_dynamodb` saves the stream (records, trim count, closed streams) with the
table, as DynamoDB keeps a stream's records for 24 hours whatever happens to a
consumer, and restores it, so a mapping resumes where it stopped (records it had not
delivered are delivered: at least once, as on AWS). :func:`patch_stream_poller` clamps a
position past its stream's end to that end (a state saved before this module, or a
stream that lost records), so a mapping always delivers the next change.
Kinesis and SQS mappings already resume after a restart (their records are saved).

**A bucket CloudFormation made or deleted** (:func:`patch_cloudformation`). ministack keeps S3
buckets on disk, one folder each, and its CloudFormation provisioner creates and deletes
buckets in memory only: a stack's empty bucket was gone after a restart, and a bucket the
stack had deleted came back (lesson 03's next ``deploy_seed`` then failed: "Resource of type
'AWS::S3::Bucket' ... already exists"). The provisioner now makes and removes the folder, as
``CreateBucket`` and ``DeleteBucket`` do.
"""

from __future__ import annotations

import copy
import logging
import os

logger = logging.getLogger("lambda_lab.runtime")
STATE_KEY = "lambda_lab_streams"


def patch_dynamodb(ddb) -> None:
    """Save and restore DynamoDB Streams' records with the tables."""
    get_state = ddb.get_state
    load = ddb.load_persisted_state

    def get_state_with_streams():
        state = get_state()
        if isinstance(state, dict):
            state[STATE_KEY] = {
                "records": copy.deepcopy(ddb._stream_records),
                "trimmed": copy.deepcopy(ddb._stream_trimmed),
                "closed": copy.deepcopy(ddb._closed_streams),
            }
        return state

    def load_persisted_state(data):
        answer = load(data)
        streams = (data or {}).get(STATE_KEY) or {}
        for name, store in (
            ("records", ddb._stream_records),
            ("trimmed", ddb._stream_trimmed),
            ("closed", ddb._closed_streams),
        ):
            saved = streams.get(name)
            if saved is not None and hasattr(saved, "_data"):
                store._data.update(saved._data)
        return answer

    ddb.get_state = get_state_with_streams
    ddb.load_persisted_state = load_persisted_state


def patch_cloudformation(provisioners) -> None:
    """CloudFormation's ``AWS::S3::Bucket`` creates and deletes the bucket's folder, as S3's own calls do."""
    s3 = provisioners._s3
    handlers = provisioners._RESOURCE_HANDLERS["AWS::S3::Bucket"]
    create, update, delete = handlers["create"], handlers["update"], handlers["delete"]

    def kept(name) -> None:
        if s3.S3_PERSIST and isinstance(name, str) and name:
            from ministack.core.responses import get_account_id

            os.makedirs(os.path.join(s3.DATA_DIR, get_account_id(), name), exist_ok=True)

    def create_bucket(logical_id, props, stack_name):
        answer = create(logical_id, props, stack_name)
        kept(answer[0] if isinstance(answer, tuple) else None)
        return answer

    def update_bucket(physical_id, old_props, new_props, stack_name):
        answer = update(physical_id, old_props, new_props, stack_name)
        kept(answer[0] if isinstance(answer, tuple) else None)
        return answer

    def delete_bucket(physical_id, props):
        answer = delete(physical_id, props)
        s3._delete_persisted_bucket(physical_id)
        return answer

    handlers.update(create=create_bucket, update=update_bucket, delete=delete_bucket)


def clamp_stream_positions(svc) -> int:
    """Move every DynamoDB Streams mapping's position that lies past its stream's end back to the end;
    how many moved."""
    from ministack.core.arn import ArnParseError, parse_arn
    from ministack.services import dynamodb as ddb

    moved = 0
    for scoped_key, esm in list(svc._esms._data.items()):
        if len(scoped_key) != 3:
            continue
        account, region, _key = scoped_key
        esm_id = esm.get("UUID")
        try:
            spec = parse_arn(esm.get("EventSourceArn", ""))
        except ArnParseError:
            continue
        if spec.service != "dynamodb" or esm_id is None:
            continue
        table = svc._dynamodb_stream_table_from_arn_spec(spec)
        if table is None:
            continue
        with svc._dynamodb_stream_positions_lock:
            position = svc._dynamodb_stream_positions.get_scoped(account, region, esm_id)
            if position is None:
                continue
            end = ddb.stream_end_position(table[0], account_id=account, region=region)
            if position > end:
                svc._dynamodb_stream_positions.set_scoped(account, region, esm_id, end)
                moved += 1
    return moved


def patch_stream_poller(svc) -> None:
    """Before each pass over DynamoDB streams, bring back a position that a restart left past the end."""
    poll = svc._poll_dynamodb_streams

    def _poll_dynamodb_streams():
        try:
            clamp_stream_positions(svc)
        except Exception:  # as ministack's own poller: one bad record never stops the others
            logger.exception("checking DynamoDB Streams positions failed")
        return poll()

    svc._poll_dynamodb_streams = _poll_dynamodb_streams
