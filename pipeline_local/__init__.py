"""Run the whole asynchronous pipeline on this machine: moto S3 + Step Functions, no AWS account.

`python -m pipeline_local demo` / `python -m pipeline_local batch DIR` (see __main__.py).
"""
