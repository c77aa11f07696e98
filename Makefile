# Shortcuts for ./course, the course's entry point (see README.md).
.PHONY: book test up down status lab
book test up down status lab:
	./course $@
