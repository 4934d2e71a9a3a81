# %% [markdown]
# # 06 · Security
#
# A function is as safe as three things around it: what its **execution role** lets its code do,
# who its **resource-based policy** lets call it, and what it lets slip out (secrets in its
# configuration, exception text in its answers, `*` in its CORS headers). The lab's emulator checks
# neither policy, so this notebook starts a second one that does: every call is signed and evaluated
# against IAM policies, as on AWS. On it you will cut the seed's policies to least privilege and
# watch the denials happen from inside a function, read secrets the right way, and lock a function
# URL down.

# %%
from reference_app import lab
from reference_app.lab import policy_check
from reference_app.lab.lesson_helpers import security
from reference_app.lab.lesson_helpers import security_resources as res
from reference_app.lab.lesson_helpers import seed_security as seed

lab.start_lesson("06_security")

# %% [markdown]
# ## 1. Two policies, and an emulator that checks them
#
# ```mermaid
# flowchart LR
#   caller([a user, S3, API Gateway, a browser]) -- "resource-based policy:<br/>who may invoke" --> fn[function]
#   fn -- "execution role:<br/>what its code may do" --> table[(DynamoDB table)]
#   fn -- execution role --> logs[CloudWatch Logs]
#   fn -- execution role --> sm[Secrets Manager]
# ```
#
# Lambda assumes the **execution role** for the function: the code gets the role's temporary
# credentials, and each AWS call it makes is allowed or denied by the role's policies
# ([execution role](https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html)).
# The **resource-based policy** on the function names who may invoke it
# ([resource-based policies](https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html)).
#
# The lab's emulator stores both and enforces neither: every other lesson deploys with the kit's
# default role, which grants nothing, and it all works.

# %%
lab.fidelity("permissions")

# %% [markdown]
# ministack evaluates IAM only when it is started with `AUTH=true`, and it reads that once, at start,
# for every request it will serve. Turned on for the lab's emulator, it would break every other
# lesson. So this lesson starts a **second emulator** with it, on another port (the lab's port + 1000,
# or `LAMBDA_LAB_ENFORCING_PORT`), through the kit's own start (loopback only, its own folder, nothing
# of your AWS setup), keeping nothing, and stops it at the end (section 10). Running the cell again
# finds it running.

# %%
enforcing = security.enforcing_emulator()
assert security.enforces(lab.require(enforcing))
enforcing

# %% [markdown]
# **Now every call needs real credentials.** Who is calling?
#
# * The kit's clients sign with the access key `test`: the emulator takes it as the account's
#   **root** user, which, as on AWS, is allowed everything. That is how the kit still creates tables,
#   roles and functions here.
# * An **IAM user** created in this emulator gets an access key; a request signed with it is checked,
#   the signature against the key's secret, then the action against the user's policies.
# * A **function** runs with temporary credentials for its execution role (an
#   `assumed-role/<role>/<function>` session), so its own calls are evaluated against the role.

# %%
caller = security.ensure_user("lab-06-caller", None, enforcing)
who = security.identities(enforcing, caller)
assert who.iloc[0, 0].endswith(":root") and who.iloc[1, 0].endswith(":user/lab-06-caller")
who

# %% [markdown]
# A user whose policies allow nothing is refused everything, even listing tables:

# %%
refused = security.denied(lambda: caller.client("dynamodb", enforcing).list_tables())
assert refused == "AccessDeniedException"
refused

# %% [markdown]
# ## 2. What the seed's policies grant, and what its code uses
#
# The seed gives its create-user function three policies: in its CloudFormation template (kept
# verbatim in `reference_app/iac/seed/`), in its Terraform, and in its "security best practices"
# snippet, named `LeastPrivilegeAccess`. Its code makes one AWS call; reading the code for boto3
# calls finds it:

# %%
used = seed.actions_called(seed.seed_code())
assert used == {"dynamodb:PutItem"}
used

# %% [markdown]
# Every action each policy grants, and who needs it:

# %%
granted = seed.granted_and_used()
nobody = granted[granted["who needs it"] == "nobody"]
assert len(nobody) == 11 and "dynamodb:PutItem" not in set(nobody["action"])
granted

