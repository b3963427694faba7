# The pre-boot menu's state machine (efi/menu.c), checked against the kernel's parser.
test_menu_SRCS := efi/menu.c lib/cfgline.c lib/fmt.c kernel/config.c $(wildcard kernel/audit/patterns/*.c)
