import os, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
os.environ.setdefault('ROBOLM_HOME', str(ROOT))
os.environ.setdefault('HF_DATASETS_OFFLINE', '1')
