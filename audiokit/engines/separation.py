# transitional: the lead removes this at merge
from audiokit.tasks.separation import *  # noqa: F403
from audiokit.tasks.separation import METHODS, hpss, vocals  # noqa: F401
