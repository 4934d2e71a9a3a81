"""Whose AWS account the kit acts in, and the secrets that prove it: state a room leaves behind.

* :mod:`.membership`: the room this learner joined (its URL is the one remote host the
  network guard lets through) and the learner's own account on an emulator others share.
* :mod:`.credentials`: the instructor's file of secrets (the instructor's own, one account per
  learner) that the shared emulator checks every request against.

The room (:mod:`reference_app.lab.room`) writes both; the platform below it reads them (the
network guard, the backend choice, the client factory, the emulator and its patch), so they
live here, in the platform layer, and import only :mod:`reference_app.lab.locations` and
:mod:`reference_app.lab.errors`.
"""
