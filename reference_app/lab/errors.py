"""The one exception the lab tooling raises for problems a learner can fix.

Its message is a single plain sentence that says what is wrong and what to do;
the CLI prints it without a traceback, and notebooks show it as-is.
"""


class LabError(RuntimeError):
    """A problem with the learner's setup or input, explained in one sentence."""