# %% [markdown]
# Eleven grants nobody needs. `DynamoDBAccess` (template and Terraform) adds `GetItem`, `UpdateItem`,
# `DeleteItem`, `Query` and `Scan`: a bug or an injection in this function could read, change or
# delete every user. The snippet called **least privilege** still grants `GetItem`. The Terraform
# writes logs on `arn:aws:logs:*:*:*`, every log group in every account and Region. The template
# attaches `AWSLambdaBasicExecutionRole`, whose three log actions are on `*`
# ([its document](https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html)):
# convenient, and broader than one function needs.
#
# Least privilege is the one call on the one table, plus the two writes Lambda makes with the role for
# the function's logs ([required permissions](https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html)),
# on its own log group. `CreateLogGroup` is not needed when the stack creates the group, as lesson 03's
# template does. A conditional put (`attribute_not_exists`) is still `PutItem`
# ([DynamoDB actions](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/api-permissions-reference.html)).

# %%
users_arn = res.table(enforcing, "users", "lab-06-users")
least = seed.create_user_policy(users_arn, "lab-06-seed")
least

# %% [markdown]
# ### A policy check, in CI
#
# `lab.policy_check` reads policies and templates as a reviewer would. It flags wildcard actions and
# resources, `iam:PassRole` on `*`, `Principal: "*"` without a condition, CORS `*`, and a secret in a
# plain environment variable. It finds nothing in the policy above. Run over everything the kit ships
# (as `tests/unit/test_policy_check.py` does in CI), it finds nothing in the kit's templates, functions,
# lessons, solutions and lab code; the seed's verbatim files keep their four findings, asserted there
# rather than fixed.
# Managed policies are listed as notes: what attaching one grants.

# %% tags=["proof-policy-check"]
assert policy_check.check_policy(least) == []
shipped = policy_check.shipped()
assert len(shipped.findings) == 4 and all(policy_check.is_seed(f) for f in shipped.findings)
shipped.table()

# %% [markdown]
# ## 3. Least privilege, proven with enforcement on
#
# Two roles for the same function: the template's `DynamoDBAccess` and the least-privilege policy.
# IAM's policy simulator (`iam:SimulatePrincipalPolicy`, what
# [`aws iam simulate-principal-policy`](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html)
# calls) evaluates a role's policies without running anything:

# %%
seed_policy = seed.seed_policy("lambda-function.yaml DynamoDBAccess", users_arn)
seed_role = security.ensure_role("lab-06-seed-role", seed_policy, enforcing)
least_role = security.ensure_role("lab-06-create-user", least, enforcing)

# %%
roles = {"seed": seed_role, "least privilege": least_role}
simulated = res.simulate(roles, seed.DYNAMODB_ACTIONS, users_arn, enforcing)
assert (simulated["seed"] == "allowed").all()
assert list(simulated.index[simulated["least privilege"] == "allowed"]) == ["dynamodb:PutItem"]
simulated

# %% [markdown]
# Now for real. The seed's code, byte for byte from its template, deployed as the seed configures it
# (a plain `ENCRYPTION_KEY` variable, `KmsKeyArn` set) and as the kit deploys everything: with the
# kit's default role, which grants nothing. A POST through a function URL:

# %%
key_arn = res.kms_key(enforcing)
seed.deploy_seed(security.default_role(enforcing), enforcing, key_arn)
seed_url = lab.function_url("lab-06-seed", backend=enforcing)

# %%
leaked = lab.http_call(seed_url, "POST", {"user_id": "ada", "name": "Ada", "email": "ada@example.com"})
assert leaked.status == 500 and "not authorized to perform: dynamodb:PutItem" in leaked.body
leaked.json()

# %% [markdown]
# The function ran with the role's credentials and DynamoDB refused the write: with enforcement on, a
# role that grants nothing lets the code do nothing. Note what the seed's `except Exception` handed the
# caller, though: the account id, the role's name, the function's name and the action it lacks
# (section 4). With the least-privilege role (a role change is deployed with a configuration update,
# as [AWS advises](https://docs.aws.amazon.com/lambda/latest/dg/permissions-executionrole-update.html),
# so no warm environment keeps the old credentials):

# %%
seed.deploy_seed(least_role, enforcing, key_arn)
created = lab.http_call(seed_url, "POST", {"user_id": "ada", "name": "Ada", "email": "ada@example.com"})
assert created.status == 200, created.body
created.json()

