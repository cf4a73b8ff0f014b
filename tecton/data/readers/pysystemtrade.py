NAME = "pysystemtrade"

def discover(source):
    raise NotImplementedError

def read(raw, data=None):
    raise NotImplementedError
