"""Version of the wire contract (not of any package that implements it)."""

# 1.1: items may omit `embedding`; failed responses carry `errorCode`; `skipped` lists items the
# worker could not use. Every 1.0 payload is still valid.
CONTRACT_VERSION = "1.1.0"