# %% [markdown]
# The same role on a function whose job is wider: the kit's `users_api` (lesson 02) creates, reads,
# lists and deletes users. With the create-user role it can create one, and from inside the function
# DynamoDB refuses everything else:

# %%
security.deploy_with_role(
    "lab-06-users",
    "reference_app.handlers.users_api",
    least_role,
    enforcing,
    environment={"USERS_TABLE": "lab-06-users"},
)
users_url = lab.function_url("lab-06-users", backend=enforcing) + "users"

# %% tags=["proof-least-privilege"]
import time

since = int(time.time() * 1000)
posted = lab.http_call(users_url, "POST", {"user_id": "grace", "name": "Grace", "email": "grace@example.com"})
listed = lab.http_call(users_url)
denials = res.denials("lab-06-users", since, enforcing)
assert (posted.status, listed.status) == (201, 500) and "dynamodb:Scan" in denials[0]
denials

# %% [markdown]
# `PutItem` allowed, `Scan` denied: the role allows exactly the create-user job, and the denial is
# in the function's log, not in its answer. Giving `users_api` its own four actions is exercise 1.
#
# ## 4. Errors that leak nothing
#
# Two functions, the same AccessDenied from DynamoDB, two different answers:

# %% tags=["proof-error-leak"]
import pandas as pd

answers = pd.DataFrame(
    {"status": [leaked.status, listed.status], "body": [leaked.body, listed.body]},
    index=["the seed: except Exception -> str(e)", "the kit's users_api"],
)
assert "assumed-role/lambda-lab-execution" in leaked.body and "assumed-role" not in listed.body
answers

# %% [markdown]
# The seed's handler returns `str(e)`: the 12-digit account id, the role and function names, the
# table's existence and the exact permission it lacks. That is a map for an attacker, and it turns
# every bug into an information leak. `users_api` translates errors once, at the edge: the caller
# gets `{"error": "internal server error"}` and the detail, with the request id, goes to the log
# above, where only operators read it. The seed's own error-handling snippet gets it right (generic
# 500, detail logged); its template's code does not.
#
# On AWS, an *unhandled* exception behind a function URL or API Gateway becomes a generic error (502
# from a function URL or a REST API, 500 from an HTTP API:
# [API Gateway errors](https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html),
# [HTTP API integrations](https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html),
# [function URL invocation](https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html); the
# emulator passes the error text through, `proxy-error-detail`); a `str(e)` that the function
# *returns* reaches the caller everywhere.
#
# ## 5. Function URLs: AuthType NONE or AWS_IAM
#
# `users_api`'s URL above was created with `AuthType NONE`: Lambda authenticates nobody, and on AWS
# the function's resource-based policy must still grant public access with both
# `lambda:InvokeFunctionUrl` and `lambda:InvokeFunction` (new URLs since October 2025; the exception
# for older URLs ended on 1 November 2026)
# ([access control for function URLs](https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html)).
# `lab.function_url` adds the two statements. Each says `Principal: "*"`, limited by a condition
# (`lambda:FunctionUrlAuthType`, `lambda:InvokedViaFunctionUrl`), which is why the policy check does
# not flag them:

# %%
statements = res.resource_policy("lab-06-users", enforcing)
assert len(statements) == 2 and (statements["Principal"] == '"*"').all() and (statements["Condition"] != "{}").all()
statements

# %% [markdown]
# With `AuthType AWS_IAM`, only SigV4-signed requests are accepted, from principals whose policies
# allow both actions on this function ([invoking a function URL](https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html)).
# The kit removes the public statements. `lab-06-caller` gets exactly that permission;
# `lab-06-viewer` may only read the seed function's configuration:

# %%
users_url = lab.function_url("lab-06-users", auth_type="AWS_IAM", backend=enforcing) + "users"
caller = security.ensure_user("lab-06-caller", res.invoke_url_policy("lab-06-users", enforcing), enforcing)
viewer = security.ensure_user("lab-06-viewer", res.viewer_policy("lab-06-seed", enforcing), enforcing)

