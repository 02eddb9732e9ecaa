"""`make up`: the page, the HTTP API and the whole pipeline on this machine (see stack.py)."""
