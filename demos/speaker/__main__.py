"""``python -m demos.speaker``: the Speaker tab served alone, as the app serves it."""

from audiokit import ui
from demos.speaker import build

if __name__ == "__main__":
    ui.launch_alone(build)
