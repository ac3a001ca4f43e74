"""``python -m demos.tts``: the TTS tab served alone."""

from audiokit import ui
from demos.tts import build

if __name__ == "__main__":
    ui.launch_alone(build)
