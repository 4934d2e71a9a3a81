# %% [markdown]
# # 03 · Infrastructure as code
#
# A function is never alone: it has a role, a log group, a table, an API in front of it. Writing
# those down as a template, and deploying the template as one **stack**, is what makes them
# reviewable, repeatable and deletable. This notebook takes the seed's CloudFormation template,
# lints it, reviews what no linter sees, deploys a corrected version on the emulator, updates it
# with new code, deletes it and proves nothing is left. Then the same application with AWS SAM and
# with Terraform, and a comparison of the four tools you will meet.

# %%
from reference_app import lab
from reference_app.lab import iac, terraform
from reference_app.lab.lesson_helpers import seed_iac as seed

lab.start_lesson("03_infrastructure_as_code")

# %% [markdown]
# ## 1. Lint the seed's template as written
#
# The seed's `lambda-function.yaml` is kept byte for byte in
# `reference_app/iac/seed/`. [cfn-lint](https://github.com/aws-cloudformation/cfn-lint)
# is the linter AWS maintains: it checks a template against the CloudFormation resource
# specification (every property of every type) and a set of rules. First, the template as the seed wrote it:

# %% tags=["proof-seed-does-not-parse"]
findings = iac.lint(seed.template())
assert findings.rules == ["E0000"]
findings

# %% [markdown]
# **E0000** is not a style remark: the template does not parse as a CloudFormation template. The
# seed writes the top-level key `Parameters` twice (line 5 and line 249, where `NotificationEmail`
# was appended as an afterthought). YAML says mapping keys are unique; many parsers do not
# refuse a repeat, they silently keep the **last** one. PyYAML does, and then `Environment` and
# `FunctionName` are simply gone:

# %% tags=["proof-duplicate-key-dropped"]
keys, kept = seed.top_level_keys(seed.template()), seed.parameters_a_plain_parser_keeps(seed.template())
assert keys.count("Parameters") == 2 and kept == ["NotificationEmail"]
keys, kept

# %% [markdown]
# A linter stops at a parse error, so the rest of the template has not been looked at yet. Merge
# the two `Parameters` blocks (the smallest fix, nothing else changed) and lint again, first with
# the errors and warnings a CI gate uses, then with the informational rules too:

# %% tags=["proof-seed-lint-findings"]
merged = seed.merge_duplicate_sections(seed.template())
assert iac.lint(merged).rules == ["W2531"]
assert iac.lint(merged, informational=True).rules == ["I3011", "I3042", "W2531"]
iac.lint(merged, informational=True)

# %% [markdown]
# | rule | what it says | what to do |
# |---|---|---|
# | **W2531** | `python3.9` is deprecated: AWS stopped patching it on **15 December 2025**; creating, then updating, functions with it is blocked from the later dates in AWS's [runtime table](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html) (sources disagree on those dates and AWS has moved them before, so read the table, not a blog post) | `python3.13` (the kit's runtime) or `python3.14`, both supported until 2029 |
# | **I3011** | the table and the bucket hold data but have no `DeletionPolicy` / `UpdateReplacePolicy`: the default is to delete them with the stack, or on a replacement | decide: `Retain` or `Snapshot` for real data; the kit's stacks say `Delete` on purpose, so that deleting them leaves nothing |
# | **I3042** | `arn:aws:...` written by hand: wrong in the China and GovCloud partitions | `arn:${AWS::Partition}:...` |
#
# The seed's "best practices" snippets are fragments; put inside a minimal template, cfn-lint reads
# them too. The performance snippet uses **`ReservedConcurrencyLimit`, a property that does not
# exist**: CloudFormation's is `ReservedConcurrentExecutions`
# ([AWS::Lambda::Function](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-function.html)),
# and E3002 says so. The security snippet refers to five resources it never declares (E1019, E1020).

# %% tags=["proof-seed-snippets"]
performance, security = iac.lint(seed.snippet_template("performance")), iac.lint(seed.snippet_template("security"))
assert "E3002" in performance.rules and "ReservedConcurrencyLimit" in str(performance)
assert {"E1019", "E1020"} <= set(security.rules)
performance

# %% [markdown]
# ## 2. What no linter catches
#
# cfn-lint knows every property, type and reference; it does not know what your function does,
# in which order AWS checks things, or what a role lets a service do. A review finds the rest:

# %%
seed.review_table()

# %% [markdown]
# Two of these are proven on AWS only: S3's check of the notification's permission
# ([why the stack fails, and the fix](https://aws.amazon.com/premiumsupport/knowledge-center/unable-validate-circular-dependency-cloudformation/))
# and the stream mapping's permissions
# ([what the role needs](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-example-lamda-process-dynamodb-streams.html)).
# **The emulator checks neither**: the seed's stack creates here as written, which is exactly why a
# green stack on an emulator is not a review.

