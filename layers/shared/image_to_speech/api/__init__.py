"""HTTP layer (FastAPI + Mangum) and the dual-event Lambda handler shared by every function."""
