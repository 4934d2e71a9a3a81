"""AWS Lambda workshop kit: canonical handlers (``reference_app.handlers``) and lab tooling (``reference_app.lab``)."""

__version__ = "0.2.0"