# %% tags=["proof-emulator-accepts-seed"]
seed_stack = seed.deploy_seed()
assert seed_stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
lab.fidelity("cloudformation")

# %% [markdown]
# The first row of the review, shown live: one POST, a second POST with the same `user_id`, and
# one upload under `uploads/`. Count the function's invocations in its log, then hand it an S3
# event directly and read its answer.

# %% tags=["proof-one-function-three-events"]
demo = seed.three_event_types(seed_stack)
assert demo.post_status == demo.second_post_status == 200  # the second POST overwrote the first user
assert demo.invocation_count >= 4  # 2 POSTs, the stream's batch(es) of those writes, the upload
assert demo.s3_answer["statusCode"] == 400
demo.invocation_count, demo.s3_answer["body"]

# %% [markdown]
# An S3 event answered with "Missing required fields" and a status code no one reads: the
# upload is lost without an error anywhere, and so is every stream record. The seed's stack
# goes away now:

# %%
assert seed.delete_seed()

# %% [markdown]
# ## 3. The corrected template
#
# `reference_app/iac/users-api.yaml` keeps the API and
# drops the rest (S3 and stream processing are separate functions, lesson 04). Its code is the
# kit's `users_api` handler as a real zip in S3, not inline code.
#
# ```mermaid
# flowchart LR
#   client([HTTP client]) --> api["Api: AWS::ApiGateway::RestApi<br/>/users, /users/#123;id#125; ANY"]
#   api --> stage[ApiStage: dev] --> dep[ApiDeployment<br/>DependsOn both methods]
#   api -- AWS_PROXY, allowed by ApiInvokePermission --> fn[UsersFunction<br/>python3.13, zip in S3]
#   fn -- GetItem PutItem DeleteItem Scan --> table[(UsersTable<br/>DeletionPolicy: Delete)]
#   fn --> logs[UsersLogGroup<br/>created first, 14 days]
#   role[UsersFunctionRole] -.assumed by.-> fn
# ```
#
# | seed | corrected |
# |---|---|
# | `Parameters` twice | once |
# | `python3.9` | `python3.13` |
# | inline `ZipFile` code that leaks `str(e)` | `Code: S3Bucket/S3Key`, the kit's import-checked zip |
# | one function for API, S3 and stream events | one function, one event type |
# | `arn:aws:` by hand | `arn:${AWS::Partition}:` |
# | log group in parallel with the function | function `DependsOn` the log group |
# | deployment with `StageName`, no redeploys | deployment waits for every method; explicit `AWS::ApiGateway::Stage` |
# | permission on `${ApiGateway}/*/*` | permission on this API's `/users` paths |
# | exports named `${Environment}-...` | no exports |

# %% tags=["proof-corrected-lints-clean"]
assert iac.lint("users-api.yaml").clean
assert iac.lint("users-api.yaml", informational=True).clean
iac.lint("users-api.yaml", informational=True)

# %% [markdown]
# `upload_code` builds the zip (import-checked in an isolated Python, as on Lambda) and puts it
# in an artifacts bucket under a key made from its digest. Same code, same key; new code, new key:
# that is how CloudFormation sees that the code changed.

# %%
STACK = "lab-03-users"
code = iac.upload_code("reference_app.handlers.users_api")
code

# %% tags=["proof-stack-create"]
stack = iac.deploy_stack(STACK, "users-api.yaml", code.parameters())
assert stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
stack.outputs

# %% [markdown]
# Run the same deploy again: CloudFormation answers "No updates are to be performed", and
# `deploy_stack` reports `unchanged`. That is what makes this notebook safe to re-run.

# %% tags=["proof-stack-idempotent"]
assert iac.deploy_stack(STACK, "users-api.yaml", code.parameters()).action == "unchanged"

# %% [markdown]
# The `ApiUrl` output is the address on AWS (`https://{id}.execute-api...`). The emulator serves
# the same API under a path on 127.0.0.1, built from the `ApiId` and `Stage` outputs. A user is
# created and read back through API Gateway, the function and the table:

# %% tags=["proof-api-end-to-end"]
import uuid

url, user_id = iac.api_url(stack.outputs), f"ada-{uuid.uuid4().hex[:6]}"
created = lab.http_call(url, "POST", {"user_id": user_id, "name": "Ada Lovelace", "email": "ada@example.com"})
assert created.status == 201 and lab.http_call(f"{url}/{user_id}").json()["name"] == "Ada Lovelace"
created.json()

# %% [markdown]
# ## 4. Update the stack with new code
#
# The same API rewritten with Powertools (`users_api_powertools`) is a new zip, so a new key and
# a new handler: a stack **update**. The API, its URL and the table stay; only the function changes.

