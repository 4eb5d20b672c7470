"""Reading figures, time bounds and language out of short OKR texts, in Chinese and English.

Pure functions, no I/O; they run on every objective and key result, so they stay fast.
"""
