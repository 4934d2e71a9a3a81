"""One emulator shared by a room: two learners, each in an account of their own.

GIVEN Ada and Bob on the room's emulator (a URL backend), WHEN both deploy the same handler
with the same resource names, THEN each sees only their own, each one's API answers over
plain HTTP, and Ada's reset deletes Ada's resources and nothing of Bob's.
"""

import pytest

from reference_app import lab
from reference_app.lab import config
from reference_app.lab.errors import LabError


def _inventory():
    return {
        "functions": sorted(f["FunctionName"] for f in lab.client("lambda").list_functions()["Functions"]),
        "tables": sorted(lab.client("dynamodb").list_tables()["TableNames"]),
        "buckets": sorted(b["Name"] for b in lab.client("s3").list_buckets()["Buckets"]),
        "queues": sorted(u.rsplit("/", 1)[1] for u in lab.client("sqs").list_queues().get("QueueUrls", [])),
    }


def _deploy_everything(name: str):
    from reference_app.lab.reference_deploys import ensure_queue

    dep = lab.deploy_handler("users_api")
    url = lab.rest_api("users", dep.arn)
    lab.client("s3").create_bucket(Bucket="lab-room-uploads")  # the same bucket name for both learners
    lab.client("s3").put_object(Bucket="lab-room-uploads", Key="owner.txt", Body=name.encode())
    ensure_queue("lab-room-jobs")
    created = lab.http_call(url + "users", "POST", {"user_id": name, "name": name.title(), "email": f"{name}@x.org"})
    return dep, url, created


def test_two_learners_share_an_emulator_without_seeing_each_other(learners, monkeypatch):
    ada, bob = learners["ada"], learners["bob"]
    with ada.acting(monkeypatch):
        ada_account = config.account_id(lab.resolve_backend())
        ada_dep, ada_url, ada_created = _deploy_everything("ada")
    with bob.acting(monkeypatch):
        bob_account = config.account_id(lab.resolve_backend())
        bob_dep, bob_url, bob_created = _deploy_everything("bob")

    # Each learner works in an account of their own, in every ARN the kit makes.
    assert ada_account != bob_account and "000000000000" not in (ada_account, bob_account)
    assert f":{ada_account}:" in ada_dep.arn and f":{bob_account}:" in bob_dep.arn
    # The invoke URL of each learner's API answers over plain HTTP, as on AWS.
    assert ada_created.status == 201 and bob_created.status == 201

    with ada.acting(monkeypatch):
        mine = _inventory()
        assert mine["functions"] == ["lab-users-api"] and mine["buckets"] == ["lab-room-uploads"]
        assert lab.client("s3").get_object(Bucket="lab-room-uploads", Key="owner.txt")["Body"].read() == b"ada"
        users = lab.http_call(ada_url + "users/bob")
        assert users.status == 404  # Bob's user lives in Bob's table
        with pytest.raises(Exception, match="AccessDenied"):
            lab.client("lambda").get_function(FunctionName=bob_dep.arn)  # not even by Bob's ARN
        said = lab.reset()
        assert f"account {ada_account}" in said and "nobody else's were touched" in said
        assert _inventory() == {"functions": [], "tables": [], "buckets": [], "queues": []}

    with bob.acting(monkeypatch):
        assert _inventory() == {
            "functions": ["lab-users-api"],
            "tables": ["lab-users"],
            "buckets": ["lab-room-uploads"],
            "queues": ["lab-room-jobs"],
        }
        assert lab.client("s3").get_object(Bucket="lab-room-uploads", Key="owner.txt")["Body"].read() == b"bob"
        assert lab.http_call(bob_url + "users/bob").status == 200
        lab.reset()


def test_a_learners_check_runs_on_the_shared_emulator_in_their_account(learners, monkeypatch):
    ada = learners["ada"]
    with ada.acting(monkeypatch):
        report = lab.check("handler-validation")
        assert report.passed, str(report)
        names = [f["FunctionName"] for f in lab.client("lambda").list_functions()["Functions"]]
        assert names and all(n.startswith("lab-ex-") for n in names)
        lab.reset()


def test_the_shared_emulator_is_never_reset_whole(learners, monkeypatch):
    from reference_app.lab import net

    posted = []
    monkeypatch.setattr(net, "post", lambda url, timeout=30.0: posted.append(url))
    with learners["ada"].acting(monkeypatch):
        lab.reset()
    assert posted == []  # /_ministack/reset would delete every learner's resources


def test_a_bad_account_override_is_one_sentence(learners, monkeypatch):
    with learners["ada"].acting(monkeypatch):
        monkeypatch.setenv("LAMBDA_LAB_ACCOUNT", "000000000000")
        with pytest.raises(LabError, match="LAMBDA_LAB_ACCOUNT must be 12 digits"):
            lab.client("lambda")