# %% tags=["proof-stack-update-code"]
new_code = iac.upload_code("reference_app.handlers.users_api_powertools")
updated = iac.deploy_stack(STACK, "users-api.yaml", new_code.parameters())
assert updated.action == "updated" and updated.outputs["ApiUrl"] == stack.outputs["ApiUrl"]
handler = lab.client("lambda").get_function_configuration(FunctionName=updated.outputs["FunctionName"])["Handler"]
handler

# %% [markdown]
# The user created by the old code is still there (the table was not replaced), and the new code
# answers a duplicate in Powertools' own error shape:

# %% tags=["proof-update-kept-data"]
again = lab.http_call(url, "POST", {"user_id": user_id, "name": "Mallory", "email": "m@example.com"})
assert lab.http_call(f"{url}/{user_id}").json()["name"] == "Ada Lovelace" and again.status == 409
again.json()

# %% [markdown]
# ## 5. Delete the stack, and prove nothing is left
#
# Deleting a stack deletes what it created, in reverse order of dependencies. `leftovers` then
# asks each service about each resource the stack had: `False` is gone, `None` is a part of
# another resource (a method, a stage, a permission), gone with it.

# %% tags=["proof-stack-delete"]
had = iac.delete_stack(STACK)
left = iac.leftovers(had)
assert len(had) == 12 and not left["exists"].eq(True).any()
left

# %% [markdown]
# ## 6. The same application with AWS SAM
#
# [AWS SAM](https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html)
# is a CloudFormation **transform**: `Transform: AWS::Serverless-2016-10-31` at the top, and each
# `AWS::Serverless::Function` is expanded into the plain resources it stands for (the function, its
# role, the API's deployment and stage, one permission per event; see
# [what SAM generates](https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources-function.html)).
# `users-api-sam.yaml` is half the length of
# `users-api.yaml`. cfn-lint lints it, and `sam_translate` runs the same translator CloudFormation
# runs, so you can read what it expands to:

# %% tags=["proof-sam-expands"]
assert iac.lint("users-api-sam.yaml").clean
expanded = iac.sam_translate("users-api-sam.yaml")
assert iac.lint(expanded).clean
iac.resource_types(expanded)

# %% [markdown]
# The emulator's CloudFormation applies the SAM transform itself (with the same `aws-sam-translator`
# package), so the SAM template deploys as it would on AWS. One difference: an `Api` event with
# `Method: ANY` gives no method here (`sam-any-method` in the table above), so the template lists
# its four routes.

# %% tags=["proof-sam-deploy"]
sam = iac.deploy_stack("lab-03-users-sam", "users-api-sam.yaml", code.parameters())
sam_url = iac.api_url(sam.outputs)
assert lab.http_call(sam_url, "POST", {"user_id": user_id, "name": "Ada", "email": "ada@example.com"}).status == 201
assert not iac.leftovers(iac.delete_stack("lab-03-users-sam"))["exists"].eq(True).any()

# %% [markdown]
# ## 7. The seed's Terraform
#
# The seed's `lambda.tf` (kept verbatim in `reference_app/iac/seed/lambda.tf`) is read with
# python-hcl2 and reviewed for what is wrong with it today. The AWS provider's 6.0 release (June
# 2025) removed `stage_name` and `invoke_url` from `aws_api_gateway_deployment`
# ([upgrade guide](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-6-upgrade#resourceaws_api_gateway_deployment));
# the seed pins `~> 5.0` and uses both.

# %% tags=["proof-terraform-seed-review"]
problems = terraform.review_table(iac.template_path("seed/lambda.tf"))
assert {"aws_api_gateway_deployment.main", "aws_lambda_function.main", "random_* blocks"} <= set(problems["where"])
problems

# %% [markdown]
# The corrected `terraform/main.tf` declares an
# `aws_api_gateway_stage`, redeploys through `triggers`, takes the kit's zip as a variable (so it
# needs the `aws` provider only) and orders the log group first. The review finds nothing in it:

# %% tags=["proof-terraform-corrected"]
assert terraform.review(iac.template_path("terraform/main.tf")) == []
[name for name in terraform.resources(iac.template_path("terraform/main.tf"))][:6]

# %% [markdown]
# Applying it needs the `terraform` binary and the AWS provider on disk: the kit never downloads
# either (it never reaches the internet), and `tflocal` points the provider at the emulator. When
# they are here, this cell applies the configuration, calls the API and destroys it (about a minute);
# otherwise it says in one sentence why it skips.

# %% tags=["proof-terraform-apply"]
available = terraform.availability()
print(available)
if available:
    outputs = terraform.apply_users_api("lab-03-tf")
    tf_url = iac.api_url({"ApiId": outputs["api_id"], "Stage": outputs["stage"]})
    assert lab.http_call(tf_url, "POST", {"user_id": user_id, "name": "T", "email": "t@example.com"}).status == 201
    terraform.destroy_users_api("lab-03-tf")