# %% tags=["proof-function-url-auth"]
user = {"user_id": "linus", "name": "Linus", "email": "linus@example.com"}
calls = res.url_calls(
    {
        "unsigned": lambda: lab.http_call(users_url, "POST", user),
        "signed by lab-06-viewer": lambda: security.signed_call(users_url, viewer, "POST", user),
        "signed by lab-06-caller": lambda: security.signed_call(users_url, caller, "POST", user),
    }
)
assert calls["status"].tolist() == [403, 403, 201]
calls

# %% [markdown]
# Unsigned: refused before the function runs. Signed by a user the policy does not allow: refused.
# Signed by `lab-06-caller`: the function ran. On the emulator two things are looser than on AWS, and
# the table in section 8 lists them: a NONE URL is served even without the public statements, and an
# AWS_IAM caller needs only `lambda:InvokeFunctionUrl` there. The kit grants what AWS needs either way.
#
# Pick the auth type deliberately: `AWS_IAM` for service-to-service calls and internal tools (callers
# sign with their role's credentials); `NONE` only when the function authenticates the request itself,
# as a webhook verifying a signature does (exercise 2). For user-facing APIs with authorizers,
# throttling per client and custom domains, API Gateway is the better front door
# ([function URLs or API Gateway](https://docs.aws.amazon.com/lambda/latest/dg/furls-http-invoke-decision.html)).
#
# ## 6. CORS, chosen deliberately
#
# CORS is the browser's rule for which *other* websites' scripts may read an answer; it is not
# authentication (curl ignores it). The seed answers `Access-Control-Allow-Origin: *` from every
# response: any website may read them. A function URL has a `Cors` configuration that Lambda applies,
# preflight included ([Cors](https://docs.aws.amazon.com/lambda/latest/api/API_Cors.html); `MaxAge`
# up to 86,400 s, 0 by default). Allow the one front end that calls it:

# %%
users_url = lab.function_url("lab-06-users", auth_type="AWS_IAM", cors=res.CORS, backend=enforcing) + "users"
res.CORS

# %% tags=["proof-cors"]
allowed, refused = res.preflight(users_url, "https://app.example.com"), res.preflight(users_url, "https://evil.example")
assert res.cors_headers(allowed)["Access-Control-Allow-Origin"] == "https://app.example.com"
assert "Access-Control-Allow-Origin" not in res.cors_headers(refused)
pd.DataFrame({"https://app.example.com": res.cors_headers(allowed), "https://evil.example": res.cors_headers(refused)})

# %% [markdown]
# The listed origin gets its own name back (with `Vary: Origin`, so caches keep one answer per origin);
# any other origin gets no CORS header, and its browser refuses to hand the answer to its script.
#
# **Never `*` with credentials.** `AllowCredentials: true` lets a browser send cookies or an
# `Authorization` header along; the Fetch standard forbids pairing it with `Access-Control-Allow-Origin: *`
# ([CORS protocol and credentials](https://fetch.spec.whatwg.org/#cors-protocol-and-credentials)), so a
# browser refuses such an answer. Allow credentials only with explicit origins, `*` only for public,
# anonymous data; the policy check flags a `*` origin in templates and code (the seed's three).
#
# ## 7. Secrets: not in plain environment variables
#
# The seed's security snippet keeps `ENCRYPTION_KEY` in an environment variable and sets `KmsKeyArn`,
# as if that protected it. `lab-06-viewer` may do one thing, `lambda:GetFunctionConfiguration`:

# %% tags=["proof-env-visible"]
conf = viewer.client("lambda", enforcing).get_function_configuration(FunctionName="lab-06-seed")
assert conf["Environment"]["Variables"]["ENCRYPTION_KEY"] == seed.DEMO_ENCRYPTION_KEY and conf["KMSKeyArn"] == key_arn
security.masked(conf)

# %% [markdown]
# The viewer reads the value in plain text. Lambda always encrypts environment variables **at rest**
# (`KmsKeyArn` picks a customer managed key instead of the AWS managed one); whoever may read the
# configuration still gets them decrypted. With a customer managed key, AWS shows them only to users
# who may use the key ([securing environment variables](https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html));
# the emulator does not check that (section 8). Either way, a variable is no place for a secret:
# every deployment tool, console user and `get-function-configuration` sees it, it does not rotate,
# and printed in a notebook it is saved in the `.ipynb` file, and from there in git. This cell asserts
# the value and shows it masked; `print(conf)` would have published it.
#
# The seed's corrected version keeps the **name** of a secret in the configuration and reads the
# value at run time. `secrets_reader` reads a database password from Secrets Manager and an API token
# from Parameter Store (a `SecureString`, encrypted with the same key) through Powertools' parameters
# utility, which keeps each value in memory for `max_age` seconds:

