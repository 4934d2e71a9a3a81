"""Every request a kit client sends goes to the local emulator, even with a real-looking AWS setup."""

import pytest

from reference_app.lab import clients


@pytest.mark.parametrize("service", ["lambda", "s3", "dynamodb", "sqs", "sts"])
def test_every_request_goes_to_the_local_endpoint(backend, real_looking_env, service):
    sent = []
    c = clients.client(service, backend)
    c.meta.events.register("before-send", lambda request, **_: sent.append(request.url))
    {
        "lambda": lambda: c.list_functions(),
        "s3": lambda: c.list_buckets(),
        "dynamodb": lambda: c.list_tables(),
        "sqs": lambda: c.list_queues(),
        "sts": lambda: c.get_caller_identity(),
    }[service]()
    assert sent and all(url.startswith(backend.endpoint) for url in sent)
