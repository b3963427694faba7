# Framebuffer primitives and text console (kernel/fb/), with the embedded fonts.
test_fbcon_SRCS := kernel/fb/fbdraw.c kernel/fb/fbcon.c kernel/fb/font.c build/gen/font.c
