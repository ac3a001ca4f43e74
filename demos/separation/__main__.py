"""``python -m demos.separation``: the Separation tab served alone, as the app serves it."""

from audiokit import ui
from demos.separation import build

if __name__ == "__main__":
    ui.launch_alone(build)
