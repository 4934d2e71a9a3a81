# %% [markdown]
# # 11 · Deploying safely
#
# Every earlier module deployed by overwriting the function: the next request ran the new code, all of
# it, at once. This one releases the way production does: each release is a **published version**
# that never changes, callers reach it through an **alias**, a new version first takes a small share
# of the traffic (a **canary**), an **alarm** decides whether it gets the rest, and going back is one
# call. One function carries it all, a price quote (`price_quote`), with three releases: `blue` (in
# production), `green` (a new quote limit, set in dollars where the code reads cents) and `red` (a tax
# rate that is not a number).

# %%
import random

from reference_app import lab
from reference_app.lab.lesson_helpers import deploying as dep

lab.start_lesson("11_deploying_safely")

# %% [markdown]
# ## 1. Versions and `$LATEST`
#
# A function's code and configuration live in `$LATEST`, the one version you can change. Publishing
# takes a snapshot: a numbered version whose code, runtime, memory, environment variables and most
# other settings are immutable, with an ARN of its own (`...:function:lab-11-quote:3`). Lambda does not
# publish a version when `$LATEST` is identical to the last one: it answers that version again
# ([versions](https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html)).

# %%
lab.show_source("price_quote")

# %% tags=["proof-versions"]
blue = dep.release(dep.BLUE)
again = dep.release(dep.BLUE)  # nothing changed: no new version
assert again == blue and blue.isdigit()
dep.versions().tail(4)

# %% [markdown]
# Each version's configuration is frozen with its code: `blue`'s `TAX_RATE` is part of version
# `blue`, so a bad configuration change is a release like any other, and rolls back the same way.
#
# ## 2. An alias in front
#
# An alias is a named pointer to a version (`...:function:lab-11-quote:live`) that you can move
# ([aliases](https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html)). Whatever
# invokes the function (an API, a function URL, an event source mapping, another service) should name
# the alias, never `$LATEST` and never a number: then releasing and rolling back are moves of the
# alias, and no caller changes.

# %%
dep.ensure_alias(blue)
dep.alias_state()

# %% [markdown]
# ## 3. Provisioned concurrency belongs on an alias
#
# Provisioned concurrency keeps initialised execution environments ready for a *version* or an *alias*
# (an alias's follows the version it points at); `$LATEST` cannot have any. Lambda needs minutes to
# initialise them (status `IN_PROGRESS`, then `READY`), bills them for as long as they are configured,
# and the requests they serve show no `Init Duration`
# ([provisioned concurrency](https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html)).
# Put it on the alias callers use, so it moves with each release. **The emulator stores the setting
# and reports READY at once, but initialises nothing ahead** (the first invoke is a cold start), and it
# accepts provisioned concurrency on `$LATEST`, which Lambda refuses:

# %% tags=["proof-provisioned-alias"]
pc = dep.provisioned_on_alias()
assert pc["status"] == "READY" and pc["version behind it"] == blue
pc

# %% [markdown]
# The cell removes the setting at once: on AWS it is billed every second it exists.
#
# ## 4. API Gateway and a function URL point at the alias
#
# A REST API's Lambda integration names the alias's ARN (`...:lab-11-quote:live`), and the permission
# that lets API Gateway invoke it is granted on the alias. A function URL is created with
# `Qualifier=live` (a URL can point at `$LATEST` or an alias, not at a version number) and its two
# permission statements are added with the same qualifier
# ([function URLs](https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html),
# [alias permissions](https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html)):

# %% tags=["proof-alias-endpoints"]
urls = dep.alias_endpoints()
behind = dep.versions_behind(urls, requests=3)
assert behind == {"rest api": [blue] * 3, "function url": [blue] * 3}
behind

# %% [markdown]
# ## 5. A canary at 10 %, counted
#
# `green` is published and the alias keeps `blue` as its primary version, with a `RoutingConfig` that
# sends 10 % of invocations to `green`. Both versions must be published (not `$LATEST`), share an
# execution role and a dead-letter configuration; Lambda picks the version per invocation with a simple
# probabilistic model, so at low traffic the real share varies around the weight
# ([weighted aliases](https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html)).
# The answer names the version that ran (`context.function_version`; the `Invoke` response also
# carries it as `ExecutedVersion`,
# [Invoke](https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html)).

# %%
green = dep.release(dep.GREEN_LIMIT_BUG)
dep.ensure_alias(blue, {green: 0.1})
dep.alias_state()

# %% [markdown]
# **The emulator does not route by weight**: it keeps the `RoutingConfig` and runs the primary version
# every time, so one helper of the kit, `dep.invoke_routed`, draws the version by the alias's weights
# and invokes it (`alias-routing` below). First the emulator alone, then 400 quotes through the kit's
# draw (the seed is printed, so a run can be replayed):