# %%
lab.show_source("secrets_reader")

# %% [markdown]
# Its role may read that one secret, that one parameter, and decrypt with that one key (AWS requires
# `kms:Decrypt` for a customer managed key; the emulator would pass without it):

# %%
secret_arn = res.secret(enforcing, "lab-06/db-password", res.DEMO_DB_PASSWORD, key_arn)
parameter_arn = res.secure_parameter(enforcing, "/lab-06/api-token", res.DEMO_API_TOKEN, key_arn)
secrets_policy = seed.secrets_policy(secret_arn, parameter_arn, key_arn, "lab-06-secrets")
secrets_policy

# %%
secrets_role = security.ensure_role("lab-06-secrets", secrets_policy, enforcing)
names = {"DB_SECRET_ID": "lab-06/db-password", "API_TOKEN_PARAMETER": "/lab-06/api-token"}
secrets_fn = security.deploy_with_role(
    "lab-06-secrets", "reference_app.handlers.secrets_reader", secrets_role, enforcing, environment=names
)

# %% tags=["proof-secrets"]
if secrets_fn.action == "unchanged":  # a re-run of the cell: start from a new environment
    lab.force_cold_start("lab-06-secrets", enforcing)
runs = [lab.invoke("lab-06-secrets", {}, enforcing) for _ in range(3)]
assert [r.payload["cold_start"] for r in runs] == [True, False, False]
assert all(r.payload["calls"] == {"secretsmanager:GetSecretValue": 1, "ssm:GetParameter": 1} for r in runs)
assert not any(v in str(r.payload) + r.log_tail for r in runs for v in (res.DEMO_DB_PASSWORD, res.DEMO_API_TOKEN))
pd.DataFrame([r.payload for r in runs], index=["invoke 1", "invoke 2", "invoke 3"])

# %% [markdown]
# One call to each service for three invocations: the first (cold) one fetched both values, the warm
# ones found them in memory. Neither value is in the answers or the log. The cache lives in the
# execution environment, so each new environment (a cold start, a scale-out, an update) fetches once
# more: with 50 concurrent environments, that is 50 reads per `max_age`, not one.
#
# AWS recommends the **AWS Parameters and Secrets Lambda extension** for the same job: a local HTTP
# cache that keeps values for 300 seconds and up to 1,000 of them by default
# ([secrets in Lambda functions](https://docs.aws.amazon.com/lambda/latest/dg/with-secrets-manager.html)).
# Powertools caches in the function's own memory; its default `max_age` is 300 s in the version the
# kit installs (3.37; it was 5 s in version 2,
# [parameters](https://docs.powertools.aws.dev/lambda/python/latest/utilities/parameters/)), and
# `secrets_reader` sets it explicitly rather than relying on a default that has changed before. Either cache trades freshness for cost and speed: after a
# **rotation**, a warm environment keeps the old value until `max_age` passes. Rotate with a strategy
# that keeps the previous credential valid for a while (alternating users), keep the TTL shorter than
# that window, and on an authentication error fetch once more before failing
# ([rotation](https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html)).
#
# ## 8. Where this emulator's IAM differs from AWS's
#
# The enforcing emulator evaluates identity policies, resource policies of several services, KMS key
# policies and permission boundaries, and verifies signatures. Where it differs from AWS, as found
# while writing this lesson:

# %%
iam_rows = lab.fidelity("iam")
assert {"iam-url-public-policy", "iam-condition-keys", "iam-kms-through-services"} <= set(iam_rows.index)
iam_rows

