"""The session store: a small web application, its two instances, and the experiments on them."""
