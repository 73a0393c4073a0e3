pytest_plugins = ["pytester"]

# Fixture trees (e.g. a miniature upstream checkout) hold test files of their own that
# only make sense when copied out and run by the tests that use them.
collect_ignore_glob = ["fixtures/*"]