# %% tags=["proof-weighted-alias"]
assert dep.emulator_routing(10) == {blue: 10}
seed = random.randrange(10**6)
print(f"seed {seed}")
counted = dep.count_by_version(400, seed)
assert set(counted.index) == {blue, green} and 0.04 <= counted.loc[green, "share"] <= 0.17
assert counted.loc[blue, "errors"] == 0 and counted.loc[green, "errors"] > 0
counted

# %% [markdown]
# About 40 of 400 quotes reached `green`, and most of those failed: amounts over 50 dollars exceed a
# limit meant in dollars and read in cents. Nine customers in ten never saw it. That is what a canary
# is for; the next question is who notices, and how fast the weight goes back to zero.

# %%
dep.ensure_alias(blue)
lab.fidelity("versions and aliases")

# %% [markdown]
# ## 6. Traffic shifting with an alarm, the way CodeDeploy does it
#
# CodeDeploy moves an alias from one version to the next by a deployment configuration
# ([configurations](https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html)):
#
# | configuration | what it does |
# |---|---|
# | `LambdaCanary10Percent5Minutes` (also 10, 15, 30 minutes) | 10 % for five minutes, then the remaining 90 % at once |
# | `LambdaLinear10PercentEvery1Minute` (also 2, 3, 10 minutes) | 10 % more every minute until 100 % |
# | `LambdaAllAtOnce` | everything at once |
#
# Before any traffic moves, a **`BeforeAllowTraffic` hook** (SAM: `PreTraffic`) runs: a Lambda function
# that tests the new version and reports `Succeeded` or `Failed` with
# `PutLifecycleEventHookExecutionStatus`; an **`AfterAllowTraffic` hook** (`PostTraffic`) runs once all
# traffic has moved. A failed hook, or one of the deployment's **CloudWatch alarms** in `ALARM` while it
# runs, stops the deployment and rolls the alias back to the old version
# ([hooks](https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html)).
# The alarm should watch the *new version* behind the alias: Lambda's `Errors` metric with the
# `FunctionName`, `Resource` (function:alias) and `ExecutedVersion` dimensions
# ([metric dimensions](https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics.html)).
#
# In SAM this is `AutoPublishAlias` plus `DeploymentPreference`
# ([DeploymentPreference](https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-deploymentpreference.html),
# [gradual deployments](https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/automating-updates-to-serverless-apps.html)):

# %%
print(dep.SAM_TEMPLATE)

# %% [markdown]
# `DeploymentPreference` needs `AutoPublishAlias` (SAM refuses it otherwise). The hook's name starts
# with `CodeDeployHook_` because the role SAM creates for CodeDeploy carries the managed policy
# [AWSCodeDeployRoleForLambda](https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForLambda.html),
# which may invoke only functions named so.
# cfn-lint passes it, and SAM's transform shows what it becomes: a CodeDeploy application and
# deployment group, a version, and an alias whose `UpdatePolicy` hands every change to CodeDeploy:

# %% tags=["proof-sam-deployment-preference"]
from reference_app.lab import iac

assert iac.lint(dep.SAM_TEMPLATE, informational=True).clean  # errors, warnings and informational rules
expanded = iac.sam_translate(dep.SAM_TEMPLATE)["Resources"]
group = next(r for r in expanded.values() if r["Type"] == "AWS::CodeDeploy::DeploymentGroup")["Properties"]
alias = next(r for r in expanded.values() if r["Type"] == "AWS::Lambda::Alias")
assert group["DeploymentConfigName"]["Fn::Sub"] == [
    "CodeDeployDefault.Lambda${ConfigName}",
    {"ConfigName": "Canary10Percent5Minutes"},
]
assert "CodeDeployLambdaAliasUpdate" in alias["UpdatePolicy"]
dep.sam_deployment_resources()

# %% [markdown]
# There is no CodeDeploy on the emulator (`codedeploy-traffic-shifting` above), so
# `dep.shift_traffic` does what a deployment does, step by step, with a third of a second for each
# minute: run the pre-traffic hook (`dep.smoke_test`, a 10-dollar quote), set the weight, send customer
# traffic through the alias, read a real CloudWatch alarm on the new version, and roll back on `ALARM`.
# `green` first, with `Canary10Percent5Minutes`:

# %% tags=["proof-canary-rollback"]
alarm = dep.version_alarm(green)
canary = dep.shift_traffic(green, "Canary10Percent5Minutes", alarm, seed=seed, requests_per_step=200)
state = dep.alias_state()
assert canary.outcome.startswith("rolled back") and state["primary"] == blue and state["weights"] == {}
canary

