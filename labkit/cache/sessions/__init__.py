"""The session store: a small web application, its session middleware, its two instances, and the
experiments on them."""
