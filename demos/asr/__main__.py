"""``python -m demos.asr``: the Speech recognition tab served alone."""

from audiokit import ui
from demos.asr import build

if __name__ == "__main__":
    ui.launch_alone(build)
