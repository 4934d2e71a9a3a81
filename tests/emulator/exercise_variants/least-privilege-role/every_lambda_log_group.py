# WRONG VARIANT (logs on every Lambda log group): the grader must fail it.
"""Exercise least-privilege-role (06_security): cut an over-broad execution role down to its function's job.

``policy()`` below is the execution role of the kit's users API (``users_api``: POST, GET and
DELETE one user, GET the list), as it was pasted in from a tutorial. The function works with it.
That is the problem: it also lets the function, or anyone who gets its credentials through a
bug, delete every table in the account, read every other table and write any log group.

Break and debug: ``lab.try_exercise("least-privilege-role")`` deploys a probe function with this
role on the emulator that enforces IAM and shows what the role lets it do. Then cut the policy
down to exactly what the users API calls, on its own table, plus the writes Lambda makes to the
function's own log group. The checks run the policy check (no wildcard may remain), then deploy
the users API with your role, drive it through a function URL (every route must still work) and
have the probe try everything else (each call must be AccessDenied):
``lab.check("least-privilege-role")``.
"""

from __future__ import annotations


def policy(table_arn: str, log_group_arn: str) -> dict:
    """The execution role's policy for the users API, whose table is ``table_arn`` and whose log
    group is ``log_group_arn`` (``arn:aws:logs:<region>:<account>:log-group:/aws/lambda/<function>``)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                # What users_api calls (reference_app/handlers/users_api.py): get_item, put_item with a
                # condition (still PutItem), delete_item, scan. No UpdateItem, no Query, no other table.
                "Sid": "UsersTable",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Scan"],
                "Resource": table_arn,
            },
            {
                # Lambda writes the function's logs with the role: its own log group's streams only.
                "Sid": "OwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/*",
            },
        ],
    }
