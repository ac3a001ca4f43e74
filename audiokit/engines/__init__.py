"""One module per task: the backends (embedded and Hub) behind each demo's pure functions.

Engines never import Gradio; demos and other engines may use them (e.g. the TTS tab's
round-trip check transcribes with the embedded ASR engine).
"""
