"""One module per exercise, named after its id (``handler-validation`` -> ``handler_validation``)."""
