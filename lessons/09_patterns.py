# %% [markdown]
# # 09 · Patterns

# %%
from reference_app import lab

lab.start_lesson("09_patterns")
