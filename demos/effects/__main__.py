"""``python -m demos.effects``: the Effects tab served alone."""

from audiokit import ui
from demos.effects import build

ui.launch_alone(build)
