"""Step Functions task adapters: validate a task input, call a service, map its errors onto the
two error names the state machine's Retry and Catch rules match (errors.py)."""
