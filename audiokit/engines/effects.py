# transitional: the lead removes this at merge
from audiokit.tasks.effects import *  # noqa: F403
from audiokit.tasks.effects import EFFECTS, apply_chain, parse_chain  # noqa: F401
