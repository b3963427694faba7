# The technician's panels (kernel/fb/panels.c) in the diagnostic panel's
# layout, on the real console and fonts, at many screen sizes.
test_panels_SRCS := kernel/fb/panels.c kernel/fb/fbtext.c kernel/fb/diagscreen.c \
	kernel/fb/fbdraw.c kernel/fb/fbcon.c kernel/fb/font.c build/gen/font.c
