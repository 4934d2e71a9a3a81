"""What an S3 notification and an HTTP request look like when they arrive: object keys as the event encodes them,
and API Gateway's payload formats 1.0 and 2.0 side by side.
"""

from __future__ import annotations

import json
from urllib.parse import unquote, unquote_plus

from .arrivals import records


def s3_keys(uploaded: list[str], events: list[dict]):
    """Each uploaded key next to the key its event carried, and what decoding gives back."""
    import pandas as pd

    in_events = [r["s3"]["object"]["key"] for r in records(events)]
    rows = []
    for key in uploaded:
        match = next((k for k in in_events if unquote_plus(k) == key), None)
        rows.append(
            {
                "uploaded": key,
                "key in the event": match,
                "unquote_plus": unquote_plus(match) if match is not None else None,
                "unquote": unquote(match) if match is not None else None,
            }
        )
    return pd.DataFrame(rows).set_index("uploaded")


def http_events(events: list[dict]):
    """API Gateway REST (1.0) and HTTP API / function URL (2.0) events side by side."""
    import pandas as pd

    rows = []
    for e in events:
        v2 = e.get("version") == "2.0"
        rows.append(
            {
                "payload format": "2.0" if v2 else "1.0",
                "method": e["requestContext"]["http"]["method"] if v2 else e["httpMethod"],
                "path": e["rawPath"] if v2 else e["path"],
                "route": e.get("routeKey") if v2 else e.get("resource"),
                "query": json.dumps(e.get("queryStringParameters")),
                "top-level keys": ", ".join(sorted(e)),
            }
        )
    return pd.DataFrame(rows)