# %% [markdown]
# The smoke test passed (a 10-dollar quote is under the limit), the canary's errors moved the alarm,
# and the alias went back to `blue` with no weight: no one had to wake up. The fixed release goes out
# with `Linear10PercentEvery1Minute` and reaches 100 %:

# %% tags=["proof-linear-shift"]
fixed = dep.release({**dep.GREEN_LIMIT_BUG, "QUOTE_LIMIT_CENTS": "5000000"})
linear = dep.shift_traffic(fixed, "Linear10PercentEvery1Minute", dep.version_alarm(fixed), seed=seed)
assert linear.outcome == "succeeded" and dep.alias_state()["primary"] == fixed
linear.table()

# %% [markdown]
# And `red`, whose tax rate is `20%`, never takes a request: the pre-traffic hook fails it, so no
# traffic moves, whatever the configuration (even `AllAtOnce`):

# %% tags=["proof-pre-traffic-hook"]
red = dep.release(dep.RED_TAX_BUG)
refused = dep.shift_traffic(red, "AllAtOnce", dep.version_alarm(red), seed=seed)
assert refused.outcome.startswith("failed before any traffic") and dep.alias_state()["primary"] == fixed
refused

# %% [markdown]
# ## 7. Rollback drill
#
# An hour after `fixed` reached 100 %, support reports wrong totals. The drill: move the alias back to
# the last good version, confirm that every caller follows without a deploy, and only then look for the
# cause. Rolling back is one `UpdateAlias` call; nothing is rebuilt or redeployed, and the API and the
# URL answered by the old version a second later:

# %% tags=["proof-rollback-drill"]
dep.ensure_alias(blue)
after = dep.versions_behind(urls, requests=3)
assert after == {"rest api": [blue] * 3, "function url": [blue] * 3} and dep.alias_state()["weights"] == {}
after

# %% [markdown]
# Two habits make this work on the day: keep the previous version published (prune only versions no
# alias uses, and keep a few), and make "roll back" a rehearsed, written command, not a redeploy of
# yesterday's commit, which rebuilds, re-resolves dependencies and takes minutes.
#
# ## 8. Exercises
#
# **Canary release** (`exercises/11_deploying_safely/canary_release.py`, fill in): start a canary on an
# alias with the weight you are given, then promote it. The checks read the alias back and count which
# version answers a few hundred quotes.

# %% tags=["proof-exercise-canary-release"]
lab.check("canary-release")

# %% [markdown]
# **Break and debug: a rollback that is not one** (`exercises/11_deploying_safely/rollback.py`). During
# an incident the on-call engineer ran this `rollback`; it reported success, yet customers kept getting
# errors. Here it is, run against a failing canary (in solutions mode you see the fixed version):

# %% tags=["proof-debug-rollback"]
drill = lab.try_exercise("debug-rollback")
assert drill.served(drill.before, drill.bad)[0] > 0  # the canary took traffic before the rollback
drill

# %% [markdown]
# Find why the failing version still answers after the rollback, fix `rollback`, and check it:

# %% tags=["proof-exercise-debug-rollback"]
lab.check("debug-rollback")

# %% [markdown]
# ## 9. Tidy up versions
#
# Published versions accumulate with every release (and count against the account's code storage);
# delete the ones no alias uses, keeping the newest few as rollback targets:

# %%
deleted = dep.prune_versions(keep=3)
assert blue in dep.versions().index  # the alias uses it: never deleted
dep.versions()

# %% [markdown]
# ## 10. Recap
#
# - Publish a version per release: code and configuration, frozen, with its own ARN. `$LATEST` is the
#   draft; nothing in production should invoke it.
# - Callers name an alias. Releasing and rolling back move the alias; APIs, function URLs and event
#   sources never change. Provisioned concurrency goes on the alias too.
# - A weighted alias sends a share of invocations to a second published version; watch that version
#   with an alarm on `Errors` by `ExecutedVersion`.
# - CodeDeploy (SAM's `DeploymentPreference` with `AutoPublishAlias`) shifts the weight as a canary, in
#   linear steps or all at once, runs pre- and post-traffic hooks, and rolls back when an alarm fires.
# - A rollback clears the weights as well as moving the primary: `UpdateAlias` keeps whatever you do
#   not send (AWS's own example resets `RoutingConfig` in the same call that moves the version,
#   [weighted aliases](https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html)).
#
# ### Quiz

# %%
lab.quiz("11_deploying_safely")
