# transitional: the lead removes this at merge
from audiokit.tasks.effects.backends.nafx import *  # noqa: F403
from audiokit.tasks.effects.backends.nafx import neural_effect  # noqa: F401
