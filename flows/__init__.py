"""Prefect flows of the screening pipeline.

Importing this package sets Prefect defaults the user has not set: warnings
only in the console, no telemetry (there may be no network, and the calls
would only log errors), and two minutes rather than 20 s for the embedded
server to start (it took longer than 20 s on a busy 2-core machine).
"""

import os

for _name, _value in (("PREFECT_LOGGING_LEVEL", "WARNING"),
                      ("PREFECT_SERVER_LOGGING_LEVEL", "WARNING"),
                      ("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
                      ("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")):
    os.environ.setdefault(_name, _value)
