# %% [markdown]
# # 00 · Set up your lab
#
# Everything in this workshop runs for real against a local AWS emulator: functions are
# packaged as zips, deployed, and invoked. This notebook checks your machine, brings the
# emulator up, deploys a first function, and invokes it twice so you can see a **cold**
# and a **warm** start.
#
# No AWS account is needed, and nothing here can reach real AWS: every client the kit
# builds points at the local emulator and uses dummy credentials.

# %% [markdown]
# ## 1. Check the environment
#
# Python 3.11 or newer, the kit's packages, and the emulator's port. A "⚠️ warning" is information, a "❌ failed" needs fixing.

# %%
import sys

from reference_app import lab

assert sys.version_info >= (3, 11), f"Python 3.11+ needed, this is {sys.version}"

# %% tags=["proof-environment"]
lab.show_checks()

# %% [markdown]
# The `runtime` line matters: every function in this kit declares the `python3.13` runtime
# (supported on AWS until 2029; `python3.14` is the newest). The seed material this workshop
# grew from still says `python3.9`: AWS deprecated that runtime on 15 December 2025, so it gets no
# more security patches, and creating, then updating, python3.9 functions is blocked from the dates in
# AWS's [runtime table](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html) (dates AWS
# has moved before, so check the table rather than a blog post). The embedded emulator runs your
# function on *this* machine's Python, so the two can differ; on AWS the runtime you declare is the one you get.

# %% tags=["proof-runtime"]
runtime = {check.name: check for check in lab.run_checks()}["runtime"]
print(runtime.detail)

# %% [markdown]
# ## 2. Bring the emulator up
#
# `lab.start_lesson()` opens every lesson: it checks your Python, starts the embedded emulator
# (ministack) on 127.0.0.1 or reuses one that already answers (the same as `lambda-lab up` in a
# terminal), and says whether exercises load from `exercises/` or, in solutions mode, from `solutions/`.
# The emulator's status shows as a table; a yellow note appears if its last run ended without a
# clean stop (your resources are kept across `lambda-lab down` and `up`).

# %%
status = lab.start_lesson("00_setup")
status

# %% [markdown]
# ## 3. Deploy a function
#
# The function is the handler module `reference_app/handlers/hello.py`:

# %%
lab.show_source("hello")

# %% [markdown]
# `deploy_function` builds a zip from it, proves in an isolated Python that the zip imports with
# nothing but its own contents and boto3 (as on Lambda), then creates the function or updates only
# what changed, and waits until it is `Active`. Run the cell twice: the second time the action is
# `unchanged`. (A handler whose function is not called `lambda_handler` is deployed with
# `function="main"`; the import check proves that function exists and takes `(event, context)`.)

# %%
dep = lab.deploy_function("lab-hello", "reference_app.handlers.hello", environment={"GREETING": "Hello"})
dep

# %% [markdown]
# ## 4. Invoke it: cold, then warm
#
# The first invoke after a deploy (or a configuration change) needs a new *execution
# environment*: Lambda starts the runtime and imports your module (the INIT phase) before
# the handler runs. That is a **cold start**. The next invoke reuses the environment and
# only runs the handler: a **warm start**. `force_cold_start` changes a configuration
# variable so the next invoke is cold even when you re-run this cell.

# %% tags=["proof-cold-warm"]
lab.force_cold_start("lab-hello")
cold = lab.invoke("lab-hello", {"name": "learner"})
warm = lab.invoke("lab-hello", {"name": "learner"})
assert cold.payload["cold_start"] and not warm.payload["cold_start"]
cold

# %%
import pandas as pd

pd.DataFrame(
    {
        "cold_start": [cold.payload["cold_start"], warm.payload["cold_start"]],
        "round trip (ms)": [round(cold.elapsed_ms, 1), round(warm.elapsed_ms, 1)],
    },
    index=["first invoke", "second invoke"],
)

# %% [markdown]
# The handler itself reports `cold_start`: a module-level flag that is `True` only on the
# first call an environment serves. The round trip of the cold invoke includes starting a
# Python process and importing the module; the warm one does not.
#
# Lambda's own record of a cold start is the `REPORT` line of the invocation's log block: it
# carries an `Init Duration` (the INIT phase) only when the environment was new. Since
# 1 August 2025 AWS bills that INIT phase for on-demand functions too, and all duration
# is billed per **1 ms** (the seed's "billed per 100 ms" has been wrong since December
# 2020; see [Lambda pricing](https://aws.amazon.com/lambda/pricing/)). Here is the log block of
# the cold invocation, from the emulator's CloudWatch Logs, and the warm one's for comparison:

# %% tags=["proof-report"]
block = cold.logs()
print("\n".join(block.lines))
assert block.cold and not warm.logs().cold  # Init Duration on the cold REPORT line only

# %% [markdown]
# ## 5. Summary

# %%
result = lab.summary(
    {
        f"Python {sys.version.split()[0]}": sys.version_info >= (3, 11),
        f"emulator healthy at {status.backend.endpoint}": lab.status().healthy,
        f"lab-hello deployed ({dep.action})": dep.configuration["State"] == "Active",
        "cold then warm start observed": cold.payload["cold_start"] and not warm.payload["cold_start"],
        "invocation found in CloudWatch logs": block is not None and block.complete,
    }
)
result

# %%
assert result.ok, result

# %% [markdown]
# ## Check yourself
#
# Answer, then reveal: each question links the cell above that shows its answer live.

# %%
lab.quiz("00_setup")
