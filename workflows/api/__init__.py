"""REST API of the workflows app (see views); errors in errors.py, schema in common.py."""
