"""The gates of the telemetry rules (``designlint.rules.telemetry``)."""

from __future__ import annotations

import re

from designlint.gates import Gate


class TelemetryGate(Gate):
    codes = ("DL901", "DL902", "DL903")
    # A span or a metric is made by one of these (OpenTelemetry's tracer and meter, prometheus_client).
    prefilter = re.compile(r"start_as_current_span|start_span|create_\w*(?:counter|histogram|gauge)|prometheus_client")