# %% [markdown] tags=["proof-iac-compare"]
# ## 8. CloudFormation, SAM, CDK or Terraform?
#
# | | [CloudFormation](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/Welcome.html) | [SAM](https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/what-is-sam.html) | [CDK](https://docs.aws.amazon.com/cdk/v2/guide/home.html) | [Terraform](https://developer.hashicorp.com/terraform/docs) |
# |---|---|---|---|---|
# | you write | YAML/JSON, every resource | YAML with `AWS::Serverless::*` shorthands | TypeScript, Python, Java, Go, C# | HCL |
# | becomes | a stack | CloudFormation (a transform, run by CloudFormation) | CloudFormation (`cdk synth`) | API calls from the provider |
# | state | kept by CloudFormation, in your account | same | same | a state file you keep (S3 + locking) |
# | Lambda in one function | ~60 lines: role, permission, deployment by hand | ~25 lines: events, policy templates, API | a few lines with `aws_lambda` constructs | ~60 lines, like CloudFormation |
# | rollback on failure | automatic | automatic | automatic | none: fix and apply again |
# | lint / check | cfn-lint | cfn-lint (expands SAM) | `cdk synth`, then cfn-lint | `terraform validate`, tflint |
# | locally | sam local, emulators | `sam local invoke` | synth, then as CloudFormation | tflocal against an emulator |
# | beyond AWS | no | no | no (cdktf for Terraform) | yes, any provider |
#
# Pick by team and scope: SAM for a serverless application that lives in one stack, CDK when you want
# loops, types and tests in a programming language, Terraform when one tool must manage more than AWS,
# plain CloudFormation when you need to read exactly what is deployed. All four deploy the same resources.
#
# ## 9. Exercises
#
# **Fix a template** (`exercises/03_infrastructure_as_code/users_template.py`, break and debug). A
# template with four of the seed's mistakes: two that cfn-lint reports and two that a reviewer must
# find. The checks lint it, review it, deploy it as a stack, call its API and delete it.

# %% tags=["proof-exercise-fix-seed-template"]
lab.check("fix-seed-template")

# %% [markdown]
# **Wire an upload with SAM** (`exercises/03_infrastructure_as_code/s3_trigger_sam.py`, fill in).
# Write the `Events` and `Policies` of an `AWS::Serverless::Function` so that an upload under
# `uploads/` runs the kit's `s3_processor`: SAM writes the notification, the permission and the order
# the seed got wrong. The checks expand it as CloudFormation does, look for a circular dependency,
# then deploy it and upload a file.

# %% tags=["proof-exercise-sam-s3-trigger"]
lab.check("sam-s3-trigger")

# %% [markdown]
# ## 10. Recap
#
# - A linter stops at the first parse error: the seed's duplicate `Parameters` key hid everything else.
# - cfn-lint catches unknown properties (`ReservedConcurrencyLimit`), deprecated runtimes (W2531),
#   undefined references and, on SAM's expansion, circular dependencies (E3004).
# - It does not catch what only AWS checks at deploy time (a notification before its permission, a
#   stream the role cannot read), nor one function fed three event types: review for those, and
#   remember the emulator accepts them.
# - A stack is created, updated (new code = new S3 key) and deleted as one unit; deleting it leaves
#   nothing, which `leftovers` proves resource by resource.
# - SAM is CloudFormation with shorthands; Terraform reaches the same resources without a stack, and
#   its AWS provider 6.0 removed what the seed's `lambda.tf` still uses.
#
# ### The seed's interview questions this lesson answers
#
# **"How do you optimize Lambda performance?"** (the seed's answer is a YAML snippet). The snippet sets
# `ReservedConcurrencyLimit`, which does not exist: CloudFormation rejects the template (cfn-lint E3002).
# The property is `ReservedConcurrentExecutions`, and it *caps* a function's concurrency (protecting a
# downstream resource), it does not make anything faster. Performance comes from memory size (CPU scales
# with it), init work in module scope, and a current runtime (lesson 07).
#
# **"How do you implement Lambda testing?"** Unit tests on the handler's core (moto), then, for the
# infrastructure: lint every template in CI (cfn-lint), deploy the stack to an emulator, call it end to
# end, delete it and check nothing is left, as this notebook did; and a deploy to a real test account,
# since an emulator accepts templates AWS refuses.
#
# **"How do you secure Lambda functions?"** In the template: a role per function with only the actions
# it calls on only its own resources (this stack's four DynamoDB actions on one table), a
# `SourceArn`-scoped permission for each caller, and no secrets in plain environment variables (lesson 06).

# %% [markdown]
# ## Check yourself
#
# Answer, then reveal: each question links the cell above that shows its answer live.

# %%
lab.quiz("03_infrastructure_as_code")
