# The diagnostic panel (kernel/fb/diagscreen.c) on the real console and fonts.
test_fbdiag_SRCS := kernel/fb/diagscreen.c kernel/fb/panels.c kernel/fb/fbtext.c kernel/fb/fbdraw.c kernel/fb/fbcon.c \
	kernel/fb/font.c build/gen/font.c