# %% [markdown]
# The ones that make the emulator *more permissive* than AWS (logs, NONE URLs, service principals,
# KMS through services, a trust policy, `ForAllValues` on a missing key) are why a green run here
# does not prove a policy on AWS: the policy check and the simulator catch some of it before a deploy,
# a test account the rest. The ones that make it *stricter* (`aws:SecureTransport` is false on plain
# HTTP) are why the lesson's policies use no conditions.
#
# ## 9. Exercises
#
# **Cut an over-broad role** (`exercises/06_security/users_role.py`, break and debug). The role of
# the users API as pasted from a tutorial: `dynamodb:*` on `*`, logs on `arn:aws:logs:*:*:*`. The
# function works with it, which is the problem. First see what a function holding it can do: a probe
# function, deployed with the role on the enforcing emulator, tries calls that `users_api` never makes.

# %%
lab.try_exercise("least-privilege-role")

# %% [markdown]
# With the exercise as shipped, every DynamoDB and logs call is allowed: the probe scanned and deleted
# a table that is not its own and created a log group (only S3, which the policy does not mention, is
# refused). Cut the policy to the users API's four actions on its table and the log writes on its
# own log group, then check: the policy check must find nothing, the users API must answer every
# route through its URL with your role, and the probe must be refused everything else.

# %%
lab.check("least-privilege-role")

# %% [markdown]
# **Verify a webhook with a secret** (`exercises/06_security/webhook.py`, fill in). A payment
# provider signs each body with a key you share; the function accepts a correct signature and refuses
# anything else, reading the key from Secrets Manager once per environment and never letting it out.
# The checks run it under moto, then deploy it on the enforcing emulator with a role that may read
# that one secret, behind a public URL (the signature is the authentication), and rotate the secret
# under it.

# %%
lab.check("webhook-secret")

# %% [markdown]
# ## 10. Stop the enforcing emulator
#
# It keeps nothing: the next run of this notebook starts a fresh one. (It also stops when this kernel
# exits.)

# %%
print(security.stop_enforcing())
assert lab.status(enforcing).healthy is False

# %% [markdown]
# ## 11. Recap
#
# - Two policies: the **execution role** says what the function's code may do, the **resource-based
#   policy** who may invoke it. The lab's emulator checks neither; the enforcing one (`AUTH=true`)
#   checks both, and every call needs credentials: the kit signs as the account root, users with their
#   keys, functions with their role's session.
# - The seed's policies grant eleven things its code never uses; least privilege is `dynamodb:PutItem`
#   on one table and log writes on the function's own log group, proven live: allowed inside the
#   function, `Scan` denied.
# - A policy check in CI catches wildcards, `PassRole` on `*`, public principals, CORS `*` and secrets
#   in variables before anything is deployed; the simulator and a denial test prove the rest.
# - Never return `str(e)`: the seed's answer carried the account id, the role and the missing
#   permission. Answer generically, log the detail.
# - Function URLs: `AWS_IAM` (signed callers with `InvokeFunctionUrl` and `InvokeFunction`) unless the
#   function authenticates requests itself; CORS lists real origins, never `*` with credentials.
# - Secrets live in Secrets Manager or Parameter Store, read at run time and cached (the extension or
#   Powertools); environment variables, logs and notebook outputs are readable by far more people.

# %%
lab.quiz("06_security")

# %% [markdown]
# ### The seed's interview question this lesson answers
#
# **"How do you secure Lambda functions?"** The seed answers "IAM roles with least privilege, VPC
# configuration, environment variables encryption, input validation". Corrected for today:
#
# - **Least privilege, per function**: one execution role per function with only the actions its code
#   calls on only its resources (the seed's own roles grant five to eleven extra), checked in CI and
#   generated or trimmed from real use with IAM Access Analyzer
#   ([policy generation](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html)).
# - **Tight resource-based policies**: each service grant scoped with `SourceArn`/`SourceAccount`;
#   function URLs with `AWS_IAM` unless public on purpose.
# - **Secrets in Secrets Manager or Parameter Store**, cached, not in environment variables. The seed's
#   "environment variables encryption" is always on: it protects at rest, not from anyone who can read
#   the configuration, and its own snippet puts `ENCRYPTION_KEY` there.
# - **VPC only to reach private resources.** It is not a security control in itself, and a function in
#   a VPC needs a NAT gateway or VPC endpoints to reach the internet or AWS APIs
#   ([VPC](https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html)).
# - **Input validated at the edge, errors that say nothing**, CORS limited to real origins, logs without
#   secrets, current runtimes, and code signing for what you deploy
#   ([code signing](https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html)).
