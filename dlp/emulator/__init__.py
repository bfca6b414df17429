"""A local ChatGPT Enterprise Compliance API over a synthetic workspace with planted sensitive values.

    from dlp.emulator import EmulatorServer, EmulatorSettings, FakeClock
    with EmulatorServer(EmulatorSettings(seed=7), clock=FakeClock()) as server:
        ...  # server.base_url, server.workspace_id, server.api_key, server.ground_truth
"""

from dlp.emulator.clock import Clock, FakeClock
from dlp.emulator.groundtruth import PlantedValue, read_ground_truth, write_ground_truth
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import (
                                   DEFAULT_API_KEY,
                                   DEFAULT_WORKSPACE_ID,
                                   EmulatorSettings,
                                   FaultSettings,
                                   GeneratorConfig,
                                   load_settings,
)

__all__ = ["Clock", "FakeClock", "PlantedValue", "read_ground_truth", "write_ground_truth", "EmulatorServer",
           "DEFAULT_API_KEY", "DEFAULT_WORKSPACE_ID", "EmulatorSettings", "FaultSettings", "GeneratorConfig",
           "load_settings"]
