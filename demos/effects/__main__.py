"""``python -m demos.effects``: the Effects tab served alone."""

from audiokit import ui
from demos.effects import build

if __name__ == "__main__":
    ui.launch_alone(build)
